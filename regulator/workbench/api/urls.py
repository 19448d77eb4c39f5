from django.urls import path
from rest_framework.routers import DefaultRouter

from regulator.workbench.api.satisfaction import SatisfactionView
from regulator.workbench.api.stats import FiguresView, MetricListView
from regulator.workbench.api.views import WorkQueueView

router = DefaultRouter()

urlpatterns = [
    path("workqueue/", WorkQueueView.as_view(), name="workqueue"),
    path("stats/", MetricListView.as_view(), name="stats"),
    # before the metrics: satisfaction is read live, not from the snapshot (regulator/workbench/api/satisfaction.py)
    path("stats/satisfaction/", SatisfactionView.as_view(), name="stats-satisfaction"),
    path("stats/<str:metric>/", FiguresView.as_view(), name="stats-figures"),
]
