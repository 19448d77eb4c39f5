from django.urls import path
from rest_framework.routers import DefaultRouter

from entities.api import workers
from entities.api.views import EntityViewSet, LicenceViewSet, PersonRoleViewSet, PersonViewSet

router = DefaultRouter()
router.register("entities", EntityViewSet, basename="entity")
router.register("persons", PersonViewSet, basename="person")
router.register("roles", PersonRoleViewSet, basename="role")
router.register("licences", LicenceViewSet, basename="licence")
workers.register(router)  # 家政服务员信用档案 and 居家上门服务证 (entities/api/workers.py)

urlpatterns = [path("workers/upload/", workers.WorkerUploadView.as_view(), name="worker-upload")]
