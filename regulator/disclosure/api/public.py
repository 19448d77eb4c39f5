"""Public endpoints (no login, throttled): black and red lists, an operator's credit page, open data, receipts.

Every answer carries ``as_of``, ``data_version`` (the latest published change)
and a receipt signed by the service that anyone can verify.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.filters import query_integer
from config.api.pagination import StandardPagination
from config.api.serializers import Serializer
from config.api.throttles import PublicThrottle
from core import receipts
from core.api.serializers import JsonWebKeySetSerializer, ReceiptKeySerializer
from entities.models import Entity
from entities.validators import normalize_credit_code, validate_credit_code
from regulator.disclosure import exports, receipt_terms
from regulator.disclosure import selectors as public
from regulator.disclosure.api.serializers import (
    PublicChangesSerializer,
    PublicListPageSerializer,
    PublicProfileSerializer,
    ReceiptVerificationSerializer,
)
from regulator.disclosure.reviews import firm_reviews
from regulator.lists.models import ListType, PublicChange
from regulator.lists.selectors import data_version

_NOT_MODIFIED = OpenApiResponse(description="未变更：请求头 If-None-Match 与答复的 ETag 相同，无响应体（沿用原答复及其回执）")


class _NotModified(Exception):
    """The caller's copy is current: 304, no body."""


class _PublicView(APIView):
    """No login, throttled per caller. A ``conditional`` view answers GETs with a weak ``ETag`` (the public data's
    head, the day, the language, the receipt key) and ``Cache-Control: public, no-cache``; ``If-None-Match``
    with that tag is a 304 without a body, after the throttle and before any query of the answer. The signed
    receipt stays per answer: a 304 keeps the caller's earlier answer and its receipt."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]
    conditional = False
    etag: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.conditional and request.method in ("GET", "HEAD"):
            self.etag = (f'W/"{public.public_data_head()}-{timezone.localdate():%Y%m%d}-'
                         f'{getattr(request, "LANGUAGE_CODE", "")}-{receipts.key_id()[:8]}"')
            asked = request.headers.get("If-None-Match", "")
            if asked and (asked.strip() == "*" or self.etag[2:] in
                          {tag.removeprefix("W/") for tag in parse_etags(asked)}):
                raise _NotModified

    def handle_exception(self, exc):
        if isinstance(exc, _NotModified):
            return Response(status=304)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.etag is not None and response.status_code in (200, 304):
            response["ETag"] = self.etag
            response["Cache-Control"] = "public, no-cache"
            patch_vary_headers(response, ("Accept", "Accept-Language"))
        return response


def _stamp(kind: str, query: dict, result, as_of, terms: dict) -> dict:
    """``as_of``, ``data_version`` and the receipt; ``terms`` name its subject, question and result in words."""
    version = data_version()
    return {"as_of": as_of, "data_version": version,
            "receipt": receipts.issue(kind=kind, query=query, result=result, as_of=as_of, version=version, **terms)}


_PAGE_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="页码，从 1 开始；超出最后一页时 404。"),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1},
                     description="每页返回的结果数量（默认 50，超过 200 按 200 计）。"),
]


def _since(request) -> int | None:
    """``?since=<data_version>``: one integer (at most 18 digits, as a bigint holds), or None when absent."""
    return query_integer(request, "since", "应为整数数据版本号。", minimum=-(10**18 - 1), maximum=10**18 - 1)


class _ListView(_PublicView):
    list_type = ListType.BLACK
    conditional = True

    def get(self, request):
        query = (request.query_params.get("q") or "").strip()[:64]
        day = timezone.localdate()
        paginator = StandardPagination()
        number, size = paginator.requested(request)
        page = public.search_page(self.list_type, query, as_of=day, number=number, size=size)
        if page is None:
            raise Http404(_("无效页面。"))
        statements = public.approved_statements(listing_ids=[listing.pk for listing in page.rows])
        rows = public.public_listings(page.rows, statements)
        response = paginator.page_response(request, count=page.count, number=page.number, size=size, results=rows)
        asked = request.query_params.get("page", "1")
        terms = receipt_terms.list_terms(
            self.list_type, query=query, page=str(page.number), count=page.count, rows=rows, as_of=day,
            masked_names=[listing.person.name for listing in page.rows if listing.person_id])
        response.data.update(_stamp(f"public_{self.list_type}list", {"q": query, "page": asked}, rows, day, terms))
        return response


def _list_schema(summary: str, examples: list[OpenApiExample] | None = None):
    return extend_schema(
        summary=summary, parameters=[OpenApiParameter("q", str, description="信用代码、名称（简繁）、拼音或首字母"),
                                     *_PAGE_PARAMETERS],
        responses={200: PublicListPageSerializer, 304: _NOT_MODIFIED}, examples=examples or [])


_BLACKLIST_EXAMPLE = OpenApiExample(
    "按名称查询", response_only=True, status_codes=["200"],
    summary="查到一条严重失信主体名单",
    value={"count": 1, "next": None, "previous": None, "results": [{
        "id": 12, "list_type": "black", "subject_type": "entity", "name": "运城市某某旅行社有限公司",
        "credit_code": "91140800MA0H2K3L4X", "related_entity_name": None, "person_role": None, "sector": "tourism",
        "region_code": "140802", "reason": "未经许可经营出境旅游业务", "legal_basis": "（认定决定书载明的依据）",
        "decision_number": "运文旅失信〔2026〕3号", "decided_on": "2026-03-02", "published_on": "2026-03-05",
        "expires_on": "2029-03-02", "measures": "禁止参与政府采购", "source_authority": None, "statements": []}],
        "as_of": "2026-12-01", "data_version": 6,
        "receipt": {"payload": {"kind": "public_blacklist", "receipt_format": 2,
                                "checked_at": "2026-12-01T10:00:00+08:00", "as_of": "2026-12-01",
                                "data_version": 6, "subject": {"type": "list", "text": "严重失信主体名单"},
                                "question": {"text": "查询“某某旅行社”"}, "result": "查到 1 条。",
                                "query_sha256": "…", "result_sha256": "…"},
                    "signature": "…", "algorithm": "Ed25519", "key_id": "…", "public_key": "…", "jws": "…"}})


@_list_schema("查询严重失信主体名单", [_BLACKLIST_EXAMPLE])
class PublicBlacklistView(_ListView):
    """严重失信主体名单查询."""

    list_type = ListType.BLACK


@_list_schema("查询守信激励（诚信）名单")
class PublicRedlistView(_ListView):
    """守信激励（诚信）名单."""

    list_type = ListType.RED


class PublicEntityView(_PublicView):
    """An operator's public credit page: published listings and penalties inside their publicity period."""

    conditional = True

    @extend_schema(summary="主体公示信息", responses={200: PublicProfileSerializer, 304: _NOT_MODIFIED,
                                                 404: OpenApiResponse(description="no such operator")})
    def get(self, request, credit_code: str):
        entity = (Entity.objects.filter(credit_code=normalize_credit_code(credit_code))
                  .only(*public.PUBLIC_ENTITY_FIELDS).first())
        if entity is None:
            raise Http404
        day = timezone.localdate()
        profile = public.public_profile(entity, as_of=day)
        terms = receipt_terms.profile_terms(profile, report=False)
        return Response({**profile, "reviews": firm_reviews(entity),  # 家政服务评价 (regulator/disclosure/reviews.py)
                         **_stamp("public_entity", {"credit_code": entity.credit_code}, profile, day, terms)})


class _FileRenderer(BaseRenderer):
    """Names one open-data format for content negotiation; the file itself is bytes already rendered."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class CsvFileRenderer(_FileRenderer):
    media_type = exports.MEDIA_TYPES["csv"]
    format = "csv"


class NdjsonFileRenderer(_FileRenderer):
    media_type = exports.MEDIA_TYPES["ndjson"]
    format = "ndjson"


class JwkSetRenderer(JSONRenderer):
    """RFC 7517's own media type, for JOSE clients that ask for it; plain JSON otherwise."""

    media_type = "application/jwk-set+json"


class _FileNameNegotiation(DefaultContentNegotiation):
    """The file name says the format: ``?format=`` does not choose another one (Accept still must fit)."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class PublicExportView(_PublicView):
    """Open data: ``blacklist.csv|json|ndjson``, ``redlist.*`` and ``manifest.json`` (sha256 of each file).

    Content negotiation follows the file asked for: ``Accept`` may name its type (``text/csv``,
    ``application/json``, ``application/x-ndjson``), a wildcard (``*/*``, ``text/*``), or be left out. A type
    that is not the file's is a 406 in the JSON error body; every error here is JSON whatever was asked.
    """

    names = set(exports.FILE_NAMES) | {"manifest.json"}  # the lists' files and the 双公示 ones
    content_types = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                     "ndjson": "application/x-ndjson"}
    renderers_by_format = {"csv": CsvFileRenderer, "json": JSONRenderer, "ndjson": NdjsonFileRenderer}
    renderer_classes = [JSONRenderer, CsvFileRenderer, NdjsonFileRenderer]  # what the schema documents
    content_negotiation_class = _FileNameNegotiation

    def get_renderers(self):
        name = getattr(self, "kwargs", {}).get("name")
        if name is None:
            return super().get_renderers()
        renderer = self.renderers_by_format.get(name.rsplit(".", 1)[-1]) if name in self.names else None
        return [(renderer or JSONRenderer)()]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):  # only errors come as a Response here: the files are HttpResponses
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return response

    def perform_content_negotiation(self, request, force=False):
        if getattr(self, "kwargs", {}).get("name", "") not in self.names:
            return JSONRenderer(), JSONRenderer.media_type  # no such file: a 404, whatever the Accept
        try:
            return super().perform_content_negotiation(request, force=force)
        except exceptions.NotAcceptable as exc:
            name = self.kwargs.get("name", "")
            wanted = exports.MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/json")
            raise exceptions.NotAcceptable(_("无法按请求头 Accept 指定的格式提供该文件；该文件的格式为 %(type)s。")
                                           % {"type": wanted}) from exc

    @extend_schema(summary="下载开放数据文件",
                   parameters=[OpenApiParameter("since", int, description="只返回该数据版本之后变更的记录"),
                               OpenApiParameter("format", exclude=True)],
                   responses={(200, "application/json"): OpenApiTypes.ANY, (200, "text/csv"): OpenApiTypes.STR,
                              (200, "application/x-ndjson"): OpenApiTypes.STR,
                              404: OpenApiResponse(description="no such file"),
                              406: OpenApiResponse(response={"$ref": "#/components/schemas/Error"},
                                                   description="Accept 与文件格式不符（错误体为 JSON）")})
    def get(self, request, name: str):
        if name not in self.names:
            raise Http404
        since = _since(request)
        if since is not None and name != "manifest.json":
            data = exports.changed_since(name, since)
        else:
            data = exports.read(name)
        response = HttpResponse(data, content_type=self.content_types[name.rsplit(".", 1)[1]])
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class PublicChangesView(_PublicView):
    """Change feed: ``?since=<data_version>`` lists what changed in public view after that version."""

    conditional = True

    @extend_schema(summary="公开数据变更", parameters=[OpenApiParameter("since", int)],
                   responses={200: PublicChangesSerializer, 304: _NOT_MODIFIED})
    def get(self, request):
        since = _since(request) or 0
        changes = list(PublicChange.objects.filter(id__gt=since).select_related(
            "listing", "listing__entity", "listing__person", "listing__related_entity").order_by("id")[:1000])
        day = timezone.localdate()
        visible = [change.listing for change in changes
                   if change.listing is not None and change.listing.status == "published"]
        published = {row["id"]: row for row in public.public_listings({listing.pk: listing for listing in visible}
                                                                      .values())}
        rows = []
        for change in changes:
            listing = change.listing
            rows.append({"data_version": change.pk, "change": change.change, "changed_at": change.changed_at,
                         "listing_id": listing.pk if listing else None, "public": listing is not None
                         and listing.pk in published, "listing": published.get(listing.pk) if listing else None})
        more = len(changes) == 1000
        terms = receipt_terms.changes_terms(since=since, rows=rows, more=more, as_of=day)
        return Response({"since": since, "results": rows, "more": more,
                         **_stamp("public_changes", {"since": since}, rows, day, terms)})


class ReceiptVerifySerializer(Serializer):
    payload = serializers.DictField(required=False, help_text=_("回执内容（receipt.payload）；与 signature 一起给出"))
    signature = serializers.CharField(max_length=200, required=False, help_text=_("回执签名（receipt.signature）"))
    jws = serializers.CharField(max_length=20000, required=False,
                                help_text=_("或：回执的 JWS 紧凑序列化（receipt.jws），代替 payload 和 signature"))
    result = serializers.JSONField(required=False, help_text=_("可选：回执所证明的完整答复，核对其摘要"))
    credit_code = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                        help_text=_("可选：所核对主体的统一社会信用代码；回执针对其他主体时无效"))

    def validate_credit_code(self, value: str) -> str:
        value = normalize_credit_code(value)
        if value:
            validate_credit_code(value)
        return value

    def validate(self, attrs):
        if "jws" not in attrs and not ("payload" in attrs and "signature" in attrs):
            raise serializers.ValidationError({"payload": [_("须给出 payload 和 signature，或给出 jws。")]})
        return attrs


class ReceiptVerifyView(_PublicView):
    """Anyone can check that a receipt was signed by this service, and read what it proves.

    With ``result``, the answer must be the one the receipt covers; with ``credit_code``, the receipt must be
    about that business (a genuine receipt of another business, or one naming no subject, is invalid). A valid
    receipt's answer names its ``subject``, ``question``, ``result`` in words and ``data_version``.
    """

    @extend_schema(summary="核验回执", request=ReceiptVerifySerializer, responses={200: ReceiptVerificationSerializer})
    def post(self, request):
        body = ReceiptVerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "jws" in data:
            payload = receipts.payload_of_jws(data["jws"])
            verdict = (receipts.check(payload=payload, signature_checked=True, result=data.get("result"),
                                      credit_code=data.get("credit_code") or None)
                       if payload is not None else {"valid": False, "failure": "signature",
                                                    "message": receipts.FAILURES["signature"]})
        else:
            payload = data["payload"]
            verdict = receipts.check(payload=payload, signature=data["signature"], result=data.get("result"),
                                     credit_code=data.get("credit_code") or None)
        answer = {**verdict, "algorithm": receipts.ALGORITHM, "key_id": receipts.key_id()}
        if verdict["valid"]:
            answer.update(receipts.statement(payload))
        return Response(answer)


class ReceiptKeyView(_PublicView):
    @extend_schema(summary="回执签名公钥", responses={200: ReceiptKeySerializer})
    def get(self, request):
        return Response({"algorithm": receipts.ALGORITHM, "key_id": receipts.key_id(),
                         "public_key": receipts.public_key_b64()})


class ReceiptJwksView(_PublicView):
    """The receipts' public key as a JWK Set (RFC 7517, an Ed25519 ``OKP`` key of RFC 8037), at
    ``/.well-known/jwks.json``: any JOSE library verifies a receipt's ``jws`` with it (decision 0010)."""

    renderer_classes = [JSONRenderer, JwkSetRenderer]

    @extend_schema(summary="回执公钥（JWK Set）", responses={200: JsonWebKeySetSerializer})
    def get(self, request):
        response = Response(receipts.jwks())
        response["Cache-Control"] = "public, max-age=3600"
        return response
