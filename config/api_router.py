"""The one router of /api/v1/: every app and room registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from complaints.api import urls as complaints_urls
from core.api import urls as core_urls
from entities.api import urls as entities_urls
from ratings.api import urls as ratings_urls
from regulator.disclosure.api import urls as disclosure_urls
from regulator.lists.api import urls as lists_urls
from regulator.workbench.api import urls as workbench_urls


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


# Registered in the order the API has always listed them (accounts first).
ROOMS = (core_urls, lists_urls, disclosure_urls, workbench_urls, entities_urls, complaints_urls, ratings_urls)

router = Router()
for room in ROOMS:
    router.registry.extend(room.router.registry)

urlpatterns = [*ratings_urls.urlpatterns, *(pattern for room in ROOMS if room is not ratings_urls
                                           for pattern in getattr(room, "urlpatterns", [])), *router.urls]
