"""后台任务 endpoint: ``GET /api/v1/jobs/<id>/`` answers ``state``, ``progress``, ``report`` and ``result``.

Seen by its submitter and by whoever the job's kind admits (``core.jobs.jobs_for``); to anyone else the job
does not exist (404). A client that was answered ``202 Accepted`` with ``{"job": {"id", "url"}}`` polls this
until ``state`` is ``done`` or ``failed``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.reverse import reverse

from config.api.serializers import Serializer
from core import jobs
from core.models import Job, JobState


def job_url(job: Job, request) -> str:
    return reverse("job-detail", args=[job.pk], request=request)


class JobSerializer(Serializer):
    """A job as its submitter follows it."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True, help_text=_("任务类型，如 listings_import。"))
    state = serializers.ChoiceField(choices=JobState.choices, read_only=True,
                                    help_text=_("queued 排队中、running 进行中、done 已完成、failed 失败。"))
    phase = serializers.CharField(read_only=True, allow_blank=True,
                                  help_text=_("进行中的阶段，如 validate（校验）、apply（写入）。"))
    progress = serializers.SerializerMethodField(help_text=_("0 至 1：已完成 / 工作量。"))
    done = serializers.SerializerMethodField(help_text=_("已完成的工作量（名单导入：每条记录校验一次、写入一次）。"))
    total = serializers.IntegerField(read_only=True, help_text=_("工作量。"))
    report = serializers.JSONField(read_only=True, help_text=_(
        "逐行报告：{\"rows\": {\"序号\": {\"字段\": [\"问题\", ...]}}}，序号自 0 起；失败时列出每条被拒记录。"))
    result = serializers.JSONField(read_only=True, allow_null=True, help_text=_(
        "完成时的结果；名单导入为 {\"created\", \"existing\", \"results\": [...]}，与同步导入的答复相同。"))
    error = serializers.CharField(read_only=True, allow_blank=True)
    created_at = serializers.DateTimeField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_url(self, job: Job) -> str:
        return job_url(job, self.context.get("request"))

    def get_progress(self, job: Job) -> float:
        return jobs.job_progress(job)

    def get_done(self, job: Job) -> int:
        return job.total if job.state == JobState.DONE else jobs.live_done(job)[0]

    def to_representation(self, job: Job):
        data = super().to_representation(job)
        data["phase"] = jobs.live_done(job)[1] if job.state == JobState.RUNNING else job.phase
        return data


class JobReferenceSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(read_only=True, help_text=_("GET 此地址查看进度与结果。"))


class JobAcceptedSerializer(Serializer):
    """The answer ``202 Accepted``: the work continues as a job."""

    job = JobReferenceSerializer(read_only=True)


def job_accepted(job: Job, request) -> dict:
    """The body of a 202: ``{"job": {"id", "url"}}``."""
    return {"job": {"id": job.pk, "url": job_url(job, request)}}


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """后台任务：状态、进度、逐行报告与结果。仅提交人及其任务类型所允许的角色可见，其他人 404。"""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    queryset = Job.objects.none()
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return jobs.jobs_for(self.request.user)

    @extend_schema(responses={200: JobSerializer, 404: OpenApiResponse(description="不存在或无权查看")})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
