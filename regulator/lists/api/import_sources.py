"""定时导入来源 endpoints (regulators): list and create sources, run one now (202), read its runs.

``GET/POST /api/v1/import-sources/``, ``GET /api/v1/import-sources/<id>/``,
``POST /api/v1/import-sources/<id>/run/`` (202 with the queued run; the source's unfinished run if it has one),
``GET /api/v1/import-sources/<id>/runs/`` (newest first, paginated, each with its per-row report).
Anyone but a regulator gets 403; a source that does not exist is 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.pagination import StandardPagination
from config.api.permissions import IsRegulator
from config.api.serializers import ModelSerializer
from regulator.lists import import_source_selectors as selectors
from regulator.lists import import_source_services as services
from regulator.lists.import_sources import ImportRun, ImportSource

_FORBIDDEN = OpenApiResponse(description="未登录（401）或非监管人员（403）")
_NOT_FOUND = OpenApiResponse(description="导入来源不存在")
_INVALID = OpenApiResponse(description="字段错误，按字段列出（列映射中未知或缺少的目标字段、非 http(s) 网址、投放目录越界等）")


class ImportSourceSerializer(ModelSerializer):
    class Meta:
        model = ImportSource
        fields = ["id", "name", "source_authority", "kind", "location", "format", "encoding", "column_mapping",
                  "defaults", "mode", "interval_minutes", "enabled", "last_run_at", "created_at"]
        read_only_fields = ["id", "last_run_at", "created_at"]
        extra_kwargs = {"column_mapping": {"help_text": "目标字段 -> 文件列名，如 {\"name\": \"被执行人名称\"}。"},
                        "defaults": {"help_text": "目标字段 -> 默认值（文件未给出或为空时取之）。"}}

    def validate_column_mapping(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("应为对象：{\"目标字段\": \"文件列名\"}。")
        return value

    def validate_defaults(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("应为对象：{\"目标字段\": \"默认值\"}。")
        return value


class ImportRunRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="文件中的记录序号（1 为第一条）；移出的记录为 null。")
    reference = serializers.CharField(help_text="来源文号")
    outcome = serializers.ChoiceField(choices=["new", "unchanged", "ended", "refused"])
    listing_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class ImportRunSerializer(ModelSerializer):
    report = ImportRunRowSerializer(many=True, read_only=True)

    class Meta:
        model = ImportRun
        fields = ["id", "source", "trigger", "state", "queued_at", "started_at", "finished_at", "file_name",
                  "file_sha256", "file_bytes", "rows_total", "new_count", "unchanged_count", "ended_count",
                  "refused_count", "report", "error"]
        read_only_fields = fields


class ImportRunAcceptedSerializer(serializers.Serializer):
    run = ImportRunSerializer()


@extend_schema_view(
    list=extend_schema(summary="定时导入来源列表", responses={200: ImportSourceSerializer(many=True), 403: _FORBIDDEN}),
    retrieve=extend_schema(summary="定时导入来源", responses={200: ImportSourceSerializer, 403: _FORBIDDEN,
                                                            404: _NOT_FOUND}),
    create=extend_schema(summary="新建定时导入来源", responses={201: ImportSourceSerializer, 400: _INVALID,
                                                              403: _FORBIDDEN}),
)
class ImportSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """定时导入来源：其他机关的名单（投放目录或网址），按列映射定时导入。"""

    serializer_class = ImportSourceSerializer
    permission_classes = [IsRegulator]
    pagination_class = StandardPagination
    queryset = ImportSource.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return selectors.import_sources_for(self.request.user).order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = services.import_source_create(actor=self.request.user, **serializer.validated_data)

    @extend_schema(summary="立即运行一次导入", request=None,
                   responses={202: OpenApiResponse(ImportRunAcceptedSerializer,
                                                   description="已排队；已有排队或运行中的运行时返回该运行"),
                              403: _FORBIDDEN, 404: _NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="run")
    def run(self, request, pk=None):
        """排队运行一次（工作进程执行）；同一来源同时只有一次运行。结果见 runs/。"""
        queued = services.import_source_queue(source=self.get_object(), actor=request.user)
        return Response({"run": ImportRunSerializer(queued).data}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="导入运行记录", request=None,
                   responses={200: ImportRunSerializer(many=True), 403: _FORBIDDEN, 404: _NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="runs")
    def runs(self, request, pk=None):
        """该来源的运行记录（新的在前）：文件、SHA-256、新增/未变化/移出/被拒条数与逐行报告。"""
        source = self.get_object()
        page = self.paginate_queryset(selectors.import_runs_for(request.user, source=source))
        return self.get_paginated_response(ImportRunSerializer(page, many=True).data)
