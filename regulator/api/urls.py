from rest_framework.routers import DefaultRouter

from .calendar import CalendarDayViewSet
from .views import UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("calendar", CalendarDayViewSet, basename="calendar-day")
