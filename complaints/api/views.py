"""Complaint, inspection, finding and plan endpoints: thin views over selectors and services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from complaints import attachment_services, planning, selectors, services, tracking_codes
from complaints.api.attachments import ComplaintFilingSerializer, ComplaintSubmittedSerializer
from complaints.api.serializers import (
    BusinessNoticeSerializer,
    ComplaintCreateSerializer,
    ComplaintEventSerializer,
    ComplaintSerializer,
    ComplaintTrackSerializer,
    FindingSerializer,
    InspectionPlanSerializer,
    InspectionSerializer,
    LinkSerializer,
    MediationSerializer,
    PlanDrawSerializer,
    PublicInspectionPlanSerializer,
    RectifySerializer,
    RegulatorComplaintSerializer,
    RejectSerializer,
    RespondSerializer,
    TransferSerializer,
    TransitionSerializer,
    ViolationTypeSerializer,
)
from complaints.documents import complaint_documents
from complaints.filtersets import ComplaintFilterSet, FindingFilterSet, InspectionFilterSet
from complaints.models import (
    Complaint,
    ComplaintEvent,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionPlanItem,
    MediationResult,
    ViolationType,
)
from config.api.idempotency import idempotent
from config.api.permissions import IsRegulator, RegulatorWritesOthersRead
from config.api.throttles import ComplaintCreateThrottle, PublicThrottle
from core.api.documents import ServedDocumentSerializer

_CONFLICT = OpenApiResponse(description="当前状态下不允许该操作")
_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")


def _transition_schema(summary: str, request=TransitionSerializer):
    return extend_schema(
        summary=summary, request=request,
        responses={200: RegulatorComplaintSerializer, 400: OpenApiResponse(description="缺少理由或结果"),
                   403: OpenApiResponse(description="无权执行"), 404: _NOT_FOUND, 409: _CONFLICT},
    )


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """投诉. Anyone may file (throttled); handling staff and the business see what their scope allows."""

    queryset = Complaint.objects.none()
    filterset_class = ComplaintFilterSet
    ordering_fields = ["id", "received_on", "accept_due", "resolve_due", "reply_due", "updated_at"]

    def get_queryset(self):
        return selectors.complaints_for(self.request.user)

    def get_permissions(self):
        if self.action == "create":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self):
        if self.action == "create":
            return [ComplaintCreateThrottle()]
        return super().get_throttles()

    def get_serializer_class(self):
        if self.action == "create":
            return ComplaintCreateSerializer
        user = self.request.user
        if user and user.is_authenticated and user.is_regulator:
            return RegulatorComplaintSerializer
        return ComplaintSerializer

    def get_parsers(self):
        # Filing also takes multipart/form-data, for its attachments (complaints/api/attachments.py).
        parsers = super().get_parsers()
        if getattr(self, "action_map", {}).get("post") == "create":
            parsers.append(MultiPartParser())
        return parsers

    @extend_schema(request=ComplaintFilingSerializer, responses={201: ComplaintSubmittedSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = ComplaintFilingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = attachment_services.complaint_submit(actor=request.user, **serializer.validated_data)
        complaint = Complaint.objects.select_related("subscription").prefetch_related("attachments").get(
            pk=complaint.pk)
        return Response(ComplaintSubmittedSerializer(complaint).data, status=status.HTTP_201_CREATED)

    def _answer(self, complaint: Complaint) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=complaint.pk)).data)

    def _body(self, request, serializer_class) -> dict:
        body = serializer_class(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _apply(self, request, action_name: str):
        complaint = self.get_object()
        arguments = self._body(request, TransitionSerializer)
        if action_name != "resolve":
            arguments.pop("outcome", None)  # only 办结 has an outcome
        complaint = services.COMPLAINT_STEPS[action_name](complaint_id=complaint.pk, actor=request.user, **arguments)
        return self._answer(complaint)

    def _require_staff(self, request) -> None:
        if not (request.user.is_regulator or request.user.is_inspector):
            raise PermissionDenied("只有监管或执法人员可以办理投诉。")

    @_transition_schema("受理（向投诉人制发受理通知书）")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        self._require_staff(request)
        return self._apply(request, "accept")

    @_transition_schema("不予受理（不予受理情形 ground 与理由 reason；制发不予受理通知书）", RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        self._require_staff(request)
        complaint = self.get_object()
        body = self._body(request, RejectSerializer)
        return self._answer(services.complaint_reject(complaint_id=complaint.pk, actor=request.user, **body))

    @_transition_schema("转办（写明承办部门；制发转办告知书）", TransferSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        self._require_staff(request)
        complaint = self.get_object()
        body = self._body(request, TransferSerializer)
        return self._answer(services.complaint_transfer(
            complaint_id=complaint.pk, actor=request.user, department=body["department"],
            contact=body["department_contact"], reason=body["reason"]))

    @_transition_schema("开始调查处理")
    @action(detail=True, methods=["post"])
    def start_investigation(self, request, pk=None):
        self._require_staff(request)
        return self._apply(request, "start_investigation")

    @_transition_schema("办结（须给出 outcome 与理由；mediated 须先登记调解书）")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        self._require_staff(request)
        return self._apply(request, "resolve")

    @_transition_schema("归档")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        self._require_staff(request)
        return self._apply(request, "close")

    @_transition_schema("撤回（监管人员代投诉人办理；投诉人用查询码撤回）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        if not request.user.is_regulator:
            raise PermissionDenied("投诉人请通过查询码撤回投诉。")
        return self._apply(request, "withdraw")

    @_transition_schema("超过 90 日的投诉决定受理（监管人员）")
    @action(detail=True, methods=["post"])
    def override_late_filing(self, request, pk=None):
        if not request.user.is_regulator:
            raise PermissionDenied("只有监管人员可以作出该决定。")
        return self._apply(request, "override_late_filing")

    @_transition_schema("向经营者制发答复通知书（可同时登记送达；答复期限自送达之日起 10 日）",
                        BusinessNoticeSerializer)
    @action(detail=True, methods=["post"], url_path="business_notice")
    def business_notice(self, request, pk=None):
        self._require_staff(request)
        complaint = self.get_object()
        body = self._body(request, BusinessNoticeSerializer)
        return self._answer(services.complaint_notify_business(complaint_id=complaint.pk, actor=request.user, **body))

    @_transition_schema("调解结果：调解书（协议内容、双方签署日期）或终止调解书（理由）", MediationSerializer)
    @action(detail=True, methods=["post"])
    def mediation(self, request, pk=None):
        self._require_staff(request)
        complaint = self.get_object()
        body = self._body(request, MediationSerializer)
        if body["result"] == MediationResult.AGREEMENT:
            complaint = services.complaint_mediation_agree(
                complaint_id=complaint.pk, actor=request.user, terms=body["terms"],
                complainant_signed_on=body["complainant_signed_on"], respondent_signed_on=body["respondent_signed_on"])
        else:
            complaint = services.complaint_mediation_terminate(complaint_id=complaint.pk, actor=request.user,
                                                               reason=body["reason"])
        return self._answer(complaint)

    @_transition_schema("关联登记的被投诉主体或自然人（entity 或 person 之一）", LinkSerializer)
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        self._require_staff(request)
        complaint = self.get_object()
        body = self._body(request, LinkSerializer)
        return self._answer(services.complaint_link_respondent(complaint_id=complaint.pk, actor=request.user, **body))

    @extend_schema(summary="经营者书面答复", request=RespondSerializer,
                   responses={200: ComplaintSerializer, 403: OpenApiResponse(description="非被投诉主体"),
                              404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        complaint = self.get_object()
        if not request.user.is_business:
            raise PermissionDenied("只有被投诉的经营者可以答复。")
        body = RespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = services.complaint_respond(complaint_id=complaint.pk, actor=request.user,
                                               statement=body.validated_data["statement"])
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(summary="流转记录", responses={200: ComplaintEventSerializer(many=True), 404: _NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        complaint = self.get_object()
        events = ComplaintEvent.objects.filter(complaint=complaint).order_by("id")
        data = ComplaintEventSerializer(events, many=True).data
        if not request.user.is_regulator:
            # Staff names are the regulator's business; the others see what happened and why.
            for row in data:
                row["actor_name"] = ""
        return Response(data)

    @extend_schema(summary="投诉文书（受理、不予受理、转办、答复通知书、调解书、终止调解书）",
                   responses={200: ServedDocumentSerializer(many=True), 404: _NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def documents(self, request, pk=None):
        complaint = self.get_object()
        return Response(ServedDocumentSerializer(complaint_documents(complaint.pk), many=True).data)


class ComplaintTrackViewSet(viewsets.GenericViewSet):
    """公众查询: follow a complaint by its tracking code (with the notices sent to the complainant), or withdraw it;
    no personal data. The page /complaints/track/<code>/ prints each notice."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]
    serializer_class = ComplaintTrackSerializer
    queryset = Complaint.objects.none()
    lookup_field = "tracking_code"
    lookup_value_regex = r"[A-Za-z0-9_\-]{8,40}"

    def get_object(self):
        queryset = Complaint.objects.select_related("entity").prefetch_related(
            Prefetch("events", queryset=ComplaintEvent.objects.order_by("id"))
        )
        return get_object_or_404(queryset, tracking_code__in=tracking_codes.candidates(self.kwargs["tracking_code"]))

    @extend_schema(summary="按查询码查看投诉办理进度", responses={200: ComplaintTrackSerializer, 404: _NOT_FOUND})
    def retrieve(self, request, tracking_code=None):
        return Response(ComplaintTrackSerializer(self.get_object()).data)

    @extend_schema(summary="投诉人凭查询码撤回投诉", request=TransitionSerializer,
                   responses={200: ComplaintTrackSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, tracking_code=None):
        complaint = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.complaint_withdraw(complaint_id=complaint.pk, actor=None, reason=body.validated_data["reason"])
        return Response(ComplaintTrackSerializer(self.get_object()).data)


class ViolationTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """违法行为目录: everyone signed in reads it, regulators maintain it."""

    serializer_class = ViolationTypeSerializer
    permission_classes = [RegulatorWritesOthersRead]
    queryset = ViolationType.objects.all()
    filterset_fields = ["sector", "default_severity", "active", "safety_related"]
    pagination_class = None


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """检查记录 with nested findings, written in one transaction by inspectors within their scope."""

    serializer_class = InspectionSerializer
    queryset = Inspection.objects.none()
    filterset_class = InspectionFilterSet
    ordering_fields = ["id", "inspected_on"]

    def get_queryset(self):
        return selectors.inspections_for(self.request.user)

    def create(self, request, *args, **kwargs):
        if not (request.user.is_inspector or request.user.is_regulator):
            raise PermissionDenied("只有执法检查人员可以录入检查。")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.inspection_create(actor=self.request.user, **data)


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """检查发现; rectification is recorded by the handling staff."""

    serializer_class = FindingSerializer
    queryset = Finding.objects.none()
    filterset_class = FindingFilterSet
    ordering_fields = ["id", "rectify_by", "rectified_on"]

    def get_queryset(self):
        return selectors.findings_for(self.request.user)

    @extend_schema(summary="登记整改完成", request=RectifySerializer,
                   responses={200: FindingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        finding = self.get_object()
        if not (request.user.is_inspector or request.user.is_regulator):
            raise PermissionDenied("整改完成由执法检查人员核实录入。")
        body = RectifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        finding = services.finding_rectify(finding_id=finding.pk, actor=request.user, **body.validated_data)
        return Response(FindingSerializer(finding).data)


def _items_prefetch(queryset=None):
    items = (queryset or InspectionPlanItem.objects.all()).select_related("entity").order_by("id")
    return Prefetch("items", queryset=items)


class InspectionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """双随机抽查计划 (regulators): draw, verify against the seed, publish."""

    serializer_class = InspectionPlanSerializer
    permission_classes = [IsRegulator]
    queryset = InspectionPlan.objects.none()
    filterset_fields = ["month", "region_prefix", "published"]

    def get_queryset(self):
        return InspectionPlan.objects.prefetch_related(_items_prefetch()).order_by("-month", "region_prefix")

    @extend_schema(summary="随机抽取检查对象", request=PlanDrawSerializer,
                   responses={201: InspectionPlanSerializer, 409: _CONFLICT})
    @action(detail=False, methods=["post"])
    def draw(self, request):
        body = PlanDrawSerializer(data=request.data, context={"request": request})  # campaign: in the caller's scope
        body.is_valid(raise_exception=True)
        plan = planning.plan_draw(**body.validated_data)
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(InspectionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="公开抽查计划", request=None, responses={200: InspectionPlanSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        plan = planning.plan_publish(plan_id=self.get_object().pk)
        return Response(InspectionPlanSerializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(summary="复核抽取结果", request=None, responses={200: inline_serializer(
        name="PlanVerification", fields={"valid": serializers.BooleanField(
            help_text="按记录的种子与对象范围复算的抽取结果与所存一致、且封记未被改动。")})})
    @action(detail=True, methods=["get"])
    def verify(self, request, pk=None):
        return Response({"valid": planning.plan_verify(plan=self.get_object())})


class PublicInspectionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """公开的抽查计划与结果 (双随机一公开)."""

    serializer_class = PublicInspectionPlanSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]
    queryset = InspectionPlan.objects.none()
    filterset_fields = ["month", "region_prefix"]

    def get_queryset(self):
        items = InspectionPlanItem.objects.select_related("entity", "inspection").prefetch_related(
            "inspection__findings"
        )
        return selectors.published_plans().prefetch_related(_items_prefetch(items))
