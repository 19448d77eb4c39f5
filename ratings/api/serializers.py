"""Shapes of the credit endpoints (API.md: Credit)."""

from __future__ import annotations

from rest_framework import serializers

from config.api.serializers import ModelSerializer, Serializer
from ratings.models import CreditScore, CreditScoreHistory, ScoringModel


class BreakdownLineSerializer(Serializer):
    source_type = serializers.CharField()
    source_id = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    base_points = serializers.IntegerField()
    weight = serializers.FloatField()
    points = serializers.IntegerField()
    occurred_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class CreditSerializer(ModelSerializer):
    entity = serializers.IntegerField(source="entity_id", read_only=True)
    breakdown = BreakdownLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditScore
        fields = ["entity", "score", "grade", "model_version", "computed_at", "as_of", "base", "breakdown"]
        read_only_fields = fields


class CreditHistorySerializer(ModelSerializer):
    class Meta:
        model = CreditScoreHistory
        fields = ["score", "grade", "model_version", "as_of", "computed_at"]
        read_only_fields = fields


class ScoringModelSerializer(ModelSerializer):
    class Meta:
        model = ScoringModel
        fields = ["id", "version", "name", "effective_from", "rules", "is_active", "activated_at", "created_at"]
        read_only_fields = ["id", "is_active", "activated_at", "created_at"]
