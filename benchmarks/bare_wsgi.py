"""The baseline of the load benchmark: a bare Django view on the service's own stack.

``gunicorn benchmarks.bare_wsgi:application`` serves the same settings and the same
middleware as ``config.wsgi`` (sessions, CSRF, locale, auth, the audit context), but
routes every request through this module's two-line urlconf: ``GET /bare/`` answers
``ok`` without touching a model, ``/healthz`` is the service's own liveness check.
The ratio of the service's throughput to this one's is what the service's own work
(queries, serialisation, receipts) costs on top of Django itself.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

get_wsgi_application()  # django.setup(), exactly as config.wsgi does


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


from config.health import healthz  # noqa: E402

urlpatterns = [path("bare/", bare), path("healthz", healthz)]


class BareHandler(WSGIHandler):
    """Django's WSGI handler with this module as the urlconf of every request."""

    def get_response(self, request):
        request.urlconf = __name__
        return super().get_response(request)


application = BareHandler()
