"""URLs of the pages, included at the site root after the API, admin and /healthz."""

from django.contrib.auth import views as auth_views
from django.urls import path

from config.api.throttles import LoginThrottle
from regulator.portal import (
    award_pages,
    business,
    business_awards,
    business_evidence,
    business_reviews,
    business_workers,
    campaign_pages,
    cards,
    complaint_pages,
    open_data,
    review_pages,
    satisfaction_pages,
    views,
)
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
    path("cards/", cards.card_lookup, name="card-lookup"),
    path("cards/<str:code>/", cards.card, name="card"),
    *campaign_pages.urlpatterns,  # 专项行动结果公开 (regulator/portal/campaign_pages.py)
    path("open-data/", open_data.open_data_page, name="open-data"),
    path("open-data/dictionary/", open_data.dictionary_page, name="open-data-dictionary"),
    path("open-data/dictionary.csv", open_data.dictionary_csv, name="open-data-dictionary-csv"),
    path("open-data/datapackage.json", open_data.datapackage, name="open-data-datapackage"),
    path("complaints/new/", complaint_pages.complaint_new, name="complaint-new"),
    path("complaints/track/", complaint_pages.complaint_track, name="complaint-track"),
    path("complaints/track/<str:code>/", complaint_pages.complaint_status, name="complaint-status"),
    *satisfaction_pages.urlpatterns,  # 满意在山西 (regulator/portal/satisfaction_pages.py)
    *review_pages.urlpatterns,  # 家政服务评价 by link (regulator/portal/review_pages.py)
    path("accounts/login/", login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:home"), name="logout"),
    path("business/", business.home, name="business-home"),
    path("business/entities/<int:entity_id>/", business.entity_detail, name="business-entity"),
    path("business/complaints/<int:complaint_id>/reply/", business.complaint_reply, name="business-reply"),
    path("business/listings/<int:listing_id>/objection/", business.listing_objection, name="business-objection"),
    path("business/listings/<int:listing_id>/repair/", business.listing_repair, name="business-repair"),
    path("business/listings/<int:listing_id>/statement/", business.listing_statement, name="business-statement-listing"),
    path("business/penalties/<int:finding_id>/statement/", business.penalty_statement,
         name="business-statement-penalty"),
    *business_workers.urlpatterns,  # 家政服务员信用档案 (regulator/portal/business_workers.py)
    *business_reviews.urlpatterns,  # 服务订单与客户评价 (regulator/portal/business_reviews.py)
    *business_evidence.urlpatterns,  # 整改材料 (regulator/portal/business_evidence.py)
    *award_pages.urlpatterns,  # 诚信评选公示与异议 (regulator/portal/award_pages.py)
    *business_awards.urlpatterns,  # 诚信评选申报 (regulator/portal/business_awards.py)
    path("business/documents/", business.documents, name="business-documents"),
    path("business/documents/<int:document_id>/", business.document_detail, name="business-document"),
    path("business/documents/<int:document_id>/pdf/", business.document_pdf, name="business-document-pdf"),
]
