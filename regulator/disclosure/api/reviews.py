"""The public shape of the household-service reviews' summary (家政服务评价): on the worker card and the firm's page."""

from __future__ import annotations

from rest_framework import serializers

from config.api.serializers import Serializer


class ReviewSummarySerializer(Serializer):
    """已公开的家政服务评价：条数与平均分（1-5，保留两位小数；无评价时为 null）。"""

    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
