"""Self-service for businesses: everything about their own entities at /me/, and public statements."""

from __future__ import annotations

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
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
from ratings.selectors import scores_for
from ratings.services import entity_rescore
from regulator.disclosure import selectors as disclosure_selectors
from regulator.disclosure import services
from regulator.disclosure.api.serializers import SelfServiceSerializer
from regulator.disclosure.models import PublicStatement
from regulator.disclosure.statements import statement_submit
from regulator.lists import selectors
from regulator.lists.api.serializers import ListingSerializer

#: the latest complaints shown per entity on /me/
COMPLAINTS_SHOWN = 100


_ME_EXAMPLE = OpenApiExample(
    "一个主体", response_only=True, status_codes=["200"], summary="经营主体账户与其一个主体",
    value={"username": "hotel-owner", "entities": [{
        "id": 3, "credit_code": "91140800MA0H2K3L4X", "name": "运城市某某酒店有限公司", "sector": "tourism",
        "category": "hotel", "region_code": "140802", "address": "运城市盐湖区……", "status": "active",
        "created_at": "2026-01-05T09:00:00+08:00", "updated_at": "2026-01-05T09:00:00+08:00",
        "credit": {"entity": 3, "score": 820, "grade": "A", "model_version": "2026.1",
                   "computed_at": "2026-12-01T08:00:00+08:00", "as_of": "2026-12-01", "base": 800,
                   "breakdown": [{"source_type": "finding", "source_id": 7, "rule": "finding_general", "base_points": -20,
                                  "weight": 1.0, "points": -20, "occurred_on": "2026-05-01",
                                  "expires_on": "2027-05-01"}]},
        "score": 820, "grade": "A", "breakdown": [], "listings": [], "open_findings": [], "complaints": []}]})


class MeView(APIView):
    """我的信用: the caller's entities with score, grade, breakdown, listings, open findings and complaints."""

    @extend_schema(summary="本单位的信用档案", responses={
        200: SelfServiceSerializer, 403: OpenApiResponse(description="不是经营主体账户")}, examples=[_ME_EXAMPLE])
    def get(self, request):
        user = request.user
        if not user.is_business:
            raise PermissionDenied(_("仅供经营主体账户使用。"))
        entities = list(entities_for(user).order_by("id"))
        ids = [entity.pk for entity in entities]
        scores = scores_for(ids)
        for entity_id in set(ids) - set(scores):  # never scored yet: scored now, once
            entity_rescore(entity_id=entity_id)
        if len(scores) < len(ids):
            scores = scores_for(ids)
        # Each kind of record read once for all the caller's entities, and serialised in one pass.
        listings = list(selectors.listings_for(user).order_by("-id"))
        findings = list(Finding.objects.filter(inspection__entity_id__in=ids, rectified_on__isnull=True)
                        .select_related("violation_type", "inspection").order_by("rectify_by", "id"))
        recent = Window(RowNumber(), partition_by=[F("entity_id")], order_by=F("id").desc())
        complaints = list(Complaint.objects.filter(entity_id__in=ids).annotate(recent=recent)
                          .filter(recent__lte=COMPLAINTS_SHOWN).select_related("entity").order_by("-id"))
        listing_rows = ListingSerializer(listings, many=True).data
        finding_rows = FindingSerializer(findings, many=True).data
        complaint_rows = ComplaintSerializer(complaints, many=True).data
        credits = dict(zip(ids, CreditSerializer([scores[pk] for pk in ids], many=True).data, strict=True))
        result = []
        for entity, row in zip(entities, EntitySerializer(entities, many=True).data, strict=True):
            credit, score = credits[entity.pk], scores[entity.pk]
            result.append({
                **row,
                "credit": credit,
                "score": score.score,
                "grade": score.grade,
                "breakdown": credit["breakdown"],
                "listings": [data for listing, data in zip(listings, listing_rows, strict=True)
                             if entity.pk in (listing.entity_id, listing.related_entity_id)],
                "open_findings": [data for finding, data in zip(findings, finding_rows, strict=True)
                                  if finding.inspection.entity_id == entity.pk],
                "complaints": [data for complaint, data in zip(complaints, complaint_rows, strict=True)
                               if complaint.entity_id == entity.pk],
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
        """The page's service writes it too (``statements.statement_submit``): the record's state, the text and
        the caller's own entities are checked there, and a resubmission while one waits for review amends it."""
        listing, finding = serializer.validated_data.get("listing"), serializer.validated_data.get("finding")
        serializer.instance = statement_submit(actor=self.request.user, text=serializer.validated_data.get("text"),
                                               listing_id=listing.pk if listing else None,
                                               finding_id=finding.pk if finding else None)

    @extend_schema(summary="审核回应声明", request=StatementReviewSerializer, responses={200: StatementSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsRegulator])
    def review(self, request, pk=None):
        """审核：无侮辱、诽谤等不当内容的声明予以公开。"""
        body = StatementReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = services.statement_review(statement_id=self.get_object().pk, actor=request.user,
                                              approve=body.validated_data["approve"],
                                              review_note=body.validated_data["review_note"])
        return Response(StatementSerializer(statement).data)
