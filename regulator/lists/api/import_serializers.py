"""Shapes of the import's answers (API.md, Lists: import): the synchronous 200 and the row it reports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api.serializers import Serializer


class ImportedRowSerializer(Serializer):
    source_reference = serializers.CharField(read_only=True)
    result = serializers.ChoiceField(choices=[("created", _("新导入")), ("existing", _("已导入过"))], read_only=True)
    listing_id = serializers.IntegerField(read_only=True)


class ImportResultSerializer(Serializer):
    """What an import did, row by row in the order sent (also a finished job's ``result``)."""

    created = serializers.IntegerField(read_only=True)
    existing = serializers.IntegerField(read_only=True)
    results = ImportedRowSerializer(many=True, read_only=True)
