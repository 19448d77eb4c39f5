"""Self-service for businesses: everything about their own entities at /me/, and public statements."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.serializers import ComplaintSerializer, FindingSerializer
from complaints.models import Complaint, Finding
from complaints.selectors import findings_for
from config.api.permissions import IsRegulator
from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from entities.api.serializers import EntitySerializer
from entities.selectors import entities_for
from ratings.api.serializers import CreditSerializer
from ratings.selectors import score_for
from ratings.services import entity_rescore
from regulator.disclosure import selectors as disclosure_selectors
from regulator.disclosure import services
from regulator.disclosure.models import PublicStatement
from regulator.lists import selectors
from regulator.lists.api.serializers import ListingSerializer


class MeView(APIView):
    """我的信用: the caller's entities with score, grade, breakdown, listings, open findings and complaints."""

    @extend_schema(responses={200: OpenApiResponse(description="the caller's entities and their credit files")})
    def get(self, request):
        user = request.user
        if not user.is_business:
            raise PermissionDenied(_("仅供经营主体账户使用。"))
        entities = list(entities_for(user).order_by("id"))
        listings = selectors.listings_for(user).order_by("-id")
        result = []
        for entity in entities:
            score = score_for(entity.pk)
            if score is None:
                entity_rescore(entity_id=entity.pk)
                score = score_for(entity.pk)
            findings = Finding.objects.filter(inspection__entity=entity, rectified_on__isnull=True).select_related(
                "violation_type", "inspection").order_by("rectify_by", "id")
            complaints = Complaint.objects.filter(entity=entity).select_related("entity").order_by("-id")[:100]
            credit = CreditSerializer(score).data
            result.append({
                **EntitySerializer(entity).data,
                "credit": credit,
                "score": score.score,
                "grade": score.grade,
                "breakdown": credit["breakdown"],
                "listings": ListingSerializer([lst for lst in listings if entity.pk in (lst.entity_id,
                                                                                        lst.related_entity_id)],
                                              many=True).data,
                "open_findings": FindingSerializer(findings, many=True).data,
                "complaints": ComplaintSerializer(complaints, many=True).data,
            })
        return Response({"username": user.get_username(), "entities": result})


class StatementSerializer(ModelSerializer):
    listing = ScopedPrimaryKeyRelatedField(selectors.listings_for, required=False, allow_null=True)
    finding = ScopedPrimaryKeyRelatedField(findings_for, required=False, allow_null=True)

    class Meta:
        model = PublicStatement
        fields = ["id", "entity", "listing", "finding", "text", "status", "review_note", "created_at", "reviewed_at"]
        read_only_fields = ["id", "entity", "status", "review_note", "created_at", "reviewed_at"]

    def validate(self, attrs):
        if bool(attrs.get("listing")) == bool(attrs.get("finding")):
            raise serializers.ValidationError({"listing": [_("须且只须针对一条名单或一项处罚。")]})
        return attrs


class StatementReviewSerializer(Serializer):
    approve = serializers.BooleanField()
    review_note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """回应声明: a business's statement beside its listing or penalty, public after a regulator's review."""

    serializer_class = StatementSerializer
    queryset = PublicStatement.objects.none()
    filterset_fields = ["status", "entity"]

    def get_queryset(self):
        return disclosure_selectors.statements_for(self.request.user).order_by("-id")

    def perform_create(self, serializer):
        user = self.request.user
        if not user.is_business:
            raise PermissionDenied(_("仅被列入或被处罚的主体可以发表声明。"))
        own = set(entities_for(user).values_list("pk", flat=True))
        listing, finding = serializer.validated_data.get("listing"), serializer.validated_data.get("finding")
        entity_id = (listing.entity_id or listing.related_entity_id) if listing else finding.inspection.entity_id
        if entity_id not in own:
            raise serializers.ValidationError({"listing" if listing else "finding": [_("不存在或不在权限范围内。")]})
        serializer.save(entity_id=entity_id, submitted_by=user)

    @extend_schema(request=StatementReviewSerializer, responses={200: StatementSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsRegulator])
    def review(self, request, pk=None):
        """审核：无侮辱、诽谤等不当内容的声明予以公开。"""
        body = StatementReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = services.statement_review(statement_id=self.get_object().pk, actor=request.user,
                                              approve=body.validated_data["approve"],
                                              review_note=body.validated_data["review_note"])
        return Response(StatementSerializer(statement).data)
