"""Account endpoints: regulators manage accounts; everyone reads their own at /users/me/; token login and logout."""

from __future__ import annotations

from django.contrib.auth import logout as session_logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from knox.models import get_token_model
from rest_framework import exceptions, mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.parsers import JSONParser
from config.api.permissions import IsRegulator
from config.api.throttles import LoginLocked, LoginThrottle, lockout_wait_seconds
from core import services
from core.api.serializers import MeSerializer, UserSerializer
from core.authentication import tokens_revoke
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

    @extend_schema(summary="本人账户", responses=MeSerializer)
    @action(detail=False, methods=["get"], serializer_class=MeSerializer, filterset_fields=[], pagination_class=None)
    def me(self, request):
        return Response(MeSerializer(request.user).data)


class _WithoutSession:
    """The request as ``user_logged_in`` receivers see a token login: no session (axes would open one)."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name: str):
        if name == "session":
            raise AttributeError(name)
        return getattr(self._request, name)


_TOKEN_ISSUED = inline_serializer(name="TokenIssued", fields={
    "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
    "expiry": serializers.DateTimeField(allow_null=True,
                                        help_text="When the token stops working (`TOKEN_TTL_HOURS` after issue)."),
})
_TOKEN_EXAMPLES = [
    OpenApiExample("用户名与密码", value={"username": "regulator", "password": "…"}, request_only=True),
    OpenApiExample("令牌", value={"token": "3f0c…", "expiry": "2026-12-01T20:00:00+08:00"}, response_only=True,
                   status_codes=["200"]),
]


class TokenView(APIView):
    """``POST {"username", "password"}`` -> ``{"token", "expiry"}``; send ``Authorization: Token <token>``.

    Each login issues a new token (one per device or client), valid for ``TOKEN_TTL_HOURS``. Attempts are
    rate-limited per client address (``THROTTLE_LOGIN``), and failures lock the account and the address out
    (``LOGIN_FAILURE_LIMIT`` within ``LOGIN_LOCKOUT_MINUTES``, django-axes): then even the right password
    answers 429 until the lockout ends.
    """

    authentication_classes: list = []  # logging in needs no credentials; a stale token header must not stop it
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginThrottle]
    # JSON only, like the rest of the API (API.md: everything is JSON): a form or multipart body is a 415.
    # One body type keeps the schema, and the clients generated from it, unambiguous.
    parser_classes = [JSONParser]
    renderer_classes = [renderers.JSONRenderer]
    serializer_class = AuthTokenSerializer

    def get_serializer(self, *args, **kwargs):
        return self.serializer_class(*args, context={"request": self.request, "view": self}, **kwargs)

    @extend_schema(
        summary="登录，取得 API 令牌", request=AuthTokenSerializer, responses={200: _TOKEN_ISSUED}, auth=[],
        examples=_TOKEN_EXAMPLES,
        description="Exchange a username and password for a token. Refused attempts count towards a lockout "
                    "of the account and of the client address (429 `login_locked`, with `Retry-After`).")
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            if getattr(request, "axes_locked_out", False):
                raise LoginLocked(wait=lockout_wait_seconds(request)) from None
            raise
        user = serializer.validated_data["user"]
        instance, token = get_token_model().objects.create(user=user)
        # Axes logs the success (AccessLog) and Django updates last_login; both are audited rows.
        user_logged_in.send(sender=type(user), request=_WithoutSession(request), user=user)
        expiry = serializers.DateTimeField().to_representation(instance.expiry) if instance.expiry else None
        return Response({"token": token, "expiry": expiry})


class LogoutView(APIView):
    """Revoke the token this request came with (or end the session it came with)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="退出（作废本令牌）", request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def post(self, request):
        if isinstance(request.auth, get_token_model()):
            request.auth.delete()
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every token of the caller's account (every device), and the session this request came with."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="退出所有设备（作废本账户全部令牌）", request=None,
                   responses={204: OpenApiResponse(description="Every token revoked.")})
    def post(self, request):
        user = request.user
        tokens_revoke(user)
        if request.auth is None:
            session_logout(request._request)
        user_logged_out.send(sender=type(user), request=_WithoutSession(request), user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
