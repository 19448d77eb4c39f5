from django.urls import path
from rest_framework.routers import DefaultRouter

from regulator.lists.api.views import (
    BatchLicenceCheckView,
    LicenceCheckView,
    LicenceTypeView,
    ListingViewSet,
    ObjectionViewSet,
    RepairApplicationViewSet,
    RuleSetViewSet,
)

router = DefaultRouter()
router.register("listings", ListingViewSet, basename="listing")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("repair-applications", RepairApplicationViewSet, basename="repair-application")
router.register("rule-sets", RuleSetViewSet, basename="rule-set")

urlpatterns = [
    path("licence-types/", LicenceTypeView.as_view(), name="licence-type-list"),
    path("licence-checks/", LicenceCheckView.as_view(), name="licence-check"),
    path("licence-checks/batch/", BatchLicenceCheckView.as_view(), name="licence-check-batch"),
]
