"""Household workers' credit files (家政服务员信用档案) and their 居家上门服务证, under ``/api/v1/workers/``.

Thin views over entities.worker_selectors (reads, scoped: a firm sees its own workers only, another firm's worker
is a 404) and entities.worker_services (writes: a firm through its business account for its own household-service
firms, regulators for any; inspectors read in scope).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from entities import worker_selectors as selectors
from entities import worker_services as services
from entities.models import Person
from entities.validators import normalize_id_number, validate_id_number
from entities.worker_upload import workers_upload
from entities.workers import (
    Employment,
    HealthCheck,
    IdentityVerification,
    ServiceCard,
    SkillCertificate,
    TrainingRecord,
)

_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")
_CONFLICT = OpenApiResponse(description="与已有记录或当前状态冲突")


@extend_schema_field(OpenApiTypes.INT)
class _FirmId(ScopedPrimaryKeyRelatedField):
    """A household-service firm the caller may record workers for (the schema says integer)."""


class FirmsWriteOthersRead(permissions.BasePermission):
    """Reads for every signed-in role (scoped by the selectors); writes for regulators and business accounts."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_regulator or user.is_business


# ------------------------------------------------------------------ shapes


class EmploymentSerializer(ModelSerializer):
    entity_name = serializers.CharField(source="entity.name", read_only=True)

    class Meta:
        model = Employment
        fields = ["id", "entity", "entity_name", "person", "started_on", "ended_on", "position", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "entity", "entity_name", "person", "started_on", "created_at", "updated_at"]


class _EntrySerializer(ModelSerializer):
    """A file entry: the person (a worker the caller may see) and, for a firm, the firm recording it."""

    person = ScopedPrimaryKeyRelatedField(selectors.workers_for)
    entity = ScopedPrimaryKeyRelatedField(selectors.writable_firms, source="recorded_by_entity", required=False,
                                          allow_null=True, help_text=_("录入企业（企业账户必填：本企业的家政服务企业）。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:  # an entry stays the person's and the recording firm's
            for name in ("person", "entity"):
                self.fields[name].read_only = True


class IdentityVerificationSerializer(_EntrySerializer):
    class Meta:
        model = IdentityVerification
        fields = ["id", "person", "entity", "verified_on", "method", "verifier_name", "created_at"]
        read_only_fields = ["id", "verifier_name", "created_at"]


class HealthCheckSerializer(_EntrySerializer):
    class Meta:
        model = HealthCheck
        fields = ["id", "person", "entity", "checked_on", "expires_on", "passed", "institution",
                  "certificate_number", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TrainingRecordSerializer(_EntrySerializer):
    class Meta:
        model = TrainingRecord
        fields = ["id", "person", "entity", "kind", "provider", "hours", "completed_on", "certificate_number",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class SkillCertificateSerializer(_EntrySerializer):
    class Meta:
        model = SkillCertificate
        fields = ["id", "person", "entity", "name", "level", "number", "issuer", "issued_on", "expires_on",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ServiceCardSerializer(ModelSerializer):
    """居家上门服务证 as its firm and regulators see it (the public sees /public/worker-cards/<code>/)."""

    employment = ScopedPrimaryKeyRelatedField(selectors.employments_for)
    entity = serializers.IntegerField(source="employment.entity_id", read_only=True)
    person = serializers.IntegerField(source="employment.person_id", read_only=True)

    class Meta:
        model = ServiceCard
        fields = ["id", "code", "employment", "entity", "person", "issued_on", "expires_on", "revoked_on",
                  "revoked_reason", "created_at", "updated_at"]
        read_only_fields = ["id", "code", "entity", "person", "revoked_on", "revoked_reason", "created_at",
                            "updated_at"]
        extra_kwargs = {"issued_on": {"required": False, "help_text": _("不填为今天。")}}


class CardRevokeSerializer(Serializer):
    reason = serializers.CharField(max_length=300, help_text=_("注销原因（不对外公开）。"))


class _FileEmploymentSerializer(EmploymentSerializer):
    cards = ServiceCardSerializer(many=True, read_only=True)

    class Meta(EmploymentSerializer.Meta):
        fields = [*EmploymentSerializer.Meta.fields, "cards"]


class WorkerFileSerializer(ModelSerializer):
    """一人一档: the person (masked ID only), the caller's view of the employments and cards, and the file's entries."""

    employments = _FileEmploymentSerializer(source="visible_employments", many=True, read_only=True)
    identity_verifications = IdentityVerificationSerializer(many=True, read_only=True)
    health_checks = HealthCheckSerializer(many=True, read_only=True)
    trainings = TrainingRecordSerializer(many=True, read_only=True)
    skill_certificates = SkillCertificateSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "id_number_masked", "employments", "identity_verifications", "health_checks",
                  "trainings", "skill_certificates", "created_at", "updated_at"]
        read_only_fields = fields


class WorkerRegisterSerializer(Serializer):
    """Register a worker's employment: the person by ID number (the same number is always the same person)."""

    entity = _FirmId(selectors.writable_firms, help_text=_("用工的家政服务企业。"))
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=32, write_only=True,
                                      help_text=_("18 位居民身份证号码；仅保存其密钥哈希与脱敏形式。"))
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    position = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    def validate_id_number(self, value: str) -> str:
        number = normalize_id_number(value)
        validate_id_number(number)
        return number


class WorkerRegisteredSerializer(Serializer):
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    employment = EmploymentSerializer()


class UploadSerializer(Serializer):
    entity = _FirmId(selectors.writable_firms, help_text=_("用工的家政服务企业。"))
    file = serializers.FileField(help_text=_("CSV（UTF-8 或 GB18030）或 XLSX，首行为列名。"))


class UploadRowSerializer(Serializer):
    row = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error", "not_written"])
    id_number_masked = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    person_id = serializers.IntegerField(required=False)
    employment_id = serializers.IntegerField(required=False)


class UploadReportSerializer(Serializer):
    ok = serializers.BooleanField()
    entity = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    error = serializers.IntegerField()
    not_written = serializers.IntegerField()
    rows = UploadRowSerializer(many=True)


class UploadRefusalSerializer(Serializer):
    """A refused upload: the per-row report (``ok`` false, nothing written), or, when the request itself is wrong
    (no file, not the caller's firm), the error body with the fields' messages and ``code``."""

    ok = serializers.BooleanField(required=False)
    entity = serializers.JSONField(required=False, help_text="逐行报告中为企业编号；请求有误时为该字段的错误信息")
    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    error = serializers.IntegerField(required=False)
    not_written = serializers.IntegerField(required=False)
    rows = UploadRowSerializer(many=True, required=False)
    file = serializers.ListField(child=serializers.CharField(), required=False)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


# ------------------------------------------------------------------ views


@extend_schema_view(create=extend_schema(request=WorkerRegisterSerializer, summary="登记家政服务员从业",
                                         responses={201: WorkerRegisteredSerializer, 200: WorkerRegisteredSerializer,
                                                    404: _NOT_FOUND, 409: _CONFLICT}))
class WorkerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """家政服务员信用档案: one file per person, whichever firms employed them."""

    serializer_class = WorkerFileSerializer
    permission_classes = [FirmsWriteOthersRead]
    queryset = Person.objects.none()

    def get_queryset(self):
        return selectors.worker_files(self.request.user)

    def create(self, request, *args, **kwargs):
        body = WorkerRegisterSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        employment, outcome = services.worker_register(actor=request.user, **body.validated_data)
        answer = WorkerRegisteredSerializer({"status": outcome, "employment": employment}).data
        return Response(answer, status=status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK)


class WorkerUploadView(APIView):
    """Bulk upload of a firm's workers: all or nothing per file, a report per row (400 with the report if any row
    is wrong, nothing written); uploading the same file again changes nothing."""

    permission_classes = [FirmsWriteOthersRead]
    parser_classes = [MultiPartParser]  # a file: multipart only (a form body cannot carry one)

    @extend_schema(request=UploadSerializer, summary="批量导入家政服务员",
                   responses={200: UploadReportSerializer, 403: _NOT_FOUND, 400: OpenApiResponse(
                       response=UploadRefusalSerializer,
                       description="有误的行（逐行报告，未写入任何一行），或请求本身有误（按字段给出错误）")})
    def post(self, request):
        body = UploadSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        report = workers_upload(actor=request.user, entity=body.validated_data["entity"], raw=upload.read(),
                                filename=upload.name or "")
        if not report["ok"]:
            return Response({"detail": str(_("文件中有错误的行，未导入任何数据。")), "code": "upload_rejected", **report},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(report)


class _EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """File entries: created by a firm for its own workers (or by a regulator), corrected by whoever recorded them."""

    permission_classes = [FirmsWriteOthersRead]
    http_method_names = ["get", "post", "patch", "head", "options"]
    selector = staticmethod(selectors.health_checks_for)
    service = staticmethod(services.health_check_record)

    def get_queryset(self):
        return self.selector(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["entity"] = data.pop("recorded_by_entity", None)
        serializer.instance = self.service(actor=self.request.user, **data)

    def perform_update(self, serializer):
        serializer.instance = services.entry_update(actor=self.request.user, entry=serializer.instance,
                                                    **serializer.validated_data)


class IdentityVerificationViewSet(_EntryViewSet):
    """身份核验 (who verified, how, when)."""

    serializer_class = IdentityVerificationSerializer
    queryset = IdentityVerification.objects.none()
    http_method_names = ["get", "post", "head", "options"]
    selector = staticmethod(selectors.identity_verifications_for)
    service = staticmethod(services.identity_verify)


class HealthCheckViewSet(_EntryViewSet):
    """健康体检 with date and expiry."""

    serializer_class = HealthCheckSerializer
    queryset = HealthCheck.objects.none()


class TrainingRecordViewSet(_EntryViewSet):
    """培训记录 (岗前培训, 回炉培训)."""

    serializer_class = TrainingRecordSerializer
    queryset = TrainingRecord.objects.none()
    selector = staticmethod(selectors.trainings_for)
    service = staticmethod(services.training_record)


class SkillCertificateViewSet(_EntryViewSet):
    """职业技能证书."""

    serializer_class = SkillCertificateSerializer
    queryset = SkillCertificate.objects.none()
    selector = staticmethod(selectors.skill_certificates_for)
    service = staticmethod(services.skill_certificate_record)


class EmploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                        viewsets.GenericViewSet):
    """从业登记 (created through ``POST /workers/``; ended by setting ``ended_on``)."""

    serializer_class = EmploymentSerializer
    permission_classes = [FirmsWriteOthersRead]
    queryset = Employment.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.employments_for(self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.employment_update(actor=self.request.user, employment=serializer.instance,
                                                         **serializer.validated_data)


@extend_schema_view(create=extend_schema(responses={201: ServiceCardSerializer, 404: _NOT_FOUND, 409: _CONFLICT}))
class ServiceCardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    """居家上门服务证: issued per employment by its firm (or a regulator), revoked with a reason."""

    serializer_class = ServiceCardSerializer
    permission_classes = [FirmsWriteOthersRead]
    queryset = ServiceCard.objects.none()

    def get_queryset(self):
        return selectors.cards_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.card_issue(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=CardRevokeSerializer, summary="注销居家上门服务证",
                   responses={200: ServiceCardSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        card = self.get_object()
        body = CardRevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        card = services.card_revoke(actor=request.user, card=card, reason=body.validated_data["reason"])
        return Response(ServiceCardSerializer(card, context=self.get_serializer_context()).data)


def register(router) -> None:
    """The worker routes, added to the registry's router (entities/api/urls.py)."""
    router.register("workers/employments", EmploymentViewSet, basename="worker-employment")
    router.register("workers/identity-verifications", IdentityVerificationViewSet, basename="worker-identity")
    router.register("workers/health-checks", HealthCheckViewSet, basename="worker-health-check")
    router.register("workers/trainings", TrainingRecordViewSet, basename="worker-training")
    router.register("workers/skill-certificates", SkillCertificateViewSet, basename="worker-skill-certificate")
    router.register("workers/cards", ServiceCardViewSet, basename="worker-card")
    router.register("workers", WorkerViewSet, basename="worker")
