from django.urls import path
from rest_framework.routers import DefaultRouter

from entities.api import coverage as coverage_api
from entities.api import reviews, workers
from entities.api.views import EntityViewSet, LicenceViewSet, PersonRoleViewSet, PersonViewSet

router = DefaultRouter()
router.register("entities", EntityViewSet, basename="entity")
router.register("persons", PersonViewSet, basename="person")
router.register("roles", PersonRoleViewSet, basename="role")
router.register("licences", LicenceViewSet, basename="licence")
workers.register(router)  # 家政服务员信用档案 and 居家上门服务证 (entities/api/workers.py)
reviews.register(router)  # 家政服务订单 and 家政服务评价 (entities/api/reviews.py)
coverage_api.register(router)  # 回炉培训行动 (entities/api/coverage.py)

urlpatterns = [path("workers/upload/", workers.WorkerUploadView.as_view(), name="worker-upload"),
               path("public/reviews/<str:token>/", reviews.PublicReviewLinkView.as_view(), name="public-review-link")]
urlpatterns += coverage_api.urlpatterns  # 全覆盖 (entities/api/coverage.py)
