"""Account endpoints: regulators manage accounts; everyone reads their own at /users/me/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.permissions import IsRegulator
from config.api.throttles import LoginThrottle
from core import services
from core.api.serializers import MeSerializer, UserSerializer
from core.models import User


class UserViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """账户管理 (regulators). Accounts are deactivated (``is_active``), never deleted, to keep the record."""

    serializer_class = UserSerializer
    permission_classes = [IsRegulator]
    filterset_fields = ["role", "is_active"]
    ordering_fields = ["id", "username", "date_joined"]

    def get_queryset(self):
        return User.objects.prefetch_related("entities").order_by("id")

    def get_permissions(self):
        if self.action == "me":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def perform_create(self, serializer):
        serializer.instance = services.user_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.user_save(user=serializer.instance, **serializer.validated_data)

    @extend_schema(responses=MeSerializer)
    @action(detail=False, methods=["get"], serializer_class=MeSerializer, filterset_fields=[], pagination_class=None)
    def me(self, request):
        return Response(MeSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` -> ``{"token"}``; send ``Authorization: Token <token>``."""

    throttle_classes = [LoginThrottle]
