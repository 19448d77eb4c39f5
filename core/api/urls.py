from rest_framework.routers import DefaultRouter

from core.api.audit import AuditLogViewSet
from core.api.calendar import CalendarDayViewSet
from core.api.views import UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("calendar", CalendarDayViewSet, basename="calendar-day")
router.register("audit-log", AuditLogViewSet, basename="audit-log")

urlpatterns: list = []
