"""信用评价的中文名称: the scoring model's rules and the ledger's sources in words (pages show labels, the API codes).

The rules of ``ratings.engine.DEFAULT_RULES`` and the adjustment lines of a score's breakdown (``clamp``, an
override such as ``override_listing_black``), for the admin, the business pages and anyone else who prints a
breakdown; a rule of a later scoring model without a label here is shown by its code.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

RULE_LABELS = {
    "complaint_substantiated": _("投诉属实"), "complaint_mediated": _("投诉调解"),
    "finding_minor": _("检查发现（轻微）"), "finding_general": _("检查发现（一般）"),
    "finding_serious": _("检查发现（严重）"), "finding_grave": _("检查发现（特别严重）"),
    "penalty_warning": _("行政处罚：警告"), "penalty_fine": _("行政处罚：罚款"),
    "penalty_suspension": _("行政处罚：责令停业整顿"), "penalty_revocation": _("行政处罚：吊销许可证"),
    "rectification_overdue": _("逾期未整改"),
    "listing_watch": _("列入重点关注名单"), "listing_black": _("列入严重失信主体名单"),
    "rectified_on_time": _("按期整改"), "inspection_clean": _("检查未发现问题"), "listing_red": _("列入守信激励名单"),
    "award": _("诚信企业表彰"), "no_complaints_12m": _("一年内无属实投诉"),
    # adjustment lines of a breakdown (ratings.engine, ratings.scoring_sql)
    "clamp": _("分值限定在 0–1000 之间"), "override_listing_black": _("严重失信主体名单：等级定为 D"),
    "override": _("名单强制等级"),
}

#: where a credit event comes from (ratings.ledger's derivers and those the apps above register)
SOURCE_TYPE_LABELS = {
    "complaint": _("投诉"), "finding": _("检查发现"), "inspection": _("检查"), "listing": _("名单记录"),
    "condition": _("条件加分"), "adjustment": _("分值调整"), "award": _("诚信评选"),
}

#: the keys of a scoring model's rules and of a breakdown line, in words
RULE_KEYS = {
    "base": _("起始分"), "full_weight_days": _("全权重天数"), "publicity_days": _("公示天数"), "points": _("分值"),
    "yearly_caps": _("年度上限"), "grades": _("等级下限"), "overrides": _("强制等级"),
    "clean_record_days": _("无不良记录天数"), "general": _("一般"), "serious": _("严重"),
    "rule": _("规则"), "weight": _("权重"), "occurred_on": _("发生日期"), "source_type": _("来源类型"),
    "source_id": _("来源编号"), "base_points": _("基础分值"), "ends_on": _("截止日期"), "note": _("说明"),
    "publicity": _("公示类别"), "capped": _("超出年度上限"), "raw": _("调整前分值"), "reason": _("原因"),
}
