"""URLs of the pages, included at the site root after the API, admin and /healthz."""

from django.contrib.auth import views as auth_views
from django.urls import path

from config.api.throttles import LoginThrottle
from regulator.portal import business, views
from regulator.portal.throttling import throttle

app_name = "web"

# A rate per client address (THROTTLE_LOGIN) in front; failures lock the account and the address out of every
# login, this one included, through django-axes' backend and middleware (config/settings/edge.py).
login = throttle(LoginThrottle, methods=["POST"])(auth_views.LoginView.as_view(
    template_name="web/login.html", next_page="web:business-home"))

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("operators/<str:credit_code>/", views.operator, name="operator"),
    path("operators/<str:credit_code>/report/", views.report, name="report"),
    path("operators/<str:credit_code>/report.pdf", views.report_pdf_view, name="report-pdf"),
    path("verify/", views.verify, name="verify"),
    path("open-data/", views.open_data, name="open-data"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/track/", views.complaint_track, name="complaint-track"),
    path("complaints/track/<str:code>/", views.complaint_status, name="complaint-status"),
    path("accounts/login/", login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:home"), name="logout"),
    path("business/", business.home, name="business-home"),
    path("business/entities/<int:entity_id>/", business.entity_detail, name="business-entity"),
    path("business/complaints/<int:complaint_id>/reply/", business.complaint_reply, name="business-reply"),
    path("business/listings/<int:listing_id>/objection/", business.listing_objection, name="business-objection"),
    path("business/listings/<int:listing_id>/repair/", business.listing_repair, name="business-repair"),
    path("business/documents/", business.documents, name="business-documents"),
    path("business/documents/<int:document_id>/", business.document_detail, name="business-document"),
    path("business/documents/<int:document_id>/pdf/", business.document_pdf, name="business-document-pdf"),
]
