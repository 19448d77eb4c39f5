from django.urls import path
from rest_framework.routers import DefaultRouter

from ratings.api.views import EntityCreditHistoryView, EntityCreditView, ScoringModelViewSet

router = DefaultRouter()
router.register("scoring-models", ScoringModelViewSet, basename="scoring-model")

urlpatterns = [
    path("entities/<int:entity_id>/credit/", EntityCreditView.as_view(), name="entity-credit"),
    path("entities/<int:entity_id>/credit/history/", EntityCreditHistoryView.as_view(), name="entity-credit-history"),
]
