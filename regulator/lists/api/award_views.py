"""诚信评选 (awards) endpoints: rounds, applications and nominations, the regulator's steps, and the public's
notice list and objections. Thin: each view parses, calls one service or selector, serializes."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import StandardPagination
from config.api.permissions import IsRegulator, RegulatorWritesOthersRead
from config.api.throttles import ComplaintCreateThrottle, PublicThrottle
from regulator.lists import award_selectors, award_services
from regulator.lists.api.award_serializers import (
    AwardApplicationSerializer,
    AwardFileSerializer,
    AwardObjectionAnswerSerializer,
    AwardRoundSerializer,
    AwardStepSerializer,
    PublicAwardsSerializer,
    PublicObjectionReceiptSerializer,
    PublicObjectionSerializer,
    public_row,
)
from regulator.lists.awards import AwardApplication, AwardRound

TAGS = ["lists"]
_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")
_BAD = OpenApiResponse(description="请求内容有误（答复指明字段）")
_FORBIDDEN = OpenApiResponse(description="无权执行（仅监管人员）")
_CONFLICT = OpenApiResponse(description="与当前状态冲突（非法流转、不在申报期或公示期、公示期未满、异议未处理、条件已不符合、"
                                        "规则集没有评选规则）")


class AwardRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """诚信评选批次. Regulators open rounds; businesses see the open ones and apply for their own entities."""

    serializer_class = AwardRoundSerializer
    queryset = AwardRound.objects.none()
    permission_classes = [RegulatorWritesOthersRead]
    pagination_class = StandardPagination

    def get_permissions(self):
        if self.action == "applications":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        return award_selectors.rounds_for(self.request.user).order_by("-opens_on", "-id")

    @extend_schema(tags=TAGS, summary="诚信评选批次列表", responses={200: AwardRoundSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=TAGS, summary="查看诚信评选批次", responses={200: AwardRoundSerializer, 404: _NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(tags=TAGS, summary="开展诚信评选（新建批次）",
                   responses={201: AwardRoundSerializer, 400: _BAD, 403: _FORBIDDEN, 409: _CONFLICT})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = award_services.award_round_open(
            kind=data["kind"], name=data["name"], region_code=data["region_code"], opens_on=data["opens_on"],
            closes_on=data["closes_on"], sectors=data.get("sectors", []), conditions=data.get("conditions", []),
            actor=self.request.user)

    @extend_schema(tags=TAGS, summary="申报或推荐参评", request=AwardFileSerializer,
                   responses={201: AwardApplicationSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"], url_path="applications")
    def applications(self, request, pk=None):
        """企业为自己代表的主体申报（他人的主体 404）；监管人员推荐任一主体。提交即自动核验评选条件，逐项记录结果。"""
        body = AwardFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        file = award_services.award_nominate if request.user.is_regulator else award_services.award_apply
        application = file(round_id=int(pk), entity_id=data["entity"], actor=request.user,
                           statement=data["statement"])
        return Response(AwardApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class AwardApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """诚信评选申报. A business reads its own; regulators read all and take the steps."""

    serializer_class = AwardApplicationSerializer
    queryset = AwardApplication.objects.none()
    permission_classes = [RegulatorWritesOthersRead]
    pagination_class = StandardPagination

    def get_queryset(self):
        return award_selectors.applications_for(self.request.user).order_by("-id")

    def get_permissions(self):
        if self.action in ("approve", "refuse", "grant", "revoke", "uphold", "dismiss"):
            return [IsRegulator()]
        return super().get_permissions()

    @extend_schema(tags=TAGS, summary="诚信评选申报列表", responses={200: AwardApplicationSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=TAGS, summary="查看诚信评选申报", responses={200: AwardApplicationSerializer, 404: _NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _answer(self, application):
        return Response(AwardApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)

    def _reason(self, request) -> str:
        body = AwardStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["reason"]

    @extend_schema(tags=TAGS, summary="审核通过，进入公示", request=AwardStepSerializer,
                   responses={200: AwardApplicationSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """审核通过：公示期自今日起，按规则集的工作日数计算截止日。"""
        reason = self._reason(request)
        return self._answer(award_services.award_review(application_id=self.get_object().pk, actor=request.user,
                                                        approve=True, reason=reason))

    @extend_schema(tags=TAGS, summary="不予通过", request=AwardStepSerializer,
                   responses={200: AwardApplicationSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """审核不予通过，须说明理由。"""
        reason = self._reason(request)
        return self._answer(award_services.award_review(application_id=self.get_object().pk, actor=request.user,
                                                        approve=False, reason=reason))

    @extend_schema(tags=TAGS, summary="作出授予决定", request=None,
                   responses={200: AwardApplicationSerializer, 403: _FORBIDDEN, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """公示期满且异议均已处理、评选条件仍符合时授予：制发授予决定书（文号即授予文号）。"""
        return self._answer(award_services.award_decide(application_id=self.get_object().pk, actor=request.user))

    @extend_schema(tags=TAGS, summary="撤销称号", request=AwardStepSerializer,
                   responses={200: AwardApplicationSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """撤销已授予的称号，须说明理由（条件不再符合时系统自动撤销）。"""
        reason = self._reason(request)
        return self._answer(award_services.award_revoke(application_id=self.get_object().pk, actor=request.user,
                                                        reason=reason))

    def _objection(self, request, upheld: bool):
        body = AwardObjectionAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = self.get_object()
        objection = application.objections.filter(pk=body.validated_data["objection"]).first()
        if objection is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"objection": [_("该申报没有此公示异议。")]})
        return self._answer(award_services.award_objection_answer(
            objection_id=objection.pk, actor=request.user, upheld=upheld, answer=body.validated_data["answer"]))

    @extend_schema(tags=TAGS, summary="公示异议成立", request=AwardObjectionAnswerSerializer,
                   responses={200: AwardApplicationSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def uphold(self, request, pk=None):
        """异议成立：评选程序终止，不予通过。"""
        return self._objection(request, True)

    @extend_schema(tags=TAGS, summary="公示异议不成立", request=AwardObjectionAnswerSerializer,
                   responses={200: AwardApplicationSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """异议不成立：异议均处理后回到公示，公示期满后可作出授予决定。"""
        return self._objection(request, False)


class _Public(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []


class PublicAwardsView(_Public):
    throttle_classes = [PublicThrottle]

    @extend_schema(tags=["public"], summary="诚信评选公示与获评名单",
                   responses={200: PublicAwardsSerializer, 429: OpenApiResponse(description="请求过于频繁")})
    def get(self, request):
        """公示中的参评主体（可提出异议）和有效期内的获评主体。不含异议人信息。"""
        day = timezone.localdate()
        body = {"as_of": day,
                "in_notice": [public_row(a) for a in award_selectors.public_notices(day=day)[:500]],
                "granted": [public_row(a) for a in award_selectors.awards_in_force(day=day)[:500]]}
        return Response(PublicAwardsSerializer(body).data)


class PublicAwardObjectionView(_Public):
    throttle_classes = [ComplaintCreateThrottle]

    @extend_schema(tags=["public"], summary="对公示中的参评主体提出异议", request=PublicObjectionSerializer,
                   responses={201: PublicObjectionReceiptSerializer, 400: _BAD, 404: _NOT_FOUND, 409: _CONFLICT,
                              429: OpenApiResponse(description="请求过于频繁")})
    def post(self, request, award_application_id: int):
        """公示期内任何人可提出异议：理由必填；姓名、联系方式选填，仅监管部门可见，不公开。"""
        body = PublicObjectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        objection = award_services.award_object(application_id=award_application_id, reason=data["reason"],
                                                name=data["name"], contact=data["contact"])
        return Response({"id": objection.pk, "application": objection.application_id, "filed_on": objection.filed_on,
                         "message": _("异议已收到，监管部门将在作出授予决定前处理。")}, status=status.HTTP_201_CREATED)
