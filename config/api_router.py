"""The one router of /api/v1/: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from complaints.api.urls import router as complaints_router
from entities.api.urls import router as entities_router
from ratings.api.urls import router as ratings_router
from ratings.api.urls import urlpatterns as ratings_urls
from regulator.api.urls import router as regulator_router
from regulator.api.urls import urlpatterns as regulator_urls

router = DefaultRouter()
for app_router in (regulator_router, entities_router, complaints_router, ratings_router):
    router.registry.extend(app_router.registry)

urlpatterns = [*ratings_urls, *regulator_urls, *router.urls]
