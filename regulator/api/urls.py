from django.urls import path
from rest_framework.routers import DefaultRouter

from regulator.api.audit import AuditLogViewSet
from regulator.api.calendar import CalendarDayViewSet
from regulator.api.listings import (
    BatchLicenceCheckView,
    LicenceCheckView,
    ListingViewSet,
    ObjectionViewSet,
    RepairApplicationViewSet,
    RuleSetViewSet,
)
from regulator.api.public import (
    PublicBlacklistView,
    PublicChangesView,
    PublicEntityView,
    PublicExportView,
    PublicRedlistView,
    ReceiptKeyView,
    ReceiptVerifyView,
)
from regulator.api.selfservice import MeView, StatementViewSet
from regulator.api.views import UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("calendar", CalendarDayViewSet, basename="calendar-day")
router.register("listings", ListingViewSet, basename="listing")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("repair-applications", RepairApplicationViewSet, basename="repair-application")
router.register("rule-sets", RuleSetViewSet, basename="rule-set")
router.register("statements", StatementViewSet, basename="statement")
router.register("audit-log", AuditLogViewSet, basename="audit-log")

urlpatterns = [
    path("licence-checks/", LicenceCheckView.as_view(), name="licence-check"),
    path("licence-checks/batch/", BatchLicenceCheckView.as_view(), name="licence-check-batch"),
    path("public/blacklist/", PublicBlacklistView.as_view(), name="public-blacklist"),
    path("public/redlist/", PublicRedlistView.as_view(), name="public-redlist"),
    path("public/entities/<str:credit_code>/", PublicEntityView.as_view(), name="public-entity"),
    path("public/exports/<str:name>", PublicExportView.as_view(), name="public-export"),
    path("public/changes/", PublicChangesView.as_view(), name="public-changes"),
    path("public/receipts/verify/", ReceiptVerifyView.as_view(), name="receipt-verify"),
    path("public/receipts/key/", ReceiptKeyView.as_view(), name="receipt-key"),
    path("me/", MeView.as_view(), name="me"),
]
