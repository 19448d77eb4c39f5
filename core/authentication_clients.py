"""``Authorization: Api-Key <key>``: department clients (部门客户端) and the gate every one of their requests passes.

The gate is in the authentication itself, so it holds for every endpoint of the API, whatever permission
classes a view names:

1. the key must be live (unknown, revoked or expired: 401; looked up on every request, never cached);
2. the request must come from the client's IP allow-list (``config.api.client.client_ip``, which believes
   ``X-Forwarded-For`` only as far as ``TRUSTED_PROXIES`` say): else 403;
3. the client's own rate (``600/min``) through the shared cache: else 429;
4. the view must name the scope a client needs for this method (``client_scopes = {"POST": "licence-check"}``)
   and keep a query log (:class:`ClientQueryLogMixin`), and the client must hold that scope: else 403. A view
   that names no scope is closed to every client: a new endpoint is never reached by a key by accident.

Refusals at 2-4 are written to the client's query log; answers are written by :class:`ClientQueryLogMixin`,
and an answer whose log row cannot be written is not given (503): no client query goes unrecorded.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from config.api.client import client_ip, parse_address
from core import audit
from core.clients import client_key_find, client_query_record

KEYWORD = "Api-Key"
ROLE = "department_client"
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")


@dataclass
class ClientPrincipal:
    """The caller behind a key: authenticated, but no staff role (``is_regulator`` and the like are False)."""

    client_id: int
    name: str
    key_prefix: str
    scopes: frozenset[str]
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False
    is_regulator: bool = False
    is_inspector: bool = False
    is_business: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None
    effective_role: str = ROLE
    role: str = ROLE
    region_codes: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)

    def get_username(self) -> str:
        return f"client:{self.name}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def __str__(self) -> str:
        return self.get_username()


def client_of(request) -> ClientPrincipal | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, ClientPrincipal) else None


def required_scope(view, method: str) -> str | None:
    """The scope a client needs to call ``view`` with ``method`` (None: closed to clients)."""
    scopes = getattr(view, "client_scopes", None)
    return scopes.get(method.upper()) if isinstance(scopes, dict) else None


def mask_id_numbers(value: Any) -> Any:
    """Every resident ID number in a JSON value reduced to its masked form (``1408**********1234``)."""
    if isinstance(value, str):
        return _ID_NUMBER.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], value)
    if isinstance(value, dict):
        return {str(key)[:100]: mask_id_numbers(item) for key, item in list(value.items())[:100]}
    if isinstance(value, (list, tuple)):
        return [mask_id_numbers(item) for item in value[:1000]]
    return value if value is None or isinstance(value, (bool, int, float)) else str(value)


def receipt_id(receipt: Any) -> str:
    """A receipt's id: the SHA-256 of its signature (anyone holding the receipt can compute it)."""
    signature = receipt.get("signature") if isinstance(receipt, dict) else None
    return hashlib.sha256(str(signature).encode()).hexdigest()[:32] if signature else ""


class ClientRateThrottle(SimpleRateThrottle):
    """The client's own rate (``DepartmentClient.rate``), counted per client in the shared cache."""

    scope = "department_client"

    def __init__(self, rate: str, client_id: int):
        self.rate, self.client_id = rate, client_id
        self.num_requests, self.duration = self.parse_rate(rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.client_id}


class ClientForbidden(exceptions.PermissionDenied):
    default_code = "client_forbidden"


def _refusal_log(request, principal: ClientPrincipal, code: int, detail: str) -> None:
    """A refused request in the client's log; best effort (the refusal is answered whether or not it is written)."""
    try:
        with transaction.atomic():
            client_query_record(client_id=principal.client_id, key_prefix=principal.key_prefix,
                                method=request.method, endpoint=request.path, status_code=code,
                                client_ip=_address(request), request_summary={}, answer_summary={"text": detail},
                                receipt_ids=[])
    except DatabaseError:
        pass


def _address(request) -> str | None:
    address = client_ip(request)
    return address if parse_address(address) is not None else None


def _allowed_from(address: str | None, networks: list[str]) -> bool:
    parsed = parse_address(address or "")
    if parsed is None:
        return False
    for entry in networks:
        try:
            if parsed in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>`` (API.md): a department client, through the gate of the module docstring."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Api-Key 请求头格式应为“Authorization: Api-Key <密钥>”。"))
        record = client_key_find(parts[1].decode(errors="replace"))
        if record is None:
            raise exceptions.AuthenticationFailed(_("密钥无效、已过期或已吊销。"), code="invalid_api_key")
        client = record.client
        principal = ClientPrincipal(client_id=client.pk, name=client.name, key_prefix=record.prefix,
                                    scopes=frozenset(client.scopes))
        audit.set_context(username=principal.get_username(), role=ROLE, client_id=client.pk,
                          key_prefix=record.prefix)
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if not _allowed_from(_address(request), client.ip_allowlist):
            self._refuse(request, principal, _("来源地址不在该客户端的 IP 白名单内。"))
        throttle = ClientRateThrottle(client.rate, client.pk)
        if not throttle.allow_request(request, view):
            _refusal_log(request, principal, status.HTTP_429_TOO_MANY_REQUESTS, "rate limited")
            raise exceptions.Throttled(wait=throttle.wait())
        scope = required_scope(view, request.method)
        if scope is None or not isinstance(view, ClientQueryLogMixin):
            self._refuse(request, principal, _("该接口不对部门客户端开放。"))
        if not principal.has_scope(scope):
            self._refuse(request, principal, _("该客户端没有“%(scope)s”权限。") % {"scope": scope})
        return principal, record

    def _refuse(self, request, principal: ClientPrincipal, detail: str) -> None:
        _refusal_log(request, principal, status.HTTP_403_FORBIDDEN, str(detail))
        raise ClientForbidden(detail)

    def authenticate_header(self, request) -> str:
        return KEYWORD


class StaffOrClient(BasePermission):
    """Regulators and inspectors; or a department client (whose scope the gate has checked)."""

    def has_permission(self, request, view) -> bool:
        if client_of(request) is not None:
            return True
        user = request.user
        return bool(user and user.is_authenticated and (user.is_regulator or user.is_inspector))


class ClientQueryLogMixin:
    """Every request a client makes to the view is one :class:`core.models.ClientQuery` row.

    Written before the answer leaves, in its own savepoint: a failure to write it withholds a successful answer
    (503, ``query_log_unavailable``) rather than answering off the record, and never turns it into a 500. The
    checks only read, so the answer and its record stand or fall together. Views override
    :meth:`client_query_summary` to say what was asked and answered (ID numbers masked and hashed).
    """

    client_scopes: dict[str, str] = {}

    def client_query_summary(self, request, response) -> tuple[dict, dict, list[str], int]:
        """(request summary, answer summary, receipt ids, items): the request body masked, the status's words."""
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        asked = mask_id_numbers(request.data if isinstance(request.data, (dict, list)) else {})
        return {"body": asked}, {"text": str(data.get("detail", ""))[:500]}, [], 0

    def finalize_response(self, request, response, *args, **kwargs):
        principal = client_of(request)
        if principal is not None:
            try:
                asked, answered, receipts, items = self.client_query_summary(request, response)
                with transaction.atomic():
                    client_query_record(client_id=principal.client_id, key_prefix=principal.key_prefix,
                                        method=request.method, endpoint=request.path,
                                        status_code=response.status_code, client_ip=_address(request),
                                        request_summary=asked, answer_summary=answered, receipt_ids=receipts,
                                        items=items)
            except DatabaseError:
                response = Response({"detail": str(_("查询记录暂时无法写入，本次不予答复，请稍后重试。")),
                                     "code": "query_log_unavailable"}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                                    headers={"Retry-After": "30"})
        return super().finalize_response(request, response, *args, **kwargs)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The schema's word for it: ``Authorization: Api-Key <key>``, for department clients."""

    target_class = ApiKeyAuthentication
    name = "apiKeyAuth"

    def get_security_requirement(self, auto_schema):
        """Only on the operations a client can reach (the view names a scope for the method)."""
        return {self.name: []} if required_scope(auto_schema.view, auto_schema.method) else None

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Authorization: Api-Key <key>`: a department client's key, issued by a regulator in the admin "
                "(shown once). An unknown, expired or revoked key answers 401 at once; a source address outside "
                "the client's IP allow-list, or an endpoint outside its scopes, 403; over its rate, 429. Every "
                "request is in the client's query log."
            ),
        }
