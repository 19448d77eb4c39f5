"""``GET /api/v1/public/entities/?q=&city=&district=&sector=``: the whole registry for the public (API.md, Additions).

Any registered operator, listed or not, by name (simplified or traditional characters, pinyin, initials) or
credit code, filtered by city, district and sector; each row with its public record summary (published
listings in force, and 公示期内无失信记录 in words when there is none). Like the other public answers: no
login, throttled per client, a weak ETag (``_PublicView``), ``as_of``, ``data_version`` and a signed receipt.
No personal data: no ID number, no phone, a person listed through the business masked.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from config.api.pagination import StandardPagination
from config.api.serializers import Serializer
from entities.models import Category, EntityStatus, PersonRoleKind, Sector
from regulator.disclosure import registry
from regulator.disclosure.api.public import _NOT_MODIFIED, _PAGE_PARAMETERS, _PublicView, _stamp
from regulator.lists.api.award_serializers import AwardBadgeSerializer
from regulator.lists.models import ListType, SubjectType

#: the query parameters this endpoint reads; each may be given once
PARAMETERS = ("q", "city", "district", "sector")


class RegistryListingSerializer(Serializer):
    id = serializers.IntegerField()
    list_type = serializers.ChoiceField(choices=ListType.choices)
    list_label = serializers.CharField(help_text="名单名称（中文）")
    subject_type = serializers.ChoiceField(choices=SubjectType.choices,
                                           help_text="entity：经营主体本身；person：因其任职被列入的自然人")
    person_name = serializers.CharField(allow_null=True, help_text="自然人姓名（已脱敏，如 张**）")
    person_role = serializers.ChoiceField(choices=PersonRoleKind.choices, allow_null=True)
    status = serializers.CharField(help_text="published：公示中")
    published_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)


class RegistryEntitySerializer(Serializer):
    credit_code = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField()
    sector = serializers.ChoiceField(choices=Sector.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    region_code = serializers.CharField(help_text="行政区划代码（6 位）")
    city_name = serializers.CharField(allow_null=True, help_text="地市名称，如 运城市")
    district_name = serializers.CharField(allow_null=True, help_text="县（市、区）名称，如 盐湖区；登记在地市一级时为空")
    region_name = serializers.CharField(allow_null=True, help_text="行政区划全称，如 山西省运城市盐湖区")
    address = serializers.CharField(help_text="登记地址（电话、身份证号已隐去）")
    status = serializers.ChoiceField(choices=EntityStatus.choices)
    listed = serializers.BooleanField(help_text="公示期内是否在严重失信主体名单或重点关注名单上（含因其被列入的自然人）")
    record_text = serializers.CharField(help_text="公示信息摘要（文字），如 公示期内无失信记录")
    listings = RegistryListingSerializer(many=True, help_text="公示期内的名单记录")
    awards = AwardBadgeSerializer(many=True, help_text="有效期内的诚信评选称号（诚信企业、诚信商家、文明诚信商户）")
    url = serializers.CharField(help_text="该经营主体的公示信用信息（GET /api/v1/public/entities/<credit_code>/）")


class RegistryAnswerSerializer(Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RegistryEntitySerializer(many=True)
    as_of = serializers.DateField()
    data_version = serializers.IntegerField()
    receipt = serializers.DictField(help_text="服务签发的回执（可在 /api/v1/public/receipts/verify/ 核验）")


class PublicRegistryView(_PublicView):
    """市场主体名录查询: every registered operator, with its public record summary."""

    conditional = True

    @extend_schema(
        tags=["public"], operation_id="api_v1_public_entities_list", summary="市场主体名录查询（全部登记的经营主体）",
        description=("按名称（简体或繁体）、拼音、首字母或统一社会信用代码查询全部登记的经营主体，可按地市、县区、行业筛选；"
                     "每条结果附公示期内的名单记录，无失信记录时注明“公示期内无失信记录”。未列入名单不代表已取得经营许可。"),
        parameters=[
            OpenApiParameter("q", str, description="统一社会信用代码、名称（简繁）、拼音或首字母（最多 64 字）"),
            OpenApiParameter("city", str, description="地市行政区划代码，如 140800（运城市），或其前 4 位 1408"),
            OpenApiParameter("district", str, description="县（市、区）行政区划代码，如 140802（盐湖区）；同时给出 city 时须属于该地市"),
            OpenApiParameter("sector", str, enum=["", *Sector.values], description="行业（留空为不限）"),
            *_PAGE_PARAMETERS,
        ],
        responses={200: RegistryAnswerSerializer, 304: _NOT_MODIFIED,
                   400: OpenApiResponse(response={"$ref": "#/components/schemas/ValidationError"},
                                        description="未知的地市、县区或行业代码，县区不属于所选地市，页码或每页条数不合法（按参数名给出错误）"),
                   404: OpenApiResponse(response={"$ref": "#/components/schemas/Error"},
                                        description="页码超出最后一页")},
    )
    def get(self, request):
        repeated = {name: [_("该参数只能给出一个值。")] for name in PARAMETERS
                    if len(request.query_params.getlist(name)) > 1}
        if repeated:
            raise ValidationError(repeated)
        query = (request.query_params.get("q") or "").strip()[:registry.MAX_QUERY]
        try:
            filters = registry.registry_filters(**{name: request.query_params.get(name, "")
                                                   for name in ("city", "district", "sector")})
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        paginator = StandardPagination()
        number, size = paginator.requested(request)
        day = timezone.localdate()
        page = registry.registry_search(query, filters=filters, number=number, size=size, as_of=day)
        if page is None:
            raise Http404(_("无效页面。"))
        rows = [{**row, "url": request.build_absolute_uri(reverse("public-entity", args=[row["credit_code"]]))}
                for row in page.rows]
        response = paginator.page_response(request, count=page.count, number=page.number, size=size, results=rows)
        terms = registry.registry_terms(query=query, filters=filters, page=str(page.number), count=page.count,
                                        rows=rows, as_of=day)
        asked = {"q": query, "city": filters.city, "district": filters.district, "sector": filters.sector,
                 "page": request.query_params.get("page", "1")}
        response.data.update(_stamp("public_registry", asked, rows, day, terms))
        return response
