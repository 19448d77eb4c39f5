from django.urls import path
from rest_framework.routers import DefaultRouter

from regulator.disclosure.api.campaigns import PublicCampaignListView, PublicCampaignView
from regulator.disclosure.api.cards import PublicWorkerCardView
from regulator.disclosure.api.feeds import FeedChangesView
from regulator.disclosure.api.public import (
    PublicBlacklistView,
    PublicChangesView,
    PublicEntityView,
    PublicExportView,
    PublicRedlistView,
    ReceiptKeyView,
    ReceiptVerifyView,
)
from regulator.disclosure.api.publicity import (
    PenaltyFeedView,
    PublicLicencePublicityView,
    PublicPenaltyPublicityView,
)
from regulator.disclosure.api.registry import PublicRegistryView
from regulator.disclosure.api.selfservice import MeView, StatementViewSet

router = DefaultRouter()
router.register("statements", StatementViewSet, basename="statement")

urlpatterns = [
    path("public/blacklist/", PublicBlacklistView.as_view(), name="public-blacklist"),
    path("public/redlist/", PublicRedlistView.as_view(), name="public-redlist"),
    path("public/entities/", PublicRegistryView.as_view(), name="public-registry"),
    path("public/entities/<str:credit_code>/", PublicEntityView.as_view(), name="public-entity"),
    path("public/exports/<str:name>", PublicExportView.as_view(), name="public-export"),
    path("public/changes/", PublicChangesView.as_view(), name="public-changes"),
    path("feeds/changes/", FeedChangesView.as_view(), name="feed-changes"),
    path("public/worker-cards/<str:card_code>/", PublicWorkerCardView.as_view(), name="public-worker-card"),
    path("public/campaigns/", PublicCampaignListView.as_view(), name="public-campaigns"),  # 专项行动结果公开
    path("public/campaigns/<int:campaign_id>/", PublicCampaignView.as_view(), name="public-campaign"),
    path("public/publicity/penalties/", PublicPenaltyPublicityView.as_view(), name="public-publicity-penalties"),
    path("public/publicity/licences/", PublicLicencePublicityView.as_view(), name="public-publicity-licences"),
    path("feeds/penalties/", PenaltyFeedView.as_view(), name="penalty-feed"),  # 双公示 for department clients
    path("public/receipts/verify/", ReceiptVerifyView.as_view(), name="receipt-verify"),
    path("public/receipts/key/", ReceiptKeyView.as_view(), name="receipt-key"),
    path("me/", MeView.as_view(), name="me"),
]
