"""Lists endpoints: listings with due-process actions, objections, repair, import, licence checks, rule sets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.permissions import IsRegulator, RegulatorWritesOthersRead
from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from core import receipts
from entities.models import Entity, Person
from entities.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)
from regulator.lists import imports, licence_checks, selectors
from regulator.lists import services as listings
from regulator.lists.filtersets import ListingFilterSet, RepairFilterSet
from regulator.lists.models import (
    Listing,
    ListType,
    Objection,
    RepairApplication,
    RuleSet,
    SubjectType,
)
from regulator.lists.selectors import data_version, rule_set_on

_CONFLICT = OpenApiResponse(description="与当前状态冲突（非法流转、申辩期未满、申辩未答复）")
_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")


class ObjectionSerializer(ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "listing", "statement", "filed_at", "answer", "upheld", "answered_at"]
        read_only_fields = ["id", "listing", "filed_at", "answer", "upheld", "answered_at"]


class ObjectionAnswerSerializer(Serializer):
    answer = serializers.CharField(max_length=10000)
    upheld = serializers.BooleanField()


class ListingSerializer(ModelSerializer):
    entity = serializers.PrimaryKeyRelatedField(queryset=Entity.objects.all(), required=False, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    source = serializers.SerializerMethodField()
    restrictions = serializers.SerializerMethodField()
    subject_name = serializers.CharField(read_only=True)
    rule_set_version = serializers.IntegerField(source="rule_set.version", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id", "list_type", "subject_type", "entity", "person", "subject_name", "related_entity", "person_role",
            "reason", "legal_basis", "source", "source_type", "source_id", "source_rule", "status",
            "rule_set_version", "period_days", "notified_on", "objection_due", "decided_on", "decision_number",
            "measures", "appeal_routes", "published_on", "expires_on", "ended_on", "end_reason",
            "source_authority", "source_reference", "restrictions", "created_at", "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in {"list_type", "subject_type", "entity", "person",
                                                           "related_entity", "person_role", "reason",
                                                           "legal_basis"}]
        # Uniqueness of open proposals is the database's job (answered 409 by the service), not a required field.
        validators: list = []
        extra_kwargs = {"legal_basis": {"required": False, "allow_blank": True},
                        "related_entity": {"required": False, "allow_null": True},
                        "person_role": {"required": False, "allow_blank": True}}

    def get_source(self, listing: Listing) -> dict:
        return {"type": listing.source_type, "id": listing.source_id, "rule": listing.source_rule,
                "authority": listing.source_authority or None}

    def get_restrictions(self, listing: Listing) -> list[dict]:
        role = "entity" if listing.subject_type == SubjectType.ENTITY else (listing.person_role or "practitioner")
        return [
            {"licence_types": item["licence_types"], "effect": item["effect"], "basis": item.get("basis", ""),
             "until": listing.expires_on}
            for item in listing.rule_set.document.get("restrictions", [])
            if item["list_type"] == listing.list_type and role in item["subject_roles"]
        ]


class DecisionSerializer(Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    appeal_routes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    decision_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    period_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class ImportRowSerializer(Serializer):
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=32, write_only=True)
    name = serializers.CharField(max_length=200)
    list_type = serializers.ChoiceField(choices=ListType.choices)
    reason = serializers.CharField(max_length=5000)
    legal_basis = serializers.CharField(max_length=500)
    decided_on = serializers.DateField()
    published_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    source_authority = serializers.CharField(max_length=200)
    source_reference = serializers.CharField(max_length=200)
    decision_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    measures = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.CharField(required=False, allow_blank=True, max_length=40)
    region_code = serializers.CharField(required=False, allow_blank=True, max_length=6)


class ImportSerializer(Serializer):
    rows = ImportRowSerializer(many=True, allow_empty=False, max_length=imports.MAX_ROWS)


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """名单记录. Regulators propose and move listings through due process; the listed business objects."""

    serializer_class = ListingSerializer
    queryset = Listing.objects.none()
    filterset_class = ListingFilterSet
    permission_classes = [RegulatorWritesOthersRead]
    ordering_fields = ["id", "decided_on", "published_on", "expires_on", "updated_at"]

    def get_queryset(self):
        return selectors.listings_for(self.request.user)

    def get_permissions(self):
        if self.action == "objections" and self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

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

    @extend_schema(request=None, responses={200: ListingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """送达告知书；陈述申辩期开始（工作日）。"""
        return self._step(request, "notify")

    @extend_schema(request=DecisionSerializer, responses={200: ListingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """认定决定：理由、依据、措施、期限与救济途径。申辩期内或有未答复申辩时 409。"""
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(request, "decide", **body.validated_data)

    @extend_schema(request=None, responses={200: ListingSerializer, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """公示：进入公众查询与开放数据；期限自认定之日起算。"""
        return self._step(request, "publish")

    @extend_schema(request=None, responses={200: ListingSerializer, 400: OpenApiResponse(description="缺少理由"),
                                            404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """移出（依据撤销或变更、法律政策调整），须说明理由。"""
        return self._step(request, "remove", reason=self._reason(request))

    @extend_schema(request=None, responses={200: ListingSerializer, 400: OpenApiResponse(description="缺少理由"),
                                            404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """公示前撤回，须说明理由。"""
        return self._step(request, "withdraw", reason=self._reason(request))

    @extend_schema(methods=["GET"], responses={200: ObjectionSerializer(many=True), 404: _NOT_FOUND})
    @extend_schema(methods=["POST"], request=ObjectionSerializer,
                   responses={201: ObjectionSerializer, 403: OpenApiResponse(description="非被列入主体"),
                              404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def objections(self, request, pk=None):
        """陈述申辩：被列入的主体在申辩期内提出；监管人员答复。"""
        listing = self.get_object()
        if request.method == "GET":
            return Response(ObjectionSerializer(listing.objections.order_by("id"), many=True).data)
        body = ObjectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objection = listings.objection_file(listing_id=listing.pk, actor=request.user,
                                            statement=body.validated_data["statement"])
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImportSerializer, responses={200: OpenApiResponse(description="created / existing per row")})
    @action(detail=False, methods=["post"], url_path="import", permission_classes=[IsRegulator])
    def import_listings(self, request):
        """导入其他部门已认定的名单（幂等：source_authority + source_reference）。"""
        body = ImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(imports.import_rows(body.validated_data["rows"], actor=request.user))


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ObjectionSerializer
    queryset = Objection.objects.none()
    filterset_fields = ["listing"]

    def get_queryset(self):
        return selectors.objections_for(self.request.user).order_by("id")

    @extend_schema(request=ObjectionAnswerSerializer, responses={200: ObjectionSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[IsRegulator])
    def answer(self, request, pk=None):
        body = ObjectionAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objection = listings.objection_answer(objection_id=self.get_object().pk, actor=request.user,
                                              **body.validated_data)
        return Response(ObjectionSerializer(objection).data)


class RepairSerializer(ModelSerializer):
    listing = ScopedPrimaryKeyRelatedField(selectors.listings_for)
    evidence = serializers.ListField(child=serializers.CharField(max_length=500), max_length=50, allow_empty=True)

    class Meta:
        model = RepairApplication
        fields = ["id", "listing", "statement", "evidence", "commitment", "training_record", "status", "filed_on",
                  "decision_due", "decided_on", "decision_reason"]
        read_only_fields = ["id", "status", "filed_on", "decision_due", "decided_on", "decision_reason"]
        # One open application per listing is a state conflict the service answers 409 (repair_pending),
        # not a field error DRF would derive from the partial UniqueConstraint.
        validators: list = []


class RepairDecisionSerializer(Serializer):
    grant = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000)


class RepairApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                               viewsets.GenericViewSet):
    """信用修复申请: the listed business applies; a regulator decides within the deadline."""

    serializer_class = RepairSerializer
    queryset = RepairApplication.objects.none()
    filterset_class = RepairFilterSet

    def get_queryset(self):
        return selectors.repairs_for(self.request.user).order_by("-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = listings.repair_application_file(
            listing_id=data["listing"].pk, actor=self.request.user, statement=data["statement"],
            # commitment is optional in the body (the model's default, False): the service says when it is needed.
            evidence=data["evidence"], commitment=data.get("commitment", False),
            training_record=data.get("training_record", ""),
        )

    @extend_schema(request=RepairDecisionSerializer, responses={200: RepairSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[IsRegulator])
    def decide(self, request, pk=None):
        """准予或不予修复（须说明理由）。"""
        body = RepairDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = listings.repair_application_decide(application_id=self.get_object().pk, actor=request.user,
                                             **body.validated_data)
        return Response(RepairSerializer(application).data)


class LicenceCheckSerializer(Serializer):
    licence_type = serializers.RegexField(r"^[a-z0-9_]{2,40}$")
    applicant_credit_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    person_id_numbers = serializers.ListField(child=serializers.CharField(max_length=32), required=False,
                                              max_length=50, default=list)
    as_of = serializers.DateField(required=False)

    def validate_applicant_credit_code(self, value: str) -> str:
        value = normalize_credit_code(value)
        if value:
            validate_credit_code(value)
        return value

    def validate_person_id_numbers(self, value: list[str]) -> list[str]:
        from django.core.exceptions import ValidationError as DjangoValidationError

        cleaned, errors = [], []
        for number in value:
            try:
                validate_id_number(normalize_id_number(number))
                cleaned.append(normalize_id_number(number))
            except DjangoValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def validate(self, attrs):
        if not attrs.get("applicant_credit_code") and not attrs.get("person_id_numbers"):
            raise serializers.ValidationError({"applicant_credit_code": [_("须给出申请主体或申请人身份证号。")]})
        return attrs


class BatchLicenceCheckSerializer(Serializer):
    checks = LicenceCheckSerializer(many=True, allow_empty=False, max_length=1000)


def _run_check(data: dict) -> dict:
    result = licence_checks.check(**data)
    query = {key: value for key, value in data.items() if key != "person_id_numbers"}
    query["persons"] = len(data.get("person_id_numbers") or [])
    version = data_version()
    return {**result, "data_version": version,
            "receipt": receipts.issue(kind="licence_check", query=query, result=result, as_of=result["as_of"],
                                      version=version)}


class LicenceCheckView(APIView):
    """许可核查 (regulators and inspectors): allowed, with every blocking listing, and a signed receipt."""

    @extend_schema(request=LicenceCheckSerializer, responses={200: OpenApiResponse(description="allowed, blocking, receipt")})
    def post(self, request):
        if not (request.user.is_regulator or request.user.is_inspector):
            raise PermissionDenied(_("许可核查由监管或审批人员发起。"))
        body = LicenceCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(_run_check(body.validated_data))


class BatchLicenceCheckView(APIView):
    """Up to 1,000 applicants in one call; each answer carries its own receipt."""

    @extend_schema(request=BatchLicenceCheckSerializer, responses={200: OpenApiResponse(description="results")})
    def post(self, request):
        if not (request.user.is_regulator or request.user.is_inspector):
            raise PermissionDenied(_("许可核查由监管或审批人员发起。"))
        body = BatchLicenceCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"results": [_run_check(item) for item in body.validated_data["checks"]]})


class RuleSetSerializer(ModelSerializer):
    class Meta:
        model = RuleSet
        fields = ["id", "version", "name", "effective_from", "document", "created_at"]
        read_only_fields = ["id", "created_at"]


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

    @extend_schema(responses={200: RuleSetSerializer})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def current(self, request):
        from django.utils import timezone

        return Response(RuleSetSerializer(rule_set_on(timezone.localdate())).data)
