"""开放数据 pages: the export files as cards, the data dictionary, the licence, and the Data Package.

The files themselves are served by the public API (``/api/v1/public/exports/<name>``) from
``regulator.disclosure.exports``; these pages describe them. ``datapackage.json`` is written beside the
manifest with paths relative to it; the copy served here names each file by its absolute URL, so a client that
downloads only the package (Frictionless tools, CKAN) can fetch every resource.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from regulator.disclosure import data_dictionary, exports
from regulator.portal.views import LIST_LABELS, public_page

_TYPE_WORDS = {"integer": "整数", "string": "文本", "date": "日期（YYYY-MM-DD）"}
_FORMAT_WORDS = {"csv": "CSV（电子表格，含中文名称列）", "json": "JSON", "ndjson": "NDJSON（每行一条记录）"}


def _export_url(name: str) -> str:
    return reverse("public-export", kwargs={"name": name})


def _manifest() -> dict[str, Any]:
    return json.loads(exports.read("manifest.json"))


@public_page("GET", "HEAD")
def open_data_page(request: HttpRequest) -> HttpResponse:
    """开放数据: one card per list and one per 双公示 file set (行政处罚、行政许可), each with its files (format,
    records, size, sha256), the licence and the dictionary: every file of the manifest is linked from a card."""
    manifest = _manifest()
    lists: dict[str, dict[str, Any]] = {}
    publicity: dict[str, dict[str, Any]] = {}
    for name, info in sorted(manifest["files"].items()):
        stem, fmt = name.rsplit(".", 1)
        if stem.endswith("list"):  # blacklist.csv: the list type before "list"
            key, label, groups = stem.removesuffix("list"), LIST_LABELS.get(stem.removesuffix("list"), ""), lists
        else:  # penalties.csv, licences.csv: the 双公示 records
            key, label, groups = stem, data_dictionary.PUBLICITY_TITLES.get(stem, ""), publicity
        group = groups.setdefault(key, {"list_type": key, "label": label, "records": info["records"], "files": []})
        group["files"].append({"name": name, "url": _export_url(name), **info,
                               "format_words": _FORMAT_WORDS.get(fmt, fmt.upper())})
    return render(request, "web/open_data.html", {
        "manifest": manifest, "lists": list(lists.values()), "publicity": list(publicity.values()),
        "manifest_url": _export_url("manifest.json"),
        "licence": data_dictionary.LICENCE, "licence_terms": data_dictionary.LICENCE_TERMS,
        "fields_count": len(data_dictionary.CSV_FIELDS),
    })


@public_page("GET", "HEAD")
def dictionary_page(request: HttpRequest) -> HttpResponse:
    """数据字典: each column's name, type, Chinese title and meaning, and its code list."""
    rows = [{**row, "type_label": _TYPE_WORDS.get(row["type"], row["type"])} for row in data_dictionary.dictionary_rows()]
    return render(request, "web/open_data_dictionary.html", {"rows": rows, "licence": data_dictionary.LICENCE})


@public_page("GET", "HEAD")
def datapackage(request: HttpRequest) -> HttpResponse:
    """``datapackage.json`` (Frictionless Data Package v1) with every resource at its absolute URL."""
    manifest = _manifest()
    package = data_dictionary.datapackage(
        manifest["files"], created=data_dictionary.beijing_iso(manifest["generated_at"]),
        data_version=manifest["data_version"], url_of=lambda name: request.build_absolute_uri(_export_url(name)))
    response = HttpResponse(json.dumps(package, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{data_dictionary.DATAPACKAGE_NAME}"'
    return response


@public_page("GET", "HEAD")
def dictionary_csv(request: HttpRequest) -> HttpResponse:
    """The data dictionary as a CSV file (the page shows the same rows)."""
    response = HttpResponse(exports.read(data_dictionary.DICTIONARY_NAME), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data_dictionary.DICTIONARY_NAME}"'
    return response
