"""联合奖惩核查 and the licence check as department clients reach them (``Authorization: Api-Key``).

``POST /api/v1/measures-checks/`` and ``/batch/`` (staff, and clients with ``measures-check``); the licence
check views as before for staff, and for clients with ``licence-check``; ``GET /api/v1/measures/`` the catalogue.
Every client request is in its query log (``core.authentication_clients.ClientQueryLogMixin``); a client without
``lists:read`` gets every row that rests on a watch listing reduced to its effect (``withheld``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import DateField, Serializer
from config.api.throttles import PublicThrottle
from core import receipts
from core.authentication_clients import ClientQueryLogMixin, StaffOrClient, client_of, receipt_id
from core.models import ClientScope
from entities.services import id_number_hash
from entities.validators import mask_id_number
from regulator.lists import licence_checks, measures
from regulator.lists.api import views as lists_views
from regulator.lists.api.check_input import BatchLicenceCheckInput, FastIdNumbersMixin, LicenceCheckInput
from regulator.lists.api.serializers import BatchLicenceCheckSerializer, LicenceCheckSerializer
from regulator.lists.selectors import data_version, rule_set_on, rule_sets

_TAGS = ["lists"]
_BAD_INPUT = OpenApiResponse(description="输入不合法，例如未知的措施（measure，批量时按序号给出）")
_REFUSED = OpenApiResponse(description="非监管、检查人员，或部门客户端不在 IP 白名单内、没有相应权限")
_LOG_DOWN = OpenApiResponse(description="查询记录无法写入，本次不予答复（部门客户端）")


class MeasureCheckSerializer(FastIdNumbersMixin, LicenceCheckSerializer):
    licence_type = None
    measure = serializers.CharField(max_length=64, help_text=_(
        "措施代码：许可类型（GET /api/v1/licence-types/）或规则集联合奖惩措施目录中的代码（GET /api/v1/measures/）。"))


class BatchMeasureCheckSerializer(BatchLicenceCheckSerializer):
    checks = MeasureCheckSerializer(many=True, allow_empty=False, max_length=1000)


class MeasureRowSerializer(Serializer):
    listing_id = serializers.IntegerField(allow_null=True)
    finding_id = serializers.IntegerField(allow_null=True, required=False)
    list_type = serializers.CharField(allow_null=True)
    subject = serializers.CharField(allow_blank=True)
    subject_role = serializers.CharField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    basis = serializers.CharField(allow_blank=True, required=False, help_text=_("该措施的依据（规则集载明）。"))
    restriction = serializers.CharField(allow_blank=True, required=False, help_text=_("许可限制的依据。"))
    effect = serializers.CharField(help_text=_("deny（限制）、warn（从严审查）或 reward（激励）。"))
    withheld = serializers.BooleanField(required=False, help_text=_(
        "为 true 时该行出自重点关注名单，客户端无 lists:read 权限，详情不予提供。"))


class MeasureCheckAnswerSerializer(Serializer):
    measure = serializers.CharField()
    measure_name = serializers.CharField()
    kind = serializers.CharField(help_text=_("licence、funding、procurement、award、name_change 或 reward。"))
    as_of = serializers.DateField()
    allowed = serializers.BooleanField()
    blocking = MeasureRowSerializer(many=True)
    warnings = MeasureRowSerializer(many=True)
    rewards = MeasureRowSerializer(many=True)
    unknown = serializers.ListField(child=serializers.CharField())
    data_version = serializers.IntegerField()
    receipt = serializers.DictField(help_text=_("签名回执（payload、signature、jws……），可在 /api/v1/public/receipts/verify/ 核验。"))


class BatchMeasureCheckAnswerSerializer(Serializer):
    results = MeasureCheckAnswerSerializer(many=True)


class MeasureSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    basis = serializers.CharField(allow_blank=True)
    bindings = serializers.ListField(child=serializers.DictField(), help_text=_(
        "[{list_types, subject_roles, effect, basis?, period_days?}]"))


# ------------------------------------------------------------------ the log and the watch list

def _asked(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """What was asked, ID numbers as masked form and keyed hash only."""
    return {"items": [{"question": item.get(key, ""), "applicant_credit_code": item.get("applicant_credit_code") or "",
                       "persons_masked": [mask_id_number(n) for n in item.get("person_id_numbers") or []],
                       "persons_hash": [id_number_hash(n) for n in item.get("person_id_numbers") or []],
                       "as_of": str(item["as_of"]) if item.get("as_of") else ""} for item in items]}


class _ClientChecks(ClientQueryLogMixin):
    """The log row of a check: every item asked, each answer in words with its receipt's id."""

    _logged: tuple[dict, dict, list[str], int] | None = None

    def client_query_summary(self, request, response):
        if self._logged is not None and response.status_code == 200:
            return self._logged
        return super().client_query_summary(request, response)

    def _log(self, items: list[dict[str, Any]], key: str, answers: list[dict[str, Any]], words: list[str]) -> None:
        ids = [receipt_id(answer["receipt"]) for answer in answers]
        answered = {"items": [{"allowed": answer["allowed"], "text": text, "receipt_id": rid}
                              for answer, text, rid in zip(answers, words, ids, strict=True)]}
        self._logged = (_asked(items, key), answered, ids, len(items))


def _sees_watch_list(request) -> bool:
    client = client_of(request)
    return client is None or client.has_scope(ClientScope.LISTS_READ)


def _query(data: dict[str, Any]) -> dict[str, Any]:
    query = {key: value for key, value in data.items() if key != "person_id_numbers"}
    query["persons"] = len(data.get("person_id_numbers") or [])
    return query


def _answers(request, items: list[dict[str, Any]], explain, *, kind: str, words_of, fields_of=None,
             ) -> tuple[list[dict[str, Any]], list[str]]:
    """Answers with their receipts, from ``explain(items)`` (one load of the facts for all), the data version read
    first; for a client without ``lists:read`` the watch-list rows are withheld and the words said again
    (``words_of(result, terms)``). ``fields_of(terms)`` adds fields of the kind's answer."""
    answers, words = [], []
    version = data_version()
    full = _sees_watch_list(request)
    for data, (result, terms) in zip(items, explain(items), strict=True):
        if not full:
            result, changed = measures.watch_rows_withheld(result)
            if changed:
                terms = {**terms, "result_text": words_of(result, terms)}
        answers.append({**result, **(fields_of(terms) if fields_of else {}), "data_version": version,
                        "receipt": receipts.issue(kind=kind, query=_query(data), result=result, as_of=result["as_of"],
                                                  version=version, **terms)})
        words.append(terms["result_text"])
    return answers, words


def _measure_answers(request, items: list[dict[str, Any]], *, batch: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """The measures refused when unknown (``_measure_errors``), then answered, over one read of the rule sets."""
    sets = rule_sets()
    _measure_errors(items, batch=batch, sets=sets)
    return _answers(request, items, lambda items: measures.measures_checks_batch_explained(
                        items, sets=sets, checked=True), kind="measures_check",
                    words_of=lambda result, _terms: measures.result_words(result))


def _licence_answers(request, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The licence check's answers (as ``regulator.lists.api.views`` gives them), watch rows withheld if need be."""
    def name(terms):
        return terms["question"]["licence_type_name"]

    return _answers(request, items, licence_checks.licence_checks_batch_explained, kind="licence_check",
                    words_of=lambda result, terms: measures.result_words(
                        {**result, "measure_name": name(terms), "kind": "licence", "rewards": []}),
                    fields_of=lambda terms: {"licence_type_name": name(terms)})


def _measure_errors(items: list[dict[str, Any]], *, batch: bool, sets: list | None = None) -> None:
    errors = measures.measure_errors(items, sets=sets)
    if errors and batch:
        raise serializers.ValidationError({"checks": {str(i): {"measure": [text]} for i, text in errors.items()}})
    if errors:
        raise serializers.ValidationError({"measure": [errors[min(errors)]]})


# ------------------------------------------------------------------ views

class MeasureCheckView(_ClientChecks, APIView):
    """联合奖惩核查: every binding reason and reward for one applicant and measure, with a signed receipt."""

    permission_classes = [StaffOrClient]
    client_scopes = {"POST": ClientScope.MEASURES_CHECK.value}

    @extend_schema(tags=_TAGS, summary="联合奖惩核查", request=MeasureCheckSerializer, responses={
        200: MeasureCheckAnswerSerializer, 400: _BAD_INPUT, 403: _REFUSED, 503: _LOG_DOWN})
    def post(self, request):
        body = MeasureCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = [body.validated_data]
        answers, words = _measure_answers(request, items, batch=False)
        self._log(items, "measure", answers, words)
        return Response(answers[0])


class BatchMeasureCheckView(_ClientChecks, APIView):
    """Up to 1,000 applicants in one call, over one load of the facts; each answer with its own receipt."""

    permission_classes = [StaffOrClient]
    client_scopes = {"POST": ClientScope.MEASURES_CHECK.value}

    @extend_schema(tags=_TAGS, summary="批量联合奖惩核查", request=BatchMeasureCheckSerializer, responses={
        200: BatchMeasureCheckAnswerSerializer, 400: _BAD_INPUT, 403: _REFUSED, 503: _LOG_DOWN})
    def post(self, request):
        body = BatchMeasureCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = body.validated_data["checks"]
        answers, words = _measure_answers(request, items, batch=True)
        self._log(items, "measure", answers, words)
        return Response({"results": answers})


class MeasureCatalogueView(APIView):
    """措施目录: every measure a check knows on a day (licence types and the rule set's joint measures)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    @extend_schema(tags=_TAGS, summary="联合奖惩措施目录", parameters=[OpenApiParameter(
        "as_of", str, description="日期（默认今日）：该日施行的规则集的目录")],
        responses={200: MeasureSerializer(many=True), 400: OpenApiResponse(description="日期不合法（as_of）")})
    def get(self, request):
        field = DateField()
        raw = request.query_params.get("as_of")
        try:
            day = field.run_validation(raw) if raw else timezone.localdate()
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"as_of": exc.detail}) from exc
        return Response(MeasureSerializer(measures.measure_catalogue(rule_set_on(day).document), many=True).data)


def _copy_schema(view: type[APIView], method) -> Any:
    """The staff view's documented schema for the same operation (its own ``extend_schema``)."""
    schema = getattr(getattr(view, "post", None), "kwargs", None)
    if schema is not None:
        method.kwargs = dict(schema)
    return method


class LicenceCheckView(_ClientChecks, lists_views.LicenceCheckView):
    """许可核查: staff exactly as ``regulator.lists.api.views.LicenceCheckView``; clients with ``licence-check``."""

    permission_classes = [StaffOrClient]
    client_scopes = {"POST": ClientScope.LICENCE_CHECK.value}

    def post(self, request):
        if client_of(request) is None:
            return super().post(request)
        body = LicenceCheckInput(data=request.data)
        body.is_valid(raise_exception=True)
        answers, words = _licence_answers(request, [body.validated_data])
        self._log([body.validated_data], "licence_type", answers, words)
        return Response(answers[0])

    post = _copy_schema(lists_views.LicenceCheckView, post)


class BatchLicenceCheckView(_ClientChecks, lists_views.BatchLicenceCheckView):
    """批量许可核查: staff as before; clients with ``licence-check``."""

    permission_classes = [StaffOrClient]
    client_scopes = {"POST": ClientScope.LICENCE_CHECK.value}

    def post(self, request):
        if client_of(request) is None:
            return super().post(request)
        body = BatchLicenceCheckInput(data=request.data)
        body.is_valid(raise_exception=True)
        items = body.validated_data["checks"]
        answers, words = _licence_answers(request, items)
        self._log(items, "licence_type", answers, words)
        return Response({"results": answers})

    post = _copy_schema(lists_views.BatchLicenceCheckView, post)


