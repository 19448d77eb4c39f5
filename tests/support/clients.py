"""The two ways a test calls the service: the API through DRF's client, the pages through Django's."""

from __future__ import annotations

from django.test import Client
from knox.models import get_token_model
from rest_framework.test import APIClient


def api_client(user=None, *, token: bool = False, **options) -> APIClient:
    """A DRF client calling as ``user``, anonymous when ``user`` is None.

    By default the user is force-authenticated (no authentication on the way); with ``token=True`` the
    client sends ``Authorization: Token <key>`` with a real token, the way real callers authenticate.
    ``options`` go to the client as they are (``REMOTE_ADDR=...``, ``raise_request_exception=False``).
    """
    client = APIClient(**options)
    if user is None:
        return client
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    else:
        client.force_authenticate(user)
    return client


def api_token(user) -> str:
    """A new real API token of ``user``, issued as the token endpoint issues one (django-rest-knox)."""
    _instance, token = get_token_model().objects.create(user=user)
    return token


def page_client(user=None, *, enforce_csrf_checks: bool = False) -> Client:
    """Django's test client for the web pages and the admin, logged in as ``user`` (anonymous when None).

    ``enforce_csrf_checks`` makes it a browser that must send the CSRF token, as a real one does.
    """
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    if user is not None:
        client.force_login(user)
    return client
