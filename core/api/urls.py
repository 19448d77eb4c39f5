from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api.audit import AuditLogViewSet
from core.api.calendar import CalendarDayViewSet
from core.api.documents import ServedDocumentViewSet
from core.api.jobs import JobViewSet
from core.api.views import LogoutAllView, LogoutView, UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("calendar", CalendarDayViewSet, basename="calendar-day")
router.register("audit-log", AuditLogViewSet, basename="audit-log")
router.register("documents", ServedDocumentViewSet, basename="document")
router.register("jobs", JobViewSet, basename="job")

# POST /api/v1/auth/token/ (the login) is mounted by config/urls.py; logging out lives with the accounts.
urlpatterns: list = [
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="auth-logout-all"),
]
