"""Which serializers the API reads and which it only answers with, as drf-spectacular documents every operation.

The generated trust tests hold "every date the API takes" to the date window: a serializer that only ever shapes an
answer (a licence check's result, a public profile) takes nothing, while one documented as a request body, or
nested in one, does. Views read the serializer they document (the schema tests check the document against the
answers), so the document is the map.
"""

from __future__ import annotations

from rest_framework import serializers


def _classes(item) -> set[type]:
    """The serializer classes in a documented body: the serializer, the ones nested in it, recursively."""
    if item is None:
        return set()
    if isinstance(item, dict):
        return set().union(*(_classes(value) for value in item.values()))
    if isinstance(item, (list, tuple)):
        return set().union(*(_classes(value) for value in item))
    item = getattr(item, "response", item)  # OpenApiResponse(response=...)
    if isinstance(item, type) and issubclass(item, serializers.BaseSerializer):
        try:
            item = item()
        except Exception:  # noqa: BLE001 - a serializer that needs arguments: its class alone
            return {item}
    if isinstance(item, serializers.ListSerializer):
        item = item.child
    if not isinstance(item, serializers.BaseSerializer):
        return set()
    found = {type(item)}
    for field in getattr(item, "fields", {}).values():
        child = getattr(field, "child", field)
        if isinstance(child, serializers.BaseSerializer):
            found |= _classes(child)
    return found


def documented_serializers() -> tuple[set[type], set[type]]:
    """(request serializer classes, response serializer classes) over every operation of the API."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.settings import spectacular_settings

    generator = SchemaGenerator()
    generator.parse(None, True)  # builds the endpoints and their schema objects (views with mock requests)
    requests: set[type] = set()
    responses: set[type] = set()
    for path, _path_regex, method, view in generator._get_paths_and_endpoints():
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.method = method
        view.schema.path = path
        requests |= _classes(view.schema.get_request_serializer())
        responses |= _classes(view.schema.get_response_serializers())
    return requests, responses
