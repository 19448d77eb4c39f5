from rest_framework.routers import DefaultRouter

from complaints.api.views import (
    ComplaintTrackViewSet,
    ComplaintViewSet,
    FindingViewSet,
    InspectionPlanViewSet,
    InspectionViewSet,
    PublicInspectionPlanViewSet,
    ViolationTypeViewSet,
)

router = DefaultRouter()
# The tracking route is registered before the complaints' detail route so "track" is never read as an id.
router.register("complaints/track", ComplaintTrackViewSet, basename="complaint-track")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("violation-types", ViolationTypeViewSet, basename="violation-type")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("inspection-plans", InspectionPlanViewSet, basename="inspection-plan")
router.register("public/inspection-plans", PublicInspectionPlanViewSet, basename="public-inspection-plan")
