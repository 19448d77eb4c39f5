"""The API reads JSON (API.md: everything is JSON), and remembers that it did.

Objects parsed from a JSON body are ``JSONObject`` (a dict), so the serializers
can hold JSON's types to the documented schema (``config.api.serializers``)
while the same serializers stay lenient with the all-strings data of an HTML
form handed to them by a web page.
"""

from __future__ import annotations

from rest_framework import parsers


class JSONObject(dict):
    """A JSON object as parsed from a request body."""


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        return _marked(data)


def _marked(value):
    """The parsed value with every object a JSONObject (iteratively: JSON may nest deeper than the stack)."""
    root = [value]
    stack = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, dict):
            item = container[key] = JSONObject(item)
            stack.extend((item, name) for name in item)
        elif isinstance(item, list):
            stack.extend((item, index) for index in range(len(item)))
    return root[0]

