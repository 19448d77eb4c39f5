from rest_framework.routers import DefaultRouter

from entities.api.views import EntityViewSet, LicenceViewSet, PersonRoleViewSet, PersonViewSet

router = DefaultRouter()
router.register("entities", EntityViewSet, basename="entity")
router.register("persons", PersonViewSet, basename="person")
router.register("roles", PersonRoleViewSet, basename="role")
router.register("licences", LicenceViewSet, basename="licence")
