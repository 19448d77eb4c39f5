"""``GET /api/v1/public/worker-cards/<card_code>/``: a household worker's 居家上门服务证 as the public checks it.

No login, throttled like every public endpoint; the answer (regulator.disclosure.cards) shows the masked name, the
firm, the validity and the flags, and carries a signed receipt naming the card and what it showed. An unknown or
malformed code is a 404, answered like a missing card so codes cannot be probed for their shape.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from config.api.serializers import Serializer
from regulator.disclosure import cards
from regulator.disclosure.api.public import _PublicView, _stamp
from regulator.disclosure.api.reviews import ReviewSummarySerializer


class CardFlagsSerializer(Serializer):
    identity_verified = serializers.BooleanField(help_text="身份已核验")
    health_check_valid = serializers.BooleanField(help_text="健康体检在有效期内")
    training_done = serializers.BooleanField(help_text="已完成岗前培训或回炉培训")
    no_bad_record = serializers.BooleanField(help_text="无在效不良记录（公示期内的名单或行政处罚）")


class PublicWorkerCardSerializer(Serializer):
    """居家上门服务证核验结果: masked name, firm, validity, flags; never an ID number, phone, address or photo."""

    card_code = serializers.CharField()
    worker_name = serializers.CharField(help_text="掩码姓名，如 张*")
    firm_name = serializers.CharField()
    firm_credit_code = serializers.CharField()
    status = serializers.ChoiceField(choices=[("valid", "有效"), ("expired", "已失效"), ("revoked", "已注销")])
    status_text = serializers.CharField()
    valid = serializers.BooleanField()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="有效时：证件有效的最后一天（含当日）")
    revoked_on = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="失效或注销的原因（文字）")
    flags = CardFlagsSerializer()
    health_check_valid_until = serializers.DateField(allow_null=True)
    reviews = ReviewSummarySerializer(help_text="已公开的家政服务评价：条数与平均分")
    as_of = serializers.DateField()
    data_version = serializers.IntegerField()
    receipt = serializers.DictField(help_text="签名回执（与其他公开答复相同的格式），载明证件编码及核验结果")


class PublicWorkerCardView(_PublicView):
    """居家上门服务证核验 (a family at the door types the code or scans the QR)."""

    @extend_schema(summary="核验居家上门服务证", responses={200: PublicWorkerCardSerializer,
                                                   404: OpenApiResponse(description="无此证件")})
    def get(self, request, card_code: str):
        card = cards.find_card(card_code[:40])
        if card is None:
            raise Http404
        day = timezone.localdate()
        answer = cards.card_answer(card, as_of=day)
        stamp = _stamp("worker_card", {"card_code": card.code}, answer, day, cards.card_terms(answer))
        return Response({**answer, **stamp})
