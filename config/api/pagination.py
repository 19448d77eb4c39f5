"""Page-number pagination with ``?page_size=`` up to 200 (API.md conventions).

DRF falls back to the default page size when ``page_size`` cannot be read and
answers 404 "Invalid page" to ``page=abc``; here both are bad input, a 400
naming the parameter. A page beyond the last stays a 404, and a page size
above 200 is capped (API.md: max 200).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from config.api.filters import query_integer


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = query_integer(request, self.page_size_query_param,
                             _("每页条数应为一个正整数（超过 %(max)s 按 %(max)s 计）。") % {"max": self.max_page_size},
                             minimum=1)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        number, _size = self.requested(request)
        return paginator.num_pages if number == "last" else number

    def requested(self, request) -> tuple[int | str, int]:
        """(page number or ``"last"``, page size) as asked; either one malformed is a 400 naming it."""
        value = request.query_params.get(self.page_query_param)
        size = self.get_page_size(request)
        if value in self.last_page_strings and len(request.query_params.getlist(self.page_query_param)) == 1:
            return "last", size
        number = query_integer(request, self.page_query_param, _("页码应为一个正整数。"), minimum=1)
        return (1 if number is None else number), size

    def page_response(self, request, *, count: int, number: int, size: int, results) -> Response:
        """The answer :meth:`get_paginated_response` gives, for a page read without a Django paginator."""
        url = request.build_absolute_uri()
        pages = max(1, -(-count // size))  # at least one page, as Django's Paginator counts
        following = replace_query_param(url, self.page_query_param, number + 1) if number < pages else None
        if number <= 1:
            previous = None
        elif number == 2:
            previous = remove_query_param(url, self.page_query_param)
        else:
            previous = replace_query_param(url, self.page_query_param, number - 1)
        return Response({"count": count, "next": following, "previous": previous, "results": results})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = _("每页返回的结果数量（默认 %(default)s，超过 %(max)s 按 %(max)s 计）。") % {
                    "default": self.page_size, "max": self.max_page_size}
            else:
                parameter["description"] = _("页码，从 1 开始；超出最后一页时 404。")
        return parameters
