"""开放数据的数据字典、许可协议与数据包描述 (data dictionary, licence, Frictionless Data Package).

One table, :data:`FIELDS`, says what each column of the list exports means (Chinese title and meaning, type,
code list); the data dictionary page and file, the CSV's Chinese label columns and each resource's Table Schema
in ``datapackage.json`` are all read from it, so they cannot disagree. The files keep their codes (``black``,
``tourism``, ``140802``) as the API does; the CSV adds a ``<field>_label`` column in Chinese after the others
(columns are added, never renamed or moved).

Licence: CC BY 4.0 (neither DOMAIN.md nor the README names one; decision 0022).
``datapackage.json`` follows the Frictionless Data Package v1 spec (https://specs.frictionlessdata.io/):
``resources`` each with ``name`` and ``path``, ``profile`` ``tabular-data-package``, a Table Schema per CSV
resource; times are ISO 8601 in Beijing time with their offset (+08:00).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation

from core.scope import region_name
from entities.models import PersonRoleKind, Sector
from regulator.lists.models import ListType, SubjectType

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
LANGUAGE = "zh-hans"

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "知识共享 署名 4.0 国际许可协议（CC BY 4.0）",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
LICENCE_TERMS = ("可自由复制、传播、改编和商业使用，须注明来源“山西信用监管平台”并注明是否作过修改；"
                 "公示信息以公示期内为准，期满、移出或修复后不再公示。")
DATAPACKAGE_NAME = "datapackage.json"
DICTIONARY_NAME = "dictionary.csv"


def _choices(choices) -> list[dict[str, str]]:
    with translation.override(LANGUAGE):
        return [{"code": str(code), "label": str(label)} for code, label in choices]


#: every column of the list exports: name, Table Schema type, Chinese title and meaning, code list (or None)
FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "title": "记录编号", "description": "名单记录在本平台的编号，增量数据据此对应。"},
    {"name": "list_type", "type": "string", "title": "名单类型", "description": "名单的类型代码，名称见 list_type_label。",
     "codes": ListType.choices},
    {"name": "subject_type", "type": "string", "title": "主体类型",
     "description": "列入对象是市场主体还是自然人，名称见 subject_type_label。", "codes": SubjectType.choices},
    {"name": "name", "type": "string", "title": "名称",
     "description": "市场主体的名称；自然人只公开姓氏，其余以 * 代替。"},
    {"name": "credit_code", "type": "string", "title": "统一社会信用代码",
     "description": "市场主体的统一社会信用代码（GB 32100-2015，18 位）；自然人为空。"},
    {"name": "related_entity_name", "type": "string", "title": "任职单位",
     "description": "自然人被列入时任职的市场主体名称；市场主体为空。"},
    {"name": "person_role", "type": "string", "title": "任职身份",
     "description": "自然人在任职单位的身份代码，名称见 person_role_label；市场主体为空。", "codes": PersonRoleKind.choices},
    {"name": "sector", "type": "string", "title": "行业", "description": "所属行业代码，名称见 sector_label。",
     "codes": Sector.choices},
    {"name": "region_code", "type": "string", "title": "行政区划代码",
     "description": "所在地的 6 位行政区划代码（GB/T 2260），名称见 region_code_label。"},
    {"name": "reason", "type": "string", "title": "列入事由", "description": "认定列入名单的事实和理由（已隐去个人信息）。"},
    {"name": "legal_basis", "type": "string", "title": "法律依据", "description": "认定所依据的法律、法规和规章。"},
    {"name": "decision_number", "type": "string", "title": "认定决定书文号", "description": "认定决定书的文号。"},
    {"name": "decided_on", "type": "date", "title": "认定日期", "description": "作出认定决定的日期（YYYY-MM-DD）。"},
    {"name": "published_on", "type": "date", "title": "公示日期", "description": "开始公示的日期（YYYY-MM-DD）。"},
    {"name": "expires_on", "type": "date", "title": "公示截止日期",
     "description": "名单期满、不再公示的日期（YYYY-MM-DD）；为空表示至移出之日。"},
    {"name": "measures", "type": "string", "title": "惩戒或激励措施", "description": "对列入对象采取的措施。"},
    {"name": "source_authority", "type": "string", "title": "认定机关",
     "description": "由其他部门认定、共享至本平台的名单，为认定部门名称；本平台认定的为空。"},
]

#: the Chinese label columns of the CSV: (label column, the code column, how a code is named)
LABEL_COLUMNS: list[tuple[str, str, Callable[[Any], str]]] = []


def _label_of(choices) -> Callable[[Any], str]:
    def label(code: Any) -> str:
        with translation.override(LANGUAGE):
            return str(dict(choices).get(code, "")) if code else ""

    return label


for _field in FIELDS:
    if "codes" in _field:
        LABEL_COLUMNS.append((f"{_field['name']}_label", _field["name"], _label_of(_field["codes"])))
LABEL_COLUMNS.append(("region_code_label", "region_code", lambda code: region_name(code or "") or ""))
LABEL_FIELDS: list[dict[str, Any]] = [
    {"name": column, "type": "string", "title": next(f["title"] for f in FIELDS if f["name"] == code) + "（名称）",
     "description": f"{code} 的中文名称。"} for column, code, _label in LABEL_COLUMNS]

CODE_FIELDS = [field["name"] for field in FIELDS]
CSV_FIELDS = CODE_FIELDS + [column for column, _code, _label in LABEL_COLUMNS]


def with_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the CSV: its codes as they are, and the Chinese label of each beside them."""
    return {**row, **{column: label(row.get(code)) for column, code, label in LABEL_COLUMNS}}


def dictionary_rows() -> list[dict[str, Any]]:
    """The data dictionary: field, type, Chinese title and meaning, and the code list (``code=名称``)."""
    rows = []
    for field in FIELDS + LABEL_FIELDS:
        codes = _choices(field["codes"]) if "codes" in field else []
        rows.append({"field": field["name"], "type": field["type"], "title": field["title"],
                     "description": field["description"], "codes": codes,
                     "codes_text": "；".join(f"{item['code']}={item['label']}" for item in codes)})
    return rows


def table_schema() -> dict[str, Any]:
    """The Frictionless Table Schema of the CSV (codes with an ``enum`` constraint, dates as ``date``)."""
    fields = []
    for field in FIELDS + LABEL_FIELDS:
        item = {"name": field["name"], "type": field["type"], "title": field["title"],
                "description": field["description"]}
        if field["type"] == "date":
            item["format"] = "default"
        if "codes" in field:
            item["constraints"] = {"enum": [str(code) for code, _label in field["codes"]]}
        fields.append(item)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


def beijing_now() -> str:
    """Now, ISO 8601 in Beijing time with its offset: ``2026-03-01T14:03:00+08:00``."""
    return timezone.now().astimezone(BEIJING).isoformat(timespec="seconds")


def beijing_iso(value: datetime.datetime | str | None) -> str | None:
    """A moment (aware datetime or ISO string) as ISO 8601 in Beijing time, or None."""
    if value is None:
        return None
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


_MEDIA = {"csv": "text/csv", "json": "application/json", "ndjson": "application/x-ndjson"}
_LIST_TITLES = {"black": "严重失信主体名单", "red": "守信激励名单"}


def datapackage(files: dict[str, dict[str, Any]], *, created: str, data_version: int,
                url_of: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The Data Package describing the export files (``files`` as in the manifest: sha256, bytes, records).

    ``url_of`` turns a file name into the URL it is served at; without it paths are relative to the package
    (the files lie beside it). CSV files are tabular resources with the Table Schema; JSON and NDJSON carry
    the same fields without the label columns.
    """
    schema = table_schema()
    resources = []
    for name in sorted(files):
        info = files[name]
        stem, fmt = name.rsplit(".", 1)
        title = (PUBLICITY_TITLES[stem] if stem in PUBLICITY_TITLES
                 else _LIST_TITLES.get(stem.removesuffix("list"), stem))
        resource = {
            "name": f"{stem}-{fmt}",
            "path": url_of(name) if url_of else name,
            "title": f"{title}（{fmt.upper()}）",
            "format": fmt,
            "mediatype": _MEDIA[fmt],
            "encoding": "utf-8",
            "bytes": info["bytes"],
            "hash": f"sha256:{info['sha256']}",
            "profile": "tabular-data-resource" if fmt == "csv" else "data-resource",
        }
        if fmt == "csv":
            resource["dialect"] = {"delimiter": ",", "header": True, "doubleQuote": True, "lineTerminator": "\r\n"}
            resource["schema"] = publicity_table_schema() if stem in PUBLICITY_TITLES else schema
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": "shanxi-credit-public-lists",
        "title": "山西信用监管平台 公示名单开放数据",
        "description": ("公示期内的严重失信主体名单和守信激励名单。代码列保持不变，CSV 另附 *_label 中文名称列；"
                        "个人信息已脱敏；字段含义见数据字典。时间为北京时间（UTC+8）。"),
        "version": str(data_version),
        "created": created,
        "licenses": [LICENCE],
        "sources": [{"title": "山西信用监管平台"}],
        "keywords": ["信用", "严重失信主体名单", "守信激励名单", "开放数据"],
        "resources": resources,
    }


# ------------------------------------------------------------------------ 双公示 (penalties and licences)

#: the 双公示 files (``penalties.*``, ``licences.*``) by their stem, and their titles
PUBLICITY_TITLES = {"penalties": "行政处罚信息（双公示）", "licences": "行政许可信息（双公示）"}
PUBLICITY_DICTIONARY_NAME = "dictionary-publicity.csv"


def _publicity_choices() -> dict[str, Any]:
    from complaints.models import Penalty
    from entities.models import LicenceType
    from regulator.disclosure.publicity_records import PublicityKind

    return {"kind": PublicityKind.choices, "category": [*Penalty.choices, *LicenceType.choices]}


#: every column of the 双公示 files, in the national 双公示 fields (DOMAIN.md) and the platform's own
PUBLICITY_FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "title": "记录编号", "description": "双公示记录在本平台的编号，增量数据据此对应。"},
    {"name": "kind", "type": "string", "title": "记录类型", "description": "行政处罚或行政许可，名称见 kind_label。"},
    {"name": "subject_name", "type": "string", "title": "相对人名称", "description": "行政相对人（市场主体）的名称。"},
    {"name": "credit_code", "type": "string", "title": "统一社会信用代码",
     "description": "行政相对人的统一社会信用代码（GB 32100-2015，18 位）。"},
    {"name": "legal_representative", "type": "string", "title": "法定代表人",
     "description": "决定日任职的法定代表人，只公开姓氏，其余以 * 代替；不含身份证号。"},
    {"name": "decision_number", "type": "string", "title": "决定文书号",
     "description": "行政处罚决定书文号，或行政许可证号。"},
    {"name": "category", "type": "string", "title": "类别",
     "description": "处罚种类或许可类型的代码，名称见 category_label。"},
    {"name": "content", "type": "string", "title": "内容", "description": "处罚或许可的内容（已隐去个人信息）。"},
    {"name": "fine_amount", "type": "number", "title": "罚款金额", "description": "罚款金额（元）；非罚款为空。"},
    {"name": "decided_on", "type": "date", "title": "决定日期", "description": "作出决定的日期（YYYY-MM-DD）。"},
    {"name": "publicity_until", "type": "date", "title": "公示截止期",
     "description": "按公示期限规则停止公示的日期（YYYY-MM-DD）；许可为有效期至，为空表示长期有效。"},
    {"name": "authority_name", "type": "string", "title": "决定机关", "description": "作出决定的行政机关名称。"},
    {"name": "authority_credit_code", "type": "string", "title": "决定机关统一社会信用代码",
     "description": "决定机关的统一社会信用代码。"},
    {"name": "source_unit", "type": "string", "title": "数据来源单位", "description": "报送该信息的单位。"},
    {"name": "version", "type": "integer", "title": "数据版本",
     "description": "记录最近一次变更的版本号；?since=<版本号> 只返回此后变更的记录。"},
]

PUBLICITY_LABEL_COLUMNS = ("kind", "category")
PUBLICITY_CODE_FIELDS = [field["name"] for field in PUBLICITY_FIELDS]
PUBLICITY_CSV_FIELDS = PUBLICITY_CODE_FIELDS + [f"{name}_label" for name in PUBLICITY_LABEL_COLUMNS]


def publicity_with_labels(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a 双公示 CSV: its codes, and the Chinese name of the kind and category beside them."""
    choices = _publicity_choices()
    return {**row, **{f"{name}_label": _label_of(choices[name])(row.get(name)) for name in PUBLICITY_LABEL_COLUMNS}}


def _publicity_fields() -> list[dict[str, Any]]:
    choices = _publicity_choices()
    fields = [{**field, "codes": choices[field["name"]]} if field["name"] in choices else field
              for field in PUBLICITY_FIELDS]
    return fields + [{"name": f"{name}_label", "type": "string",
                      "title": next(f["title"] for f in PUBLICITY_FIELDS if f["name"] == name) + "（名称）",
                      "description": f"{name} 的中文名称。"} for name in PUBLICITY_LABEL_COLUMNS]


def publicity_dictionary_rows() -> list[dict[str, Any]]:
    """The data dictionary of the 双公示 files, in the shape of :func:`dictionary_rows`."""
    rows = []
    for field in _publicity_fields():
        codes = _choices(field["codes"]) if "codes" in field else []
        rows.append({"field": field["name"], "type": field["type"], "title": field["title"],
                     "description": field["description"], "codes": codes,
                     "codes_text": "；".join(f"{item['code']}={item['label']}" for item in codes)})
    return rows


def publicity_table_schema() -> dict[str, Any]:
    """The Table Schema of the 双公示 CSVs."""
    fields = []
    for field in _publicity_fields():
        item = {"name": field["name"], "type": field["type"], "title": field["title"],
                "description": field["description"]}
        if field["type"] == "date":
            item["format"] = "default"
        if "codes" in field:
            item["constraints"] = {"enum": [str(code) for code, _label in field["codes"]]}
        fields.append(item)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}
