"""审计日志 (regulators): every write, who, when, what, before/after, with its place in the hash chain."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.filters import FilterSet, IdFilter, IsoDateTimeFilter
from config.api.permissions import IsRegulator
from config.api.serializers import ModelSerializer
from core.audit import verify_chain
from core.models import AuditEntry


class AuditEntrySerializer(ModelSerializer):
    user_id = serializers.SerializerMethodField()
    username = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    ip = serializers.SerializerMethodField()
    endpoint = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["id", "table_name", "operation", "object_id", "before", "after", "user_id", "username", "role",
                  "ip", "endpoint", "context", "created_at", "prev_hash", "hash"]
        read_only_fields = fields

    def get_user_id(self, entry) -> int | None:
        return entry.context.get("user_id")

    def get_username(self, entry) -> str | None:
        return entry.context.get("username")

    def get_role(self, entry) -> str | None:
        return entry.context.get("role")

    def get_ip(self, entry) -> str | None:
        return entry.context.get("ip")

    def get_endpoint(self, entry) -> str | None:
        return entry.context.get("endpoint")


class AuditFilterSet(FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200,
                                       label="「数据表:记录编号」（如 regulator_listing:12）、记录编号或用户名（精确匹配）")
    q = django_filters.CharFilter(method="filter_search", max_length=200, label="同 search")
    table = django_filters.CharFilter(field_name="table_name")
    object_id = django_filters.CharFilter()
    operation = django_filters.MultipleChoiceFilter(choices=[(o, o) for o in ("INSERT", "UPDATE", "DELETE")])
    user = IdFilter(method="filter_user")
    username = django_filters.CharFilter(field_name="context__username")
    after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["table", "object_id", "operation", "user"]

    def filter_user(self, queryset, name, value):
        return queryset.filter(context__user_id=value) if value is not None else queryset

    def filter_search(self, queryset, name, value):
        """Exact matches, as the admin's search: a substring search over the whole chain would scan it all."""
        term = (value or "").strip()
        if not term:
            return queryset
        table, separator, object_id = term.partition(":")
        if separator:
            return queryset.filter(table_name=table.strip(), object_id=object_id.strip())
        if term.isdigit():
            return queryset.filter(object_id=term)
        return queryset.filter(context__username=term)


class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only: the database refuses any change to these rows."""

    serializer_class = AuditEntrySerializer
    permission_classes = [IsRegulator]
    queryset = AuditEntry.objects.all().order_by("-id")
    filterset_class = AuditFilterSet

    @extend_schema(summary="校验审计日志哈希链", responses={200: inline_serializer(name="AuditChainReport", fields={
        "valid": serializers.BooleanField(),
        "entries": serializers.IntegerField(help_text="校验的条目数。"),
        "first_bad_id": serializers.IntegerField(allow_null=True, help_text="第一条不成立的条目编号。"),
        "problem": serializers.CharField(allow_blank=True, help_text="不成立的原因；成立时为空。"),
    })})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def verify(self, request):
        report = verify_chain()
        return Response({"valid": report.valid, "entries": report.entries, "first_bad_id": report.first_bad_id,
                         "problem": report.problem})
