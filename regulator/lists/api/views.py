"""Lists endpoints: listings with due-process actions, objections, repair, import, licence checks, rule sets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.client import client_ip
from config.api.idempotency import idempotent
from config.api.pagination import StandardPagination
from config.api.permissions import IsRegulator, RegulatorWritesOthersRead
from config.api.throttles import PublicThrottle
from core import receipts
from core.api.documents import DeliverySerializer
from core.api.jobs import JobAcceptedSerializer, job_accepted
from regulator.lists import documents as listing_documents
from regulator.lists import import_jobs, imports, licence_checks, rules, selectors
from regulator.lists import services as listings
from regulator.lists.api.check_input import BatchLicenceCheckInput, LicenceCheckInput
from regulator.lists.api.import_serializers import ImportResultSerializer
from regulator.lists.api.serializers import (
    BATCH_LICENCE_CHECK_EXAMPLES,
    LICENCE_CHECK_EXAMPLES,
    BatchLicenceCheckAnswerSerializer,
    BatchLicenceCheckSerializer,
    DecisionSerializer,
    ImportRowSerializer,
    ImportSerializer,
    LicenceCheckAnswerSerializer,
    LicenceCheckSerializer,
    LicenceTypeSerializer,
    ListingMeasuresSerializer,
    ListingSerializer,
    NotifySerializer,
    ObjectionAnswerSerializer,
    ObjectionSerializer,
    RepairDecisionSerializer,
    RepairSerializer,
    ReviseSerializer,
    RuleSetSerializer,
)
from regulator.lists.filtersets import ListingFilterSet, RepairFilterSet
from regulator.lists.models import (
    Listing,
    Objection,
    RepairApplication,
    RuleSet,
)
from regulator.lists.selectors import data_version, rule_set_on

_CONFLICT = OpenApiResponse(description="与当前状态冲突（非法流转、告知书未送达、申辩期未满、申辩未答复、"
                                        "申辩已成立的同一事由、规则集缺少措施目录或救济途径）")


_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """名单记录. Regulators propose and move listings through due process; the listed business objects."""

    serializer_class = ListingSerializer
    queryset = Listing.objects.none()
    filterset_class = ListingFilterSet
    permission_classes = [RegulatorWritesOthersRead]
    ordering_fields = ["id", "decided_on", "published_on", "expires_on", "updated_at"]

    def get_queryset(self):
        return selectors.listings_for(self.request.user).select_related("notice_document", "decision_document")

    def get_permissions(self):
        if self.action == "objections" and self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        description="拟列入（手动）。同一主体、名单类型与事由已在程序中或已公示时 409。"
                    "支持 Idempotency-Key 请求头：重发同一请求得到第一次的答复。",
        responses={201: ListingSerializer, 409: OpenApiResponse(description="相同的拟列入已存在"),
                   422: OpenApiResponse(description="Idempotency-Key 已用于另一个请求")})
    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = listings.listing_propose(
            list_type=data["list_type"], subject_type=data["subject_type"], entity=data.get("entity"),
            person=data.get("person"), related_entity=data.get("related_entity"),
            person_role=data.get("person_role", ""), reason=data["reason"], legal_basis=data.get("legal_basis", ""),
            source_type="manual", actor=self.request.user,
        )

    def _step(self, request, action_name: str, **arguments):
        listing = listings.LISTING_STEPS[action_name](listing_id=self.get_object().pk, actor=request.user,
                                                      **arguments)
        return Response(ListingSerializer(listing).data)

    @staticmethod
    def _reason(request) -> str:
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        if not isinstance(reason, str) or len(reason) > 5000:
            raise serializers.ValidationError({"reason": [_("理由应为不超过 5000 字的文本。")]})
        return reason

    @extend_schema(summary="制发告知书", request=NotifySerializer,
                   responses={200: ListingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """制发告知书（文号自动编号）。陈述申辩期自告知书送达之日起算：送达登记见 notice-delivery/，
        或在 ``delivery`` 中同时登记（如当场送达）。"""
        body = NotifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(request, "notify", **body.validated_data)

    def _serve(self, request, document: str):
        body = DeliverySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        listing = listings.listing_document_serve(listing_id=self.get_object().pk, document=document,
                                                  actor=request.user, **body.validated_data)
        return Response(ListingSerializer(self.get_queryset().get(pk=listing.pk)).data)

    @extend_schema(summary="登记告知书送达", request=DeliverySerializer, responses={
        200: ListingSerializer, 400: OpenApiResponse(description="送达方式或日期不合法"), 404: _NOT_FOUND,
        409: OpenApiResponse(description="已登记送达或尚无告知书")})
    @action(detail=True, methods=["post"], url_path="notice-delivery")
    def notice_delivery(self, request, pk=None):
        """登记告知书送达：方式与送达日期（公告送达填公告日期，经规则集规定的期间视为送达）；申辩期自送达日起算。"""
        return self._serve(request, "notice")

    @extend_schema(summary="登记认定决定书送达", request=DeliverySerializer, responses={
        200: ListingSerializer, 400: OpenApiResponse(description="送达方式或日期不合法"), 404: _NOT_FOUND,
        409: OpenApiResponse(description="已登记送达或尚无决定书")})
    @action(detail=True, methods=["post"], url_path="decision-delivery")
    def decision_delivery(self, request, pk=None):
        """登记认定决定书送达。"""
        return self._serve(request, "decision")

    @extend_schema(summary="修改拟列入的事由或依据", request=ReviseSerializer, responses={200: ListingSerializer, 400: OpenApiResponse(
        description="未修改事由或依据"), 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """修改拟列入的事由或法律依据（申辩成立退回后），之后重新制发告知书。"""
        body = ReviseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(request, "revise", **body.validated_data)

    @extend_schema(summary="认定决定", request=DecisionSerializer,
                   responses={200: ListingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """认定决定：制发认定决定书（文号即决定书文号），载明事由、依据、措施（措施目录代码）、期限与规则集的救济途径。
        告知书未送达、申辩期内或有未答复申辩时 409。"""
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {key: value for key, value in body.validated_data.items()
                if key not in ("appeal_routes", "decision_number")}
        return self._step(request, "decide", **data)

    @extend_schema(summary="可选措施、救济途径与期限", responses={200: ListingMeasuresSerializer, 404: _NOT_FOUND})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def measures(self, request, pk=None):
        """今日施行的规则集中，该名单可选的信用管理措施、救济途径、最长期限与陈述申辩期。"""
        from django.utils import timezone

        listing = self.get_object()
        document = rule_set_on(timezone.localdate()).document
        sector, category = listing_documents.subject_kind(listing)
        return Response({
            "measures": rules.measures_for(document, listing.list_type),
            "appeal_routes": rules.appeal_routes(document),
            "period_days_max": rules.period_days(document, listing.list_type, sector=sector, category=category),
            "objection_working_days": rules.objection_working_days(document, sector=sector, category=category),
        })

    @extend_schema(summary="公示", request=None, responses={200: ListingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """公示：进入公众查询与开放数据；期限自认定之日起算。"""
        return self._step(request, "publish")

    @extend_schema(summary="移出名单", request=None, responses={
        200: ListingSerializer, 400: OpenApiResponse(description="缺少理由"), 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """移出（依据撤销或变更、法律政策调整），须说明理由。"""
        return self._step(request, "remove", reason=self._reason(request))

    @extend_schema(summary="公示前撤回", request=None, responses={
        200: ListingSerializer, 400: OpenApiResponse(description="缺少理由"), 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """公示前撤回，须说明理由。"""
        return self._step(request, "withdraw", reason=self._reason(request))

    @extend_schema(methods=["GET"], summary="该名单的陈述申辩",
                   responses={200: ObjectionSerializer(many=True), 404: _NOT_FOUND})
    @extend_schema(methods=["POST"], summary="提出陈述申辩", request=ObjectionSerializer,
                   responses={201: ObjectionSerializer,
                              200: OpenApiResponse(ObjectionSerializer, description="修改了未答复的申辩"),
                              403: OpenApiResponse(description="非被列入主体，亦非监管人员"), 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def objections(self, request, pk=None):
        """陈述申辩：被列入的主体在申辩期内提出（201）；申辩未答复前再次提出即修改该申辩（200，记入流转记录）。
        监管人员可为任何主体（含自然人、导入名单的自然人）登记书面申辩，须填写收到日期 received_on（在申辩期内）。"""
        listing = self.get_object()
        if request.method == "GET":
            return Response(ObjectionSerializer(listing.objections.order_by("id"), many=True).data)
        body = ObjectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        objection = listings.objection_file(listing_id=listing.pk, actor=request.user, statement=data["statement"],
                                            received_on=data.get("received_on"),
                                            objector_name=data.get("objector_name", ""))
        answer = status.HTTP_200_OK if getattr(objection, "amended", False) else status.HTTP_201_CREATED
        return Response(ObjectionSerializer(objection).data, status=answer)

    @extend_schema(
        summary="导入其他部门认定的名单", request=ImportSerializer,
        responses={200: ImportResultSerializer,
                   202: OpenApiResponse(JobAcceptedSerializer, description="已受理为后台任务：GET job.url 查看进度与结果"),
                   400: OpenApiResponse(description="逐行报告 {\"rows\": {\"序号\": {\"字段\": [...]}}}，未导入任何记录")})
    @action(detail=False, methods=["post"], url_path="import", permission_classes=[IsRegulator])
    def import_listings(self, request):
        """导入其他部门已认定的名单（幂等：source_authority + source_reference；全部校验通过才写入）。

        请求体为记录的 JSON 数组或 ``{"rows": [...]}``。不超过 LISTING_IMPORT_SYNC_MAX_ROWS 条（默认 200）
        即时写入并答复 200；更多条（至多 10000 条）校验格式后答复 202 ``{"job": {"id", "url"}}``，
        由后台任务校验与写入，进度、逐行报告与结果见 ``GET /api/v1/jobs/<id>/``。"""
        data = request.data
        rows = data if isinstance(data, list) else data.get("rows") if isinstance(data, dict) else None
        if isinstance(rows, list) and len(rows) > import_jobs.sync_max_rows():
            job = import_jobs.listings_import_submit(
                rows, actor=request.user, endpoint=f"{request.method} {request.path}"[:300],
                client_ip=client_ip(request), fields=tuple(ImportRowSerializer().fields))
            body = job_accepted(job, request)
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["job"]["url"]})
        body = ImportSerializer(data={"rows": rows} if isinstance(data, list) else data)
        body.is_valid(raise_exception=True)
        return Response(imports.listings_import(body.validated_data["rows"], actor=request.user))


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObjectionSerializer
    queryset = Objection.objects.none()
    filterset_fields = ["listing"]

    def get_queryset(self):
        return selectors.objections_for(self.request.user).order_by("id")

    @extend_schema(summary="答复陈述申辩", request=ObjectionAnswerSerializer,
                   responses={200: ObjectionSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[IsRegulator])
    def answer(self, request, pk=None):
        """答复申辩。申辩成立（upheld）须选择 outcome：withdraw 撤回、终止程序；revise 退回拟列入、修改后重新告知。"""
        body = ObjectionAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objection = listings.objection_answer(objection_id=self.get_object().pk, actor=request.user,
                                              **body.validated_data)
        return Response(ObjectionSerializer(objection).data)


class RepairApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                               viewsets.GenericViewSet):
    """信用修复申请: the listed business applies; a regulator decides within the deadline."""

    serializer_class = RepairSerializer
    queryset = RepairApplication.objects.none()
    filterset_class = RepairFilterSet

    def get_queryset(self):
        # Repairs of listings and of penalties' publicity in the caller's scope.
        return (selectors.repairs_for(self.request.user)
                .select_related("decision_document").order_by("-id"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        listing, finding = data.get("listing"), data.get("finding")
        serializer.instance = listings.repair_application_file(
            listing_id=listing.pk if listing else None, finding_id=finding.pk if finding else None,
            actor=self.request.user, statement=data["statement"],
            # commitment is optional in the body (the model's default, False): the service says when it is needed.
            evidence=data["evidence"], commitment=data.get("commitment", False),
            training_record=data.get("training_record", ""), filed_on=data.get("filed_on"),
            applicant_name=data.get("applicant_name", ""),
        )

    @extend_schema(summary="信用修复决定", request=RepairDecisionSerializer,
                   responses={200: RepairSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[IsRegulator])
    def decide(self, request, pk=None):
        """准予或不予修复（须说明理由），制发信用修复决定书。"""
        body = RepairDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = listings.repair_application_decide(application_id=self.get_object().pk, actor=request.user,
                                             **body.validated_data)
        return Response(RepairSerializer(application).data)


def _answer(data: dict, result: dict, terms: dict, version: int) -> dict:
    query = {key: value for key, value in data.items() if key != "person_id_numbers"}
    query["persons"] = len(data.get("person_id_numbers") or [])
    # ``licence_type_name`` sits beside the signed result (whose digest covers exactly licence_check's answer).
    return {**result, "licence_type_name": terms["question"]["licence_type_name"], "data_version": version,
            "receipt": receipts.issue(kind="licence_check", query=query, result=result, as_of=result["as_of"],
                                      version=version, **terms)}


def _run_checks(items: list[dict]) -> list[dict]:
    """Every check answered over one load of the facts, at one data version, each with its own receipt."""
    answers = licence_checks.licence_checks_batch_explained(items)
    version = data_version()
    return [_answer(data, result, terms, version) for data, (result, terms) in zip(items, answers, strict=True)]


_UNKNOWN_LICENCE_TYPE = OpenApiResponse(description="输入不合法，例如未知的许可类型（licence_type，批量时按序号给出）")


@extend_schema(summary="许可类型目录")
class LicenceTypeView(generics.ListAPIView):
    """许可类型目录: the licence types a licence check knows (code, Chinese name, sector); any other is a 400.

    Public (the catalogue is no secret, and other departments validate against it), throttled like the public API.
    """

    serializer_class = LicenceTypeSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]
    pagination_class = StandardPagination
    filter_backends: list = []

    def get_queryset(self):
        return licence_checks.licence_type_catalogue()


class LicenceCheckView(APIView):
    """许可核查 (regulators and inspectors): allowed, with every blocking listing, and a signed receipt."""

    @extend_schema(summary="许可核查", request=LicenceCheckSerializer, examples=LICENCE_CHECK_EXAMPLES, responses={
        200: LicenceCheckAnswerSerializer, 400: _UNKNOWN_LICENCE_TYPE})
    def post(self, request):
        if not (request.user.is_regulator or request.user.is_inspector):
            raise PermissionDenied(_("许可核查由监管或审批人员发起。"))
        body = LicenceCheckInput(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(_run_checks([body.validated_data])[0])


class BatchLicenceCheckView(APIView):
    """Up to 1,000 applicants in one call; each answer carries its own receipt."""

    @extend_schema(summary="批量许可核查", request=BatchLicenceCheckSerializer, examples=BATCH_LICENCE_CHECK_EXAMPLES,
                   responses={200: BatchLicenceCheckAnswerSerializer, 400: _UNKNOWN_LICENCE_TYPE})
    def post(self, request):
        if not (request.user.is_regulator or request.user.is_inspector):
            raise PermissionDenied(_("许可核查由监管或审批人员发起。"))
        body = BatchLicenceCheckInput(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"results": _run_checks(body.validated_data["checks"])})


class RuleSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """名单规则集 (dated, never edited: a change is a new set with its effective date)."""

    serializer_class = RuleSetSerializer
    permission_classes = [IsRegulator]
    queryset = RuleSet.objects.all().order_by("-effective_from")

    def perform_create(self, serializer):
        rule_set = RuleSet(created_by=self.request.user, **serializer.validated_data)
        rule_set.full_clean()
        rule_set.save()
        serializer.instance = rule_set

    @extend_schema(summary="今日施行的规则集", responses={200: RuleSetSerializer})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def current(self, request):
        from django.utils import timezone

        return Response(RuleSetSerializer(rule_set_on(timezone.localdate())).data)
