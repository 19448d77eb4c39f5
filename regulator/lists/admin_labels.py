"""名单的中文名称 in the admin: where a listing came from, the rule that proposed it, a rule set in words.

Codes the lists store without choices (``source_type``, ``source_rule``, a public change) and the vocabulary of
a rule set document, for ``core.admin.labels``; the API keeps the codes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from complaints.models import ComplaintCategory, InspectionKind, Penalty, Severity
from core.scope import Sector
from entities.models import Category, LicenceType, PersonRoleKind
from regulator.lists.models import ListingStatus, ListType, SubjectType
from regulator.lists.transitions import ACTION_LABELS

#: how a listing was proposed (regulator.lists.proposals, imports, the admin and the API)
SOURCE_TYPE_LABELS = {
    "manual": _("监管人员拟列入"), "finding": _("检查发现"), "complaint": _("投诉"), "listing": _("名单记录"),
    "rule": _("规则定期评定"), "import": _("外部门共享名单导入"),
}

#: the rule of regulator.lists.proposals that proposed a listing, and the grounds of imported ones
SOURCE_RULE_LABELS = {
    "licence_revoked": _("被吊销许可证"), "licence_revoked_person": _("被吊销许可证主体的负责人"),
    "black_violation": _("严重失信违法行为"), "penalty_above_warning": _("受到警告以上行政处罚"),
    "watch_violation": _("列入重点关注名单的违法行为"), "complaints_in_quarter": _("一季度内多次属实投诉"),
    "watch_twice": _("一年内两次列入重点关注名单"), "red_quarterly": _("守信激励季度评定"),
    "court_dishonest_debtor": _("失信被执行人（法院共享）"),
}

#: what changed for the public (PublicChange.change): the listing's step, or a penalty's repair
PUBLIC_CHANGE_LABELS = {**ACTION_LABELS, "penalty_repair": _("行政处罚信息信用修复")}

#: the keys of a rule set document (regulator.lists.rules), in words
RULE_SET_KEYS = {
    "announcement_wait_days": _("公告送达等待天数"), "appeal_routes": _("救济途径"), "applicant_roles": _("可申请的身份"),
    "basis": _("依据"), "bindings": _("适用"), "black_min_days": _("严重失信名单最短公示天数"),
    "black_on_imported_grounds": _("导入名单直接列入严重失信的事由"), "black_on_revocation": _("吊销许可证即列入严重失信"),
    "black_violation_codes": _("列入严重失信名单的违法行为"), "categories": _("按主体类别"),
    "clean_days": _("无不良记录天数"), "code": _("代码"), "commitment_for_black": _("严重失信修复须提交信用承诺"),
    "commitment_public": _("信用承诺公开"), "complaints_to_watch": _("投诉列入重点关注"), "count": _("次数"),
    "criteria": _("认定标准"), "decision_working_days": _("决定期限（工作日）"), "default": _("默认"),
    "effect": _("效果"), "grade": _("信用等级"), "joint_measures": _("联合奖惩措施"), "kind": _("种类"),
    "label": _("名称"), "legal_basis": _("法律依据"), "licence_types": _("许可类型"), "list_type": _("名单类型"),
    "list_types": _("名单类型"), "max_days": _("最长天数"), "max_severity": _("最高严重程度"), "measures": _("措施目录"),
    "min_days": _("最短天数"), "name": _("名称"), "objection_working_days": _("陈述申辩期（工作日）"),
    "penalties": _("行政处罚"), "period_days": _("期限（天）"), "periods_days": _("名单期限（天）"),
    "publicity": _("行政处罚公示"), "published": _("公示"), "repair": _("信用修复"),
    "requires_training": _("须参加信用修复培训"), "restrictions": _("许可与任职限制"), "route": _("途径"),
    "safety_full_term_penalties": _("安全类处罚须公示满期"), "safety_min_days": _("安全类最短公示天数"),
    "sectors": _("按行业"), "service": _("送达"), "start_event": _("起算事件"), "subject_roles": _("适用主体身份"),
    "text": _("文字"), "trigger": _("触发"), "violation_codes": _("违法行为"),
    "violation_min_severity": _("违法行为的最低严重程度"), "warning_published": _("警告是否公示"),
    "watch_min_days": _("重点关注名单最短公示天数"), "watch_on_penalties": _("列入重点关注名单的行政处罚"),
    "watch_to_black": _("重点关注转严重失信"), "watch_violation_codes": _("列入重点关注名单的违法行为"), "within_days": _("期间（天）"), "within_months": _("期间（月）"),
    "classes": _("公示类别"), "licence_revoked_person": _("被吊销许可证主体的负责人"),
}

#: codes that appear as values of a rule set document besides the models' choices
RULE_SET_VALUES = {
    "administrative_review": _("行政复议"), "administrative_litigation": _("行政诉讼"), "deny": _("不予办理"),
    "warn": _("提示"), "reward": _("激励"), "funding": _("资金支持"), "procurement": _("政府采购"),
    "award": _("表彰奖励"), "name_change": _("变更名称"), "penalty": _("行政处罚"), "listing": _("名单"),
    "listing_decision": _("认定决定之日"), "penalty_date": _("处罚决定之日"), "applicant_person": _("申请人本人"),
    "entity": _("市场主体"), "*": _("全部"), "general": _("一般"),
}


def rule_set_labels(document: Any) -> dict[str, Any]:
    """Every code a rule set may hold, by its label: the models' choices, the document's own catalogues."""
    from complaints.models import ViolationType

    labels: dict[str, Any] = {}
    for choices in (Sector.choices, Category.choices, LicenceType.choices, PersonRoleKind.choices,
                    ListType.choices, ListingStatus.choices, SubjectType.choices, Severity.choices, Penalty.choices,
                    ComplaintCategory.choices, InspectionKind.choices):
        labels.update(dict(choices))
    labels.update(SOURCE_RULE_LABELS)
    labels.update(RULE_SET_VALUES)
    labels.update(dict(ViolationType.objects.values_list("code", "name")))
    if isinstance(document, dict):
        for item in document.get("measures", []) + document.get("joint_measures", []):
            if isinstance(item, dict) and item.get("code"):
                labels[item["code"]] = item.get("label") or item.get("name") or item["code"]
    return labels


def measure_labels(document: Any) -> dict[str, Any]:
    """The measure catalogue of a rule set: code -> label."""
    if not isinstance(document, dict):
        return {}
    return {item["code"]: item.get("label") or item["code"] for item in document.get("measures", [])
            if isinstance(item, dict) and item.get("code")}
