"""The one router of /api/v1/: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from complaints.api.urls import router as complaints_router
from entities.api.urls import router as entities_router
from ratings.api.urls import router as ratings_router
from ratings.api.urls import urlpatterns as ratings_urls
from regulator.api.urls import router as regulator_router
from regulator.api.urls import urlpatterns as regulator_urls


class Router(DefaultRouter):
    """Object ids in paths are digits only: ``int()`` would also take ``6\u00a0`` or ``٦`` and answer entry 6.

    A viewset that looks up by something else sets its own ``lookup_value_regex``.
    """

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        regex = super().get_lookup_regex(viewset, lookup_prefix)
        if getattr(viewset, "lookup_value_regex", None) is None and getattr(viewset, "lookup_field", "pk") in (
                "pk", "id"):
            regex = regex.replace("[^/.]+", "[0-9]+")  # DRF's default lookup value
        return regex


router = Router()
for app_router in (regulator_router, entities_router, complaints_router, ratings_router):
    router.registry.extend(app_router.registry)

urlpatterns = [*ratings_urls, *regulator_urls, *router.urls]
