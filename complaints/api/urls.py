from django.urls import path
from rest_framework.routers import DefaultRouter

from complaints.api import campaigns, rectification
from complaints.api.attachments import ComplaintAttachmentFileView, ComplaintAttachmentsView
from complaints.api.satisfaction import ComplaintSatisfactionView
from complaints.api.views import (
    ComplaintTrackViewSet,
    ComplaintViewSet,
    FindingViewSet,
    InspectionPlanViewSet,
    InspectionViewSet,
    PublicInspectionPlanViewSet,
    ViolationTypeViewSet,
)
from complaints.api.worker_links import ComplaintWorkerView, FindingWorkerView

router = DefaultRouter()
# The tracking route is registered before the complaints' detail route so "track" is never read as an id.
router.register("complaints/track", ComplaintTrackViewSet, basename="complaint-track")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("violation-types", ViolationTypeViewSet, basename="violation-type")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("inspection-plans", InspectionPlanViewSet, basename="inspection-plan")
router.register("public/inspection-plans", PublicInspectionPlanViewSet, basename="public-inspection-plan")
router.register("campaigns", campaigns.CampaignViewSet, basename="campaign")  # 专项行动 (complaints/api/campaigns.py)

# the household worker a complaint or finding names (complaints/api/worker_links.py)
urlpatterns = [
    path("complaints/<int:complaint_id>/worker/", ComplaintWorkerView.as_view(), name="complaint-worker"),
    path("findings/<int:finding_id>/worker/", FindingWorkerView.as_view(), name="finding-worker"),
    # a complaint's attachments (complaints/api/attachments.py)
    path("complaints/<int:complaint_id>/attachments/", ComplaintAttachmentsView.as_view(),
         name="complaint-attachments"),
    path("complaint-attachments/<int:complaint_attachment_id>/file/", ComplaintAttachmentFileView.as_view(),
         name="complaint-attachment-file"),
    *rectification.urlpatterns,  # 整改材料 (complaints/api/rectification.py)
    # 满意在山西: the complainant rates the handling (complaints/api/satisfaction.py)
    path("complaints/track/<str:tracking_code>/satisfaction/", ComplaintSatisfactionView.as_view(),
         name="complaint-satisfaction"),
    path("inspections/<int:inspection_id>/campaign/", campaigns.InspectionCampaignView.as_view(),
         name="inspection-campaign"),  # 专项行动 tagging (complaints/api/campaigns.py)
]
