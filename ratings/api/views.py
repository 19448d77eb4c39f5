"""Credit endpoints: an entity's score with its breakdown and history, and the scoring models."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.permissions import IsRegulator
from entities.selectors import entities_for
from ratings import selectors, services
from ratings.api.serializers import CreditHistorySerializer, CreditSerializer, ScoringModelSerializer
from ratings.models import CreditScoreHistory, ScoringModel


def _entity_in_scope(request, entity_id: int):
    """Businesses see their own, regulators and in-scope inspectors all: others get 404."""
    return get_object_or_404(entities_for(request.user), pk=entity_id)


class EntityCreditView(generics.GenericAPIView):
    """信用分: score, grade, model version and the breakdown whose lines add up to the score."""

    serializer_class = CreditSerializer

    @extend_schema(summary="主体信用分与明细",
                   responses={200: CreditSerializer, 404: OpenApiResponse(description="不存在或不在权限范围内")})
    def get(self, request, entity_id: int):
        entity = _entity_in_scope(request, entity_id)
        score = selectors.score_for(entity.pk)
        if score is None:
            # Not scored yet (new entity): score it now with the same SQL as every other path.
            services.entity_rescore(entity_id=entity.pk)
            score = selectors.score_for(entity.pk)
        return Response(CreditSerializer(score).data)


@extend_schema(summary="主体信用分历史")
class EntityCreditHistoryView(generics.ListAPIView):
    """信用分历史: one row per change of score or grade, newest first."""

    serializer_class = CreditHistorySerializer
    queryset = CreditScoreHistory.objects.none()

    def get_queryset(self):
        entity = _entity_in_scope(self.request, self.kwargs["entity_id"])
        return selectors.history_for(entity.pk)


class ScoringModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """评分模型 (regulators): versioned rules; activating one triggers a full recompute."""

    serializer_class = ScoringModelSerializer
    permission_classes = [IsRegulator]
    queryset = ScoringModel.objects.all().order_by("-version")
    filterset_fields = ["is_active"]

    def perform_create(self, serializer):
        serializer.instance = services.scoring_model_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.scoring_model_update(model=serializer.instance, **serializer.validated_data)

    @extend_schema(summary="启用评分模型", request=None,
                   responses={200: ScoringModelSerializer, 409: OpenApiResponse(description="已启用或未生效")})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        run = services.scoring_model_activate(model_id=self.get_object().pk)
        model = ScoringModel.objects.get(pk=pk)
        data = {**ScoringModelSerializer(model).data, "recompute_run": run.pk}
        return Response(data)
