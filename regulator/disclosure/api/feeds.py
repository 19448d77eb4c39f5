"""变更订阅（拉取）: ``GET /api/v1/feeds/changes/?since=<id>&limit=&kind=`` for department clients that poll.

The pull side of the push feed: the same events, the same fields, in the same order as the webhooks carry.
Open to regulators and to department clients holding ``push`` (the scope of the feed, however it is taken);
``lists:read`` changes only what is shown: persons by full name (with the masked ID number) and watch listings
(重点关注名单), which a client without it never receives (decision 0021). ``since`` is the ``id`` of the last
event the caller has; ids are given after commit in commit order, so a caller that stores the last id it saw
and asks from there never misses one (decision 0027). Every client request is in its query log.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import Serializer
from core.authentication_clients import ClientQueryLogMixin, client_of
from core.models import ClientScope
from regulator.disclosure import feed_services
from regulator.disclosure.feeds import FeedKind

MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class RegulatorOrClient(BasePermission):
    """Regulators; or a department client (its ``push`` scope checked by the gate)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return client_of(request) is not None or bool(user and user.is_authenticated and user.is_regulator)


class SubjectSerializer(Serializer):
    subject_type = serializers.CharField(help_text=_("entity 或 person。"))
    credit_code = serializers.CharField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_null=True)
    person_name = serializers.CharField(required=False, help_text=_("无 lists:read 权限时遮蔽为姓氏加 *。"))
    id_number_masked = serializers.CharField(required=False, allow_null=True,
                                             help_text=_("仅 lists:read 权限可见（脱敏）。"))
    related_credit_code = serializers.CharField(required=False, allow_null=True)
    related_name = serializers.CharField(required=False, allow_null=True)


class FeedEventSerializer(Serializer):
    id = serializers.IntegerField(help_text=_("事件序号：提交后按顺序编号，单调递增；下次以 since 传回。"))
    kind = serializers.ChoiceField(choices=FeedKind.choices)
    occurred_at = serializers.DateTimeField()
    subject = SubjectSerializer()
    payload = serializers.DictField(help_text=_("变更内容（接口代码）：名单 listing_id、list_type、status……；"
                                                "许可 licence_id、licence_type、status……；处罚 record_id、decision_number……"))


class FeedPageSerializer(Serializer):
    results = FeedEventSerializer(many=True)
    since = serializers.IntegerField()
    next_since = serializers.IntegerField(help_text=_("本页最后一个事件的序号（无事件时同 since）。"))
    has_more = serializers.BooleanField()
    next = serializers.CharField(allow_null=True, help_text=_("下一页地址（has_more 为 false 时为 null）。"))


def _int_param(request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default  # an empty value is a 400 naming the parameter, as config.api.filters.query_integer
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise serializers.ValidationError({name: [_("须为非负整数。")]})
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise serializers.ValidationError({name: [_("须在 %(low)s 至 %(high)s 之间。") % {
            "low": low, "high": high if high is not None else "∞"}]})
    return value


def _kinds(request) -> list[str]:
    kinds = [part.strip() for value in request.query_params.getlist("kind") for part in value.split(",") if part.strip()]
    unknown = [kind for kind in kinds if kind not in FeedKind.values]
    if unknown:
        raise serializers.ValidationError({"kind": [_("未知的变更类型：%(k)s") % {"k": "、".join(unknown[:5])}]})
    return sorted(set(kinds))


@extend_schema(tags=["lists"], summary="变更订阅（拉取）", parameters=[
    OpenApiParameter("since", int, description="上次收到的最后一个事件序号（默认 0：从头开始）"),
    OpenApiParameter("limit", int, description=f"每页条数，1 至 {MAX_LIMIT}（默认 {DEFAULT_LIMIT}）"),
    OpenApiParameter("kind", str, many=True, description="只要这些变更类型（可重复或以逗号分隔）")],
    responses={200: FeedPageSerializer,
               400: OpenApiResponse(description="参数不合法（since、limit 或 kind）"),
               401: OpenApiResponse(description="密钥无效、已过期或已吊销"),
               403: OpenApiResponse(description="非监管人员，或部门客户端没有 push 权限、不在 IP 白名单内"),
               503: OpenApiResponse(description="查询记录无法写入，本次不予答复（部门客户端）")})
class FeedChangesView(ClientQueryLogMixin, APIView):
    """The events after ``since``, oldest first, a page at a time (``next_since`` is the next ``since``)."""

    permission_classes = [RegulatorOrClient]
    client_scopes = {"GET": ClientScope.PUSH.value}

    def get(self, request):
        since = _int_param(request, "since", 0, 0, None)
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        kinds = _kinds(request)
        client = client_of(request)
        scopes = client.scopes if client is not None else {ClientScope.LISTS_READ.value}
        feed_services.feed_sequence()  # what has committed is numbered before it is read
        rows = list(feed_services.events_for(scopes=scopes, since=since, kinds=kinds)[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        unmasked = feed_services.unmasked_for(scopes)
        results = [feed_services.event_view(event, unmasked=unmasked) for event in rows]
        next_since = results[-1]["id"] if results else since
        next_url = None
        if more:
            query = request.query_params.copy()
            query["since"] = str(next_since)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": results, "since": since, "next_since": next_since, "has_more": more,
                         "next": next_url})

    def client_query_summary(self, request, response):
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        rows = data.get("results") if isinstance(data.get("results"), list) else []
        asked = {key: request.query_params.get(key, "")[:40] for key in ("since", "limit", "kind")}
        answered = ({"text": str(_("%(n)s 条变更") % {"n": len(rows)}), "event_ids": [row["id"] for row in rows],
                     "next_since": data.get("next_since")} if "results" in data
                    else {"text": str(data.get("detail", ""))[:500]})
        return asked, answered, [], len(rows)
