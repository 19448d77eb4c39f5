"""名单共享: the lists in effect, for regulators and for department clients with ``lists:read``.

``GET /api/v1/lists/<black|watch|red>/``: every published listing in effect today, subjects named in full (a
person by name, the ID number only masked: never whole). The public sees published listings with persons'
names masked and reasons redacted; the records in full (the watch list, 重点关注名单, included) reach a department
client here only, and only with ``lists:read`` (the gate in ``core.authentication_clients``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission

from config.api.serializers import Serializer
from core.authentication_clients import ClientQueryLogMixin, client_of
from core.models import ClientScope
from regulator.lists.models import Listing, ListingStatus


class RegulatorOrClient(BasePermission):
    """Regulators; or a department client (its ``lists:read`` checked by the gate)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return client_of(request) is not None or bool(user and user.is_authenticated and user.is_regulator)


class SharedListingSerializer(Serializer):
    id = serializers.IntegerField()
    list_type = serializers.CharField()
    subject_type = serializers.CharField()
    credit_code = serializers.CharField(allow_null=True, source="entity.credit_code", default=None)
    entity_name = serializers.CharField(allow_null=True, source="entity.name", default=None)
    person_name = serializers.CharField(allow_null=True, source="person.name", default=None)
    id_number_masked = serializers.CharField(allow_null=True, source="person.id_number_masked", default=None)
    person_role = serializers.CharField(allow_blank=True)
    related_credit_code = serializers.CharField(allow_null=True, source="related_entity.credit_code", default=None)
    reason = serializers.CharField()
    legal_basis = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    decision_number = serializers.CharField(allow_blank=True)
    published_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    source_authority = serializers.CharField(allow_blank=True)


@extend_schema(tags=["lists"], summary="名单共享（含重点关注名单）", responses={
    200: SharedListingSerializer(many=True),
    403: OpenApiResponse(description="非监管人员，或部门客户端没有 lists:read 权限")})
class SharedListView(ClientQueryLogMixin, generics.ListAPIView):
    """The published listings of one list type in effect today (paginated, oldest first)."""

    serializer_class = SharedListingSerializer
    permission_classes = [RegulatorOrClient]
    client_scopes = {"GET": ClientScope.LISTS_READ.value}
    filter_backends: list = []
    queryset = Listing.objects.none()

    def get_queryset(self):
        today = timezone.localdate()
        return (Listing.objects.filter(list_type=self.kwargs["list_type"], status=ListingStatus.PUBLISHED,
                                       published_on__lte=today)
                .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
                .select_related("entity", "person", "related_entity").order_by("id"))

    def client_query_summary(self, request, response):
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        rows = data.get("results") if isinstance(data.get("results"), list) else []
        return ({"list_type": self.kwargs.get("list_type"), "page": request.query_params.get("page", "1")[:10]},
                {"text": str(_("%(n)s 条") % {"n": len(rows)}) if rows or "count" in data else str(data.get("detail", "")),
                 "count": data.get("count"), "listing_ids": [row["id"] for row in rows]}, [], len(rows))
