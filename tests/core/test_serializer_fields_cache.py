"""Model serializers build their fields from the model once per class (issue 14), never sharing a field."""

from __future__ import annotations

from complaints.api.serializers import FindingSerializer
from config.api import serializers as api_serializers
from regulator.lists.api.serializers import RepairSerializer


def test_two_serializers_of_a_class_get_equal_fields_but_not_the_same_objects():
    first, second = FindingSerializer(), FindingSerializer()
    assert list(first.fields) == list(second.fields) and first.fields
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second


def test_a_cached_writable_date_field_still_holds_to_the_window():
    for _ in range(2):  # built, then copied from the cache
        field = RepairSerializer().fields["filed_on"]
        assert api_serializers.validate_date_in_window in field.validators


def test_the_cache_belongs_to_the_class_not_to_its_parent():
    FindingSerializer().fields  # noqa: B018 - builds the cache
    assert "_built_fields" in FindingSerializer.__dict__
    assert "_built_fields" not in api_serializers.ModelSerializer.__dict__
