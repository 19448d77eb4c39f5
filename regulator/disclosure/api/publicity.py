"""双公示 over the API: the public's paginated records, and the penalty feed of department clients.

``GET /api/v1/public/publicity/penalties/`` and ``/public/publicity/licences/``: published records only, newest
decision first; ``?since=<version>`` the records changed after that version (oldest change first, so a client
pages through a delta); ``?credit_code=`` one operator's. ``GET /api/v1/feeds/penalties/?since=``: every penalty
record, ended ones with their end and reason, names in full, for a client with ``penalties:read`` (and regulators).
Neither answer holds an ID number: records never store one.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.filters import query_integer
from config.api.pagination import StandardPagination
from config.api.serializers import Serializer
from core import receipts
from core.authentication_clients import ClientQueryLogMixin, client_of
from core.models import ClientScope
from entities.validators import credit_code_is_valid, normalize_credit_code
from regulator.disclosure import publicity_selectors as publicity
from regulator.disclosure.api.public import _PublicView
from regulator.disclosure.publicity_records import PublicityEndReason, PublicityKind, PublicityRecord
from regulator.lists.selectors import data_version


class PublicityRecordSerializer(Serializer):
    """双公示记录 as the public reads it (the national 双公示 fields)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PublicityKind.choices, help_text=_("penalty 行政处罚 / licence 行政许可"))
    subject_name = serializers.CharField(help_text=_("相对人名称"))
    credit_code = serializers.CharField(help_text=_("统一社会信用代码"))
    legal_representative = serializers.CharField(allow_null=True, help_text=_("法定代表人（公众只见姓氏）"))
    decision_number = serializers.CharField(help_text=_("决定文书号"))
    category = serializers.CharField(help_text=_("类别：处罚种类或许可类型代码"))
    content = serializers.CharField(help_text=_("内容（已隐去个人信息）"))
    fine_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text=_("罚款金额（元）"))
    decided_on = serializers.DateField(help_text=_("决定日期"))
    publicity_until = serializers.DateField(allow_null=True, help_text=_("公示截止期"))
    authority_name = serializers.CharField(help_text=_("决定机关"))
    authority_credit_code = serializers.CharField(help_text=_("决定机关统一社会信用代码"))
    source_unit = serializers.CharField(help_text=_("数据来源单位"))
    version = serializers.IntegerField(help_text=_("记录最近一次变更的版本号"))


class PublicityPageSerializer(Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicityRecordSerializer(many=True)
    publicity_version = serializers.IntegerField(help_text=_("当前最新版本号：下次以 ?since= 传入，只取此后的变更"))


class PublicPublicityPageSerializer(PublicityPageSerializer):
    as_of = serializers.DateField(help_text=_("答复所依据的日期"))
    data_version = serializers.IntegerField(help_text=_("公示名单的数据版本"))
    receipt = serializers.DictField(help_text=_("本平台签名的回执（可在 /api/v1/public/receipts/verify/ 核验）"))


class PenaltyFeedRecordSerializer(PublicityRecordSerializer):
    """双公示记录 for a receiving department's ledger: ended ones too, with their end and its reason."""

    legal_representative = serializers.CharField(allow_null=True, help_text=_("法定代表人姓名（不含身份证号）"))
    publication_ends_on = serializers.DateField(allow_null=True, help_text=_("公示终止日期"))
    ended = serializers.BooleanField(help_text=_("已停止公示"))
    end_reason = serializers.ChoiceField(choices=PublicityEndReason.choices, allow_null=True,
                                         help_text=_("停止公示原因"))
    produced_at = serializers.DateTimeField()
    due_by = serializers.DateField(help_text=_("应公示期限：决定日期后第 7 个工作日"))
    late = serializers.BooleanField(help_text=_("晚于应公示期限生成"))
    updated_at = serializers.DateTimeField()


class PenaltyFeedPageSerializer(PublicityPageSerializer):
    results = PenaltyFeedRecordSerializer(many=True)


def _since(request) -> int | None:
    return query_integer(request, "since", _("应为整数版本号。"), minimum=0, maximum=10**18 - 1)


def _credit_code(request) -> str | None:
    value = request.query_params.get("credit_code")
    if value is None:
        return None
    code = normalize_credit_code(value)
    if not credit_code_is_valid(code):
        raise ValidationError({"credit_code": [_("应为 18 位统一社会信用代码。")]}, code="invalid")
    return code


def _page(request, queryset, render) -> Response:
    paginator = StandardPagination()
    number, size = paginator.requested(request)
    count = queryset.count()
    number = max(1, -(-count // size)) if number == "last" else number
    offset = (number - 1) * size
    rows = list(queryset[offset:offset + size])
    if not rows and number > 1:
        raise Http404(_("无效页面。"))
    response = paginator.page_response(request, count=count, number=number, size=size,
                                       results=[render(row) for row in rows])
    response.data["publicity_version"] = publicity.publicity_version()
    return response


_PARAMETERS = [
    OpenApiParameter("since", {"type": "integer", "minimum": 0},
                     description="只返回该版本号之后变更的记录（按变更先后排列）"),
    OpenApiParameter("credit_code", str, description="只返回该统一社会信用代码的主体的记录"),
]
_BAD_INPUT = OpenApiResponse(response={"$ref": "#/components/schemas/ValidationError"},  # field-keyed, like query_integer's
                             description="参数格式错误（since、credit_code、page、page_size）")


class _PublicityView(_PublicView):
    kind = PublicityKind.PENALTY
    words = "行政处罚信息"

    def get(self, request):
        since, code = _since(request), _credit_code(request)
        day = timezone.localdate()
        queryset = publicity.published_records(self.kind, as_of=day)
        if since is not None:
            queryset = queryset.filter(version__gt=since).order_by("version", "id")
        if code is not None:
            queryset = queryset.filter(credit_code=code)
        response = _page(request, queryset, publicity.public_record)
        rows, count = response.data["results"], response.data["count"]
        asked = {"since": since, "credit_code": code, "page": request.query_params.get("page", "1")[:10]}
        within = f"（统一社会信用代码 {code}）" if code else ""
        after = f"，版本 {since} 之后的变更" if since is not None else ""
        terms = {"subject": {"type": "list", "text": f"{self.words}（双公示）"},
                 "question": {"text": f"截至 {day:%Y-%m-%d} 查询公示中的{self.words}{within}{after}", **asked},
                 "result_text": f"共 {count} 条；本页 {len(rows)} 条。" if count else "无公示中的记录。"}
        version = data_version()
        response.data.update({"as_of": day, "data_version": version, "receipt": receipts.issue(
            kind=f"public_publicity_{self.kind}", query=asked, result=rows, as_of=day, version=version, **terms)})
        return response


def _public_schema(summary: str):
    return extend_schema(summary=summary, parameters=_PARAMETERS,
                         responses={200: PublicPublicityPageSerializer, 400: _BAD_INPUT,
                                    404: OpenApiResponse(description="超出最后一页")})


@_public_schema("双公示：行政处罚信息")
class PublicPenaltyPublicityView(_PublicityView):
    """行政处罚信息公示 (双公示)."""

    kind = PublicityKind.PENALTY


@_public_schema("双公示：行政许可信息")
class PublicLicencePublicityView(_PublicityView):
    """行政许可信息公示 (双公示)."""

    kind = PublicityKind.LICENCE
    words = "行政许可信息"


class RegulatorOrClient(BasePermission):
    """Regulators; or a department client (its ``penalties:read`` checked by the gate)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return client_of(request) is not None or bool(user and user.is_authenticated and user.is_regulator)


@extend_schema(summary="行政处罚信息共享（含已停止公示的记录）", parameters=_PARAMETERS,
               responses={200: PenaltyFeedPageSerializer, 400: _BAD_INPUT,
                          401: OpenApiResponse(description="未登录，或密钥无效、已过期、已吊销"),
                          403: OpenApiResponse(description="非监管人员，或部门客户端没有 penalties:read 权限"),
                          404: OpenApiResponse(description="超出最后一页")})
class PenaltyFeedView(ClientQueryLogMixin, APIView):
    """The penalty records for a receiving department's ledger, in version order (``?since=`` a delta)."""

    permission_classes = [RegulatorOrClient]
    client_scopes = {"GET": ClientScope.PENALTIES_READ.value}

    def get(self, request):
        since, code = _since(request), _credit_code(request)
        queryset = PublicityRecord.objects.filter(kind=PublicityKind.PENALTY, version__gt=since or 0)
        if code is not None:
            queryset = queryset.filter(credit_code=code)
        return _page(request, queryset.order_by("version", "id"), publicity.feed_record)

    def client_query_summary(self, request, response):
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        rows = data.get("results") if isinstance(data.get("results"), list) else []
        asked = {key: request.query_params.get(key, "")[:32] for key in ("since", "credit_code", "page")
                 if key in request.query_params}
        text = str(_("%(n)s 条") % {"n": len(rows)}) if "count" in data else str(data.get("detail", ""))[:500]
        return (asked, {"text": text, "count": data.get("count"), "record_ids": [row["id"] for row in rows]},
                [], len(rows))
