"""Public endpoints (no login, throttled): black and red lists, an operator's credit page, open data, receipts.

Every answer carries ``as_of``, ``data_version`` (the latest published change)
and a receipt signed by the service that anyone can verify.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.filters import query_integer
from config.api.pagination import StandardPagination
from config.api.serializers import Serializer
from config.api.throttles import PublicThrottle
from core import receipts
from entities.models import Entity
from entities.validators import normalize_credit_code
from regulator.disclosure import exports
from regulator.disclosure import selectors as public
from regulator.lists.models import ListType, PublicChange
from regulator.lists.selectors import data_version


class _PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]


def _stamp(kind: str, query: dict, result, as_of) -> dict:
    version = data_version()
    return {"as_of": as_of, "data_version": version,
            "receipt": receipts.issue(kind=kind, query=query, result=result, as_of=as_of, version=version)}


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

    @extend_schema(parameters=[OpenApiParameter("q", str, description="信用代码、名称（简繁）、拼音或首字母"),
                               *_PAGE_PARAMETERS],
                   responses={200: OpenApiResponse(description="paginated public listings with receipt")})
    def get(self, request):
        query = (request.query_params.get("q") or "").strip()[:64]
        day = timezone.localdate()
        queryset = public.search_listings(public.published_listings(self.list_type, as_of=day), query)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        statements = public.approved_statements(listing_ids=[listing.pk for listing in page])
        rows = [public.public_listing(listing, statements) for listing in page]
        response = paginator.get_paginated_response(rows)
        response.data.update(_stamp(f"public_{self.list_type}list", {"q": query, "page": request.query_params.get(
            "page", "1")}, rows, day))
        return response


class PublicBlacklistView(_ListView):
    """严重失信主体名单查询."""

    list_type = ListType.BLACK


class PublicRedlistView(_ListView):
    """守信激励（诚信）名单."""

    list_type = ListType.RED


class PublicEntityView(_PublicView):
    """An operator's public credit page: published listings and penalties inside their publicity period."""

    @extend_schema(responses={200: OpenApiResponse(description="public profile with receipt"),
                              404: OpenApiResponse(description="no such operator")})
    def get(self, request, credit_code: str):
        entity = Entity.objects.filter(credit_code=normalize_credit_code(credit_code)).first()
        if entity is None:
            raise Http404
        day = timezone.localdate()
        profile = public.public_profile(entity, as_of=day)
        return Response({**profile, **_stamp("public_entity", {"credit_code": entity.credit_code}, profile, day)})


class PublicExportView(_PublicView):
    """Open data: ``blacklist.csv|json|ndjson``, ``redlist.*`` and ``manifest.json`` (sha256 of each file)."""

    names = {f"{kind}list.{fmt}" for kind in ("black", "red") for fmt in exports.FORMATS} | {"manifest.json"}
    content_types = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                     "ndjson": "application/x-ndjson"}

    @extend_schema(parameters=[OpenApiParameter("since", int, description="只返回该数据版本之后变更的记录")],
                   responses={200: OpenApiResponse(description="file"), 404: OpenApiResponse(description="no such file")})
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

    @extend_schema(parameters=[OpenApiParameter("since", int)], responses={200: OpenApiResponse(description="changes")})
    def get(self, request):
        since = _since(request) or 0
        changes = list(PublicChange.objects.filter(id__gt=since).select_related(
            "listing", "listing__entity", "listing__person", "listing__related_entity").order_by("id")[:1000])
        day = timezone.localdate()
        rows = []
        for change in changes:
            listing = change.listing
            visible = listing is not None and listing.status == "published"
            rows.append({"data_version": change.pk, "change": change.change, "changed_at": change.changed_at,
                         "listing_id": listing.pk if listing else None, "public": visible,
                         "listing": public.public_listing(listing) if visible else None})
        return Response({"since": since, "results": rows, "more": len(changes) == 1000,
                         **_stamp("public_changes", {"since": since}, rows, day)})


class ReceiptVerifySerializer(Serializer):
    payload = serializers.DictField()
    signature = serializers.CharField(max_length=200)
    result = serializers.JSONField(required=False)


class ReceiptVerifyView(_PublicView):
    """Anyone can check that a receipt was signed by this service (and, with ``result``, that it matches)."""

    @extend_schema(request=ReceiptVerifySerializer, responses={200: OpenApiResponse(description='{"valid": bool}')})
    def post(self, request):
        body = ReceiptVerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        valid = receipts.verify(payload=body.validated_data["payload"], signature=body.validated_data["signature"],
                                result=body.validated_data.get("result"))
        return Response({"valid": valid, "algorithm": receipts.ALGORITHM, "key_id": receipts.key_id()})


class ReceiptKeyView(_PublicView):
    @extend_schema(responses={200: OpenApiResponse(description="the public key")})
    def get(self, request):
        return Response({"algorithm": receipts.ALGORITHM, "key_id": receipts.key_id(),
                         "public_key": receipts.public_key_b64()})
