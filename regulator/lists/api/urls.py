from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from regulator.lists.api import award_views, import_sources, measures, shared_lists
from regulator.lists.api.views import (
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
router.register("import-sources", import_sources.ImportSourceViewSet, basename="import-source")
# 诚信评选 (regulator/lists/api/award_views.py)
router.register("award-rounds", award_views.AwardRoundViewSet, basename="award-round")
router.register("award-applications", award_views.AwardApplicationViewSet, basename="award-application")

urlpatterns = [
    path("licence-types/", LicenceTypeView.as_view(), name="licence-type-list"),
    # the staff views of .views, also reachable by department clients with their scope (Api-Key)
    path("licence-checks/", measures.LicenceCheckView.as_view(), name="licence-check"),
    path("licence-checks/batch/", measures.BatchLicenceCheckView.as_view(), name="licence-check-batch"),
    path("measures/", measures.MeasureCatalogueView.as_view(), name="measure-list"),
    path("measures-checks/", measures.MeasureCheckView.as_view(), name="measures-check"),
    path("measures-checks/batch/", measures.BatchMeasureCheckView.as_view(), name="measures-check-batch"),
    re_path(r"^lists/(?P<list_type>black|watch|red)/$", shared_lists.SharedListView.as_view(), name="shared-list"),
    path("public/awards/", award_views.PublicAwardsView.as_view(), name="public-awards"),
    path("public/awards/<int:award_application_id>/objections/", award_views.PublicAwardObjectionView.as_view(),
         name="public-award-objection"),
]
