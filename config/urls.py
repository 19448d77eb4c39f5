"""Top-level URLs: the API under /api/v1/, its schema and docs, /healthz, the admin, then the web pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import healthz
from core.api.views import TokenView
from regulator.disclosure.api.public import ReceiptJwksView

handler400 = "regulator.portal.errors.bad_request"
handler403 = "regulator.portal.errors.permission_denied"
handler404 = "regulator.portal.errors.page_not_found"
handler500 = "regulator.portal.errors.server_error"

admin.site.site_header = "信用监管平台"
admin.site.site_title = "信用监管平台"
admin.site.index_title = "监管后台"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/auth/token/", TokenView.as_view(), name="auth-token"),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    # The receipts' public key where JOSE clients look for it (RFC 8615, RFC 7517; decision 0010).
    path(".well-known/jwks.json", ReceiptJwksView.as_view(), name="receipt-jwks"),
    path("bulletins/", include("regulator.workbench.urls")),
    path("", include("regulator.portal.urls")),
]
