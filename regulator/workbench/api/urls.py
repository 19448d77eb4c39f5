from django.urls import path
from rest_framework.routers import DefaultRouter

from regulator.workbench.api.views import WorkQueueView

router = DefaultRouter()

urlpatterns = [
    path("workqueue/", WorkQueueView.as_view(), name="workqueue"),
]
