"""OpenAPI tags, summaries and descriptions: what a generated client and the Swagger UI are organised by.

A client generator (openapi-python-client) makes one module per tag and one docstring per summary, so
every operation needs a domain tag and a summary. Both are kept central here rather than on each view:

- **tags by path prefix** (``TAGS_BY_PREFIX``, the longest prefix wins), so an endpoint added later under
  a known prefix is tagged without touching this file; a path no prefix names keeps drf-spectacular's
  default tag and raises a schema warning (``manage.py spectacular --fail-on-warn`` in ``make schema``
  fails, and ``tests/schema/test_schema_quality.py`` names the path);
- **summaries of the standard actions** (list, retrieve, create, update, partial update, destroy) from the
  model's Chinese ``verbose_name``; every other operation states its own with ``extend_schema(summary=)``;
- **one request body type per operation**: where an operation takes JSON and also a form or multipart body,
  ``requestBody`` documents the JSON one and ``x-also-accepts`` (and the description) the others
  (``postprocess_one_body_type``): openapi-python-client 0.29 generates code that cannot be imported for an
  operation with several body types (``NameError: Unset``: its template's ``body_required`` never leaves the
  loop), and sends a JSON model as multipart. The token endpoint takes JSON only, in fact as in the schema;
- **serializer docstrings of the API's base classes** (``config.api.serializers``) are implementation
  notes, not descriptions of a body: ``lib_doc_excludes`` stops drf-spectacular's docstring lookup at them,
  as it stops at DRF's own classes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.drainage import warn
from drf_spectacular.plumbing import get_lib_doc_excludes

#: name -> (中文, English). Names are ASCII: the generated client's module names are made from them.
TAG_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "accounts": ("账户与登录：令牌登录、退出、账户管理与本人账户。",
                 "Accounts: token login and logout, account management, the caller's own account."),
    "registry": ("主体档案：市场主体、自然人（身份证号仅存摘要与掩码）、任职关系与许可证照。",
                 "Registry: entities, persons (ID numbers kept only hashed and masked), roles and licences."),
    "complaints": ("投诉举报：受理、调查、办结与匿名查询办理进度。",
                   "Complaints: filing, acceptance, investigation, resolution, and anonymous tracking."),
    "inspections": ("监督检查：检查记录、检查发现与整改、违法行为类型、双随机抽查计划。",
                    "Inspections: inspections, findings and rectification, violation types, random inspection "
                    "plans."),
    "credit": ("信用评分：主体的信用分、等级、计分明细与历史，评分模型版本。",
               "Credit: an entity's score, grade, breakdown and history; versioned scoring models."),
    "lists": ("名单管理：严重失信主体名单、重点关注名单与守信激励名单的列入、告知、陈述申辩、认定、公示、移出与"
              "信用修复，部门间名单导入与规则集。",
              "Lists: black, watch and red listings through due process (notice, objection, decision, "
              "publication, removal, repair), imports shared between departments, rule sets."),
    "licence-checks": ("许可核查与联合奖惩核查：申请人现在能否取得该许可或适用该措施，列明每条限制、激励及签名回执；"
                       "许可类型与措施目录。",
                       "Licence and measures checks: may this applicant get this licence (or this measure) now, "
                       "with every binding listing or reward and a signed receipt; the licence type and measure "
                       "catalogues."),
    "public": ("公众查询（无需登录、限流、个人信息脱敏）：名单查询、主体公示信息、开放数据、回执核验。",
               "Public (no login, throttled, personal data masked): list searches, an operator's public "
               "record, open data, receipt verification."),
    "self-service": ("主体自助：经营主体查看本单位的信用档案，发表回应声明。",
                     "Self-service: a business reads its own credit file and publishes statements."),
    "audit": ("审计：每一次写入的哈希链审计日志及其校验。",
              "Audit: the hash-chained log of every write, and its verification."),
    "workbench": ("工作台：待办事项、统计、工作日历、文书送达与后台任务。",
                  "Workbench: the work queue, statistics, the working-day calendar, served documents and "
                  "background jobs."),
}

#: the document's ``tags``: in the order the documentation lists them (set by ``postprocess_tags``).
TAGS: list[dict[str, str]] = [{"name": name, "description": f"{zh}\n\n{en}"}
                              for name, (zh, en) in TAG_DESCRIPTIONS.items()]

_V1 = "/api/v1/"

#: path prefix -> tag; the longest matching prefix decides (``entities/{entity_id}/credit/`` is credit).
TAGS_BY_PREFIX: dict[str, str] = {
    f"{_V1}auth/": "accounts",
    f"{_V1}users/": "accounts",
    f"{_V1}entities/": "registry",
    f"{_V1}persons/": "registry",
    f"{_V1}roles/": "registry",
    f"{_V1}licences/": "registry",
    f"{_V1}workers/": "registry",
    f"{_V1}coverage/": "registry",  # 家政全覆盖 (entities/api/coverage.py)
    f"{_V1}retraining-campaigns/": "registry",  # 回炉培训行动
    f"{_V1}service-orders/": "registry",  # 家政服务订单 (entities/api/reviews.py)
    f"{_V1}reviews/": "registry",  # 家政服务评价
    f"{_V1}complaints/": "complaints",
    f"{_V1}complaint-attachments/": "complaints",
    f"{_V1}inspections/": "inspections",
    f"{_V1}findings/": "inspections",
    f"{_V1}rectification-evidence/": "inspections",
    f"{_V1}rectification-evidence-files/": "inspections",
    f"{_V1}inspection-plans/": "inspections",
    f"{_V1}violation-types/": "inspections",
    f"{_V1}campaigns/": "inspections",  # 专项行动 (complaints/api/campaigns.py)
    f"{_V1}entities/{{entity_id}}/credit/": "credit",
    f"{_V1}scoring-models/": "credit",
    f"{_V1}listings/": "lists",
    f"{_V1}lists/": "lists",
    f"{_V1}objections/": "lists",
    f"{_V1}repair-applications/": "lists",
    f"{_V1}rule-sets/": "lists",
    f"{_V1}award-rounds/": "lists",
    f"{_V1}award-applications/": "lists",
    f"{_V1}import-sources/": "lists",
    f"{_V1}feeds/": "lists",
    f"{_V1}licence-checks/": "licence-checks",
    f"{_V1}licence-types/": "licence-checks",
    f"{_V1}measures-checks/": "licence-checks",
    f"{_V1}measures/": "licence-checks",
    f"{_V1}public/": "public",
    "/.well-known/": "public",
    f"{_V1}me/": "self-service",
    f"{_V1}statements/": "self-service",
    f"{_V1}audit-log/": "audit",
    f"{_V1}workqueue/": "workbench",
    f"{_V1}stats/": "workbench",
    f"{_V1}calendar/": "workbench",
    f"{_V1}documents/": "workbench",
    f"{_V1}jobs/": "workbench",
}

#: the standard actions' summaries, from the model's verbose_name
_ACTION_SUMMARIES = {
    "list": "{name}列表",
    "retrieve": "查看{name}",
    "create": "新建{name}",
    "update": "修改{name}",
    "partial_update": "部分修改{name}",
    "destroy": "删除{name}",
}


def tag_for(path: str) -> str | None:
    """The tag of ``path`` (as the schema spells it, ``/api/v1/entities/{id}/``), or None when unmapped."""
    matches = [prefix for prefix in TAGS_BY_PREFIX if path.startswith(prefix)]
    return TAGS_BY_PREFIX[max(matches, key=len)] if matches else None


def postprocess_tags(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: one domain tag per operation, by path prefix; the tags' words."""
    result["tags"] = [dict(tag) for tag in TAGS]
    for path, operations in result.get("paths", {}).items():
        tag = tag_for(path)
        if tag is None:
            warn(f"no tag for {path}: add its prefix to config.api.schema_tags.TAGS_BY_PREFIX")
            continue
        for operation in operations.values():
            if isinstance(operation, dict):
                operation["tags"] = [tag]
    return result


def _model_of(view) -> Any:
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(view, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def postprocess_summaries(result, generator, request, public):
    """The standard actions' summaries where a view states none (a custom action or APIView must state its own)."""
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        path = "/" + generator.coerce_path(path, method, view).lstrip("/")
        operation = result.get("paths", {}).get(path, {}).get(method.lower())
        template = _ACTION_SUMMARIES.get(getattr(view, "action", None) or "")
        model = _model_of(view)
        if operation is None or operation.get("summary") or template is None or model is None:
            continue
        operation["summary"] = template.format(name=model._meta.verbose_name)
    return result


def postprocess_one_body_type(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: an operation that takes JSON documents its JSON body only.

    The other body types it also takes (a multipart upload beside JSON) move to ``x-also-accepts`` and are
    named in its description (see the module docstring: a generated client cannot call one operation with
    several body types).
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if len(content) < 2 or "application/json" not in content:
                continue
            others = {media_type: body for media_type, body in content.items() if media_type != "application/json"}
            operation["requestBody"]["content"] = {"application/json": content["application/json"]}
            operation["x-also-accepts"] = others
            sentence = f"也接受 {'、'.join(others)} 请求体（字段相同）。Also accepts {', '.join(others)}."
            operation["description"] = f"{operation.get('description', '')}\n\n{sentence}".strip()
    return result


def lib_doc_excludes() -> list[type]:
    """SPECTACULAR_SETTINGS GET_LIB_DOC_EXCLUDES: DRF's classes and the API's base serializers and mixins."""
    from config.api import serializers

    return [*get_lib_doc_excludes(), serializers.Serializer, serializers.ModelSerializer,
            serializers.StrictJSONTypesMixin, serializers.DateWindowMixin]
