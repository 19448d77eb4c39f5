"""名单管理: dated rule sets, listings with due process, objections and credit repair."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import MD5
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TransitionRecord
from regulator.lists.rules import RuleSetError, validate_document


class RuleSet(models.Model):
    """规则集: list criteria, periods, objection windows, licence restrictions, publicity and repair rules.

    Rules change over time (repair rules on 2023-05-01 and 2026-04-01): a
    decision is judged by the set in force on its date, and records which.
    """

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    effective_from = models.DateField(_("生效日期"), unique=True)
    document = models.JSONField(_("规则"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        db_table = "regulator_ruleset"
        verbose_name = _("名单规则集")
        verbose_name_plural = _("名单规则集")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        day = self.effective_from
        return f"v{self.version} {self.name}（{day.year}年{day.month}月{day.day}日起）"

    def clean(self) -> None:
        try:
            validate_document(self.document)
        except RuleSetError as exc:
            raise ValidationError({"document": exc.messages}) from exc


class ListType(models.TextChoices):
    """名单类型 in the official wording (川文旅字〔2022〕171号: not 黑名单; "black" stays the code and the API path,
    黑名单 a search synonym)."""

    BLACK = "black", _("严重失信主体名单")
    WATCH = "watch", _("重点关注名单")
    RED = "red", _("守信激励名单")


class SubjectType(models.TextChoices):
    ENTITY = "entity", _("市场主体")
    PERSON = "person", _("自然人")


class ListingStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟列入")
    NOTIFIED = "notified", _("已告知")
    DECIDED = "decided", _("已认定")
    PUBLISHED = "published", _("已公示")
    EXPIRED = "expired", _("期满移出")
    REMOVED = "removed", _("撤销移出")
    REPAIRED = "repaired", _("信用修复移出")
    WITHDRAWN = "withdrawn", _("已撤回")


#: a manual proposal still in due process: one identical to it (subject, list type, reason) is a duplicate
PROPOSAL_IN_PROCESS = ["proposed", "notified", "decided"]


class FilingChannel(models.TextChoices):
    """How an objection or a repair application reached the authority."""

    ONLINE = "online", _("网上提交")
    PAPER = "paper", _("书面提交（监管部门登记）")


class ObjectionOutcome(models.TextChoices):
    """What an upheld objection leads to (陈述申辩成立的处理)."""

    WITHDRAW = "withdraw", _("撤回拟列入，终止程序")
    REVISE = "revise", _("退回重新拟定")


class Listing(models.Model):
    """名单记录: one subject on one list, through proposal, notice, decision, publication and its end."""

    list_type = models.CharField(_("名单类型"), max_length=8, choices=ListType.choices)
    subject_type = models.CharField(_("主体类型"), max_length=8, choices=SubjectType.choices)
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="listings", verbose_name=_("市场主体"))
    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="listings", verbose_name=_("自然人"))
    related_entity = models.ForeignKey(
        "entities.Entity", on_delete=models.PROTECT, null=True, blank=True, related_name="person_listings",
        verbose_name=_("关联主体"), help_text=_("自然人因其任职主体被列入时的该主体。"),
    )
    person_role = models.CharField(_("任职身份"), max_length=32, blank=True)
    reason = models.TextField(_("列入事由"), max_length=5000)
    legal_basis = models.CharField(_("法律依据"), max_length=500)
    source_type = models.CharField(_("来源类型"), max_length=16, blank=True,
                                   help_text=_("finding、complaint、listing、rule、import 或 manual"))
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    source_rule = models.CharField(_("触发规则"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ListingStatus.choices,
                              default=ListingStatus.PROPOSED)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="listings",
                                 verbose_name=_("适用规则集"))
    period_days = models.PositiveIntegerField(_("期限（天）"))
    notified_on = models.DateField(_("告知书送达日期"), null=True, blank=True,
                                   help_text=_("告知书送达之日；陈述申辩期自此起算。"))
    objection_due = models.DateField(_("陈述申辩截止"), null=True, blank=True)
    objection_days = models.PositiveSmallIntegerField(
        _("陈述申辩期（工作日）"), null=True, blank=True, help_text=_("告知书载明的期间，按签发之日施行的规则集。"))
    notice_document = models.ForeignKey(
        "core.ServedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("告知书"))
    decided_on = models.DateField(_("认定日期"), null=True, blank=True)
    decision_number = models.CharField(_("认定决定书文号"), max_length=100, blank=True)
    decision_document = models.ForeignKey(
        "core.ServedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("认定决定书"))
    measures = models.TextField(_("惩戒或激励措施"), blank=True)
    measure_codes = models.JSONField(_("措施代码"), default=list, blank=True,
                                     help_text=_("规则集措施目录中的代码。"))
    appeal_routes = models.TextField(_("救济途径"), blank=True)
    set_aside_grounds = models.JSONField(
        _("已被申辩推翻的事由"), default=list, blank=True,
        help_text=_("申辩成立时的事由与依据 [{\"reason\", \"legal_basis\"}]：不得据此作出认定。"))
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    expires_on = models.DateField(_("期满日期"), null=True, blank=True)
    ended_on = models.DateField(_("移出日期"), null=True, blank=True)
    end_reason = models.TextField(_("移出理由"), blank=True)
    source_authority = models.CharField(_("来源机关"), max_length=200, blank=True)
    source_reference = models.CharField(_("来源文号"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    #: the listed business's name keys (the entity's, or for a person the business they were listed with),
    #: copied by database triggers (migration 0006): the public search matches them in a GIN index over the
    #: published listings only, so its cost follows the lists, not the registry
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        db_table = "regulator_listing"
        verbose_name = _("名单记录")
        verbose_name_plural = _("名单记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["list_type", "status"], name="listing_type_status"),
            models.Index(fields=["entity", "status"], name="listing_entity_status"),
            models.Index(fields=["person", "status"], name="listing_person_status"),
            models.Index(fields=["status", "expires_on"], name="listing_status_expiry"),
            models.Index(fields=["updated_at"], name="listing_updated"),
            GinIndex(fields=["search_vector"], name="listing_published_search", condition=Q(status="published")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject_type="entity", entity__isnull=False, person__isnull=True)
                           | Q(subject_type="person", person__isnull=False, entity__isnull=True)),
                name="listing_one_subject",
            ),
            models.UniqueConstraint(
                fields=["source_authority", "source_reference"], condition=~Q(source_reference=""),
                name="listing_import_idempotent",
            ),
            models.UniqueConstraint(
                fields=["list_type", "entity", "person", "source_type", "source_id", "source_rule"],
                condition=Q(status__in=["proposed", "notified", "decided", "published"]) & Q(source_id__isnull=False),
                name="listing_open_proposal_once",
                nulls_distinct=False,
            ),
            # The same regulator's proposal sent twice (a double click, a retry, 20 scripted posts) is one
            # proposal. The reason is compared through its MD5: a 5,000-character text is too long for a
            # B-tree entry. ``listing_propose`` answers the duplicate 409 first (also against a published one).
            models.UniqueConstraint(
                F("list_type"), F("subject_type"), F("entity"), F("person"), MD5("reason"),
                condition=Q(source_type="manual", status__in=PROPOSAL_IN_PROCESS),
                name="listing_manual_proposal_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_list_type_display()} #{self.pk} {self.subject_name}"

    @property
    def subject_name(self) -> str:
        subject = self.entity if self.subject_type == SubjectType.ENTITY else self.person
        return subject.name if subject is not None else ""


class ListingEvent(TransitionRecord):
    """名单流转记录 (append-only): from, to, who (name frozen), why, when."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    subject_field = "listing"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("名单流转记录")
        verbose_name_plural = _("名单流转记录")
        db_table = "regulator_listingevent"

    def __str__(self) -> str:
        from regulator.lists.transitions import ACTION_LABELS

        return self.caption(ACTION_LABELS, dict(ListingStatus.choices))


class Objection(models.Model):
    """陈述申辩: the listed subject's objection inside the window, and the regulator's answer."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="objections")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+", help_text=_("网上提交的主体账户，或登记书面申辩的监管人员。"))
    channel = models.CharField(_("提出方式"), max_length=8, choices=FilingChannel.choices,
                               default=FilingChannel.ONLINE)
    objector_name = models.CharField(_("申辩人"), max_length=200, blank=True)
    received_on = models.DateField(_("收到日期"), default=timezone.localdate,
                                   help_text=_("网上提交为提交之日；书面申辩为机关收到之日，须在陈述申辩期内。"))
    statement = models.TextField(_("陈述申辩内容"), max_length=10000)
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True, max_length=10000)
    upheld = models.BooleanField(_("申辩成立"), null=True, blank=True)
    outcome = models.CharField(_("申辩成立的处理"), max_length=8, choices=ObjectionOutcome.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        db_table = "regulator_objection"
        verbose_name = _("陈述申辩")
        verbose_name_plural = _("陈述申辩")
        ordering = ["id"]
        constraints = [
            # One open (unanswered) objection per listing, and so per listed subject: a second filing amends it.
            models.UniqueConstraint(fields=["listing"], condition=Q(answered_at__isnull=True),
                                    name="one_open_objection_per_listing"),
            # An upheld objection says what follows (withdraw or revise); no other answer carries an outcome.
            models.CheckConstraint(condition=Q(outcome="") | Q(upheld=True), name="objection_outcome_if_upheld"),
        ]

    def __str__(self) -> str:
        return f"陈述申辩 #{self.pk}（名单记录 #{self.listing_id}）"


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    GRANTED = "granted", _("准予修复")
    REFUSED = "refused", _("不予修复")


class RepairQuerySet(models.QuerySet):
    def penalty_publicity_ended(self, *, as_of) -> models.QuerySet:
        """Ids of the findings whose penalty publicity a granted repair ended on or before ``as_of``."""
        return (self.filter(finding__isnull=False, status=RepairStatus.GRANTED, publicity_ended_on__lte=as_of)
                .values("finding_id"))


class RepairApplication(models.Model):
    """信用修复申请: of a listing, or of a penalty's publicity (行政处罚信息公示); decided within the deadline."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="repair_applications", verbose_name=_("名单记录"))
    finding = models.ForeignKey("complaints.Finding", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="publicity_repairs", verbose_name=_("行政处罚（检查发现）"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+", help_text=_("网上申请的主体账户，或登记书面申请的监管人员。"))
    channel = models.CharField(_("申请方式"), max_length=8, choices=FilingChannel.choices,
                               default=FilingChannel.ONLINE)
    applicant_name = models.CharField(_("申请人"), max_length=200, blank=True)
    statement = models.TextField(_("申请说明"), max_length=10000)
    evidence = models.JSONField(_("证明材料"), default=list,
                                help_text=_("履行义务、纠正失信行为的证明材料清单。"))
    commitment = models.BooleanField(_("信用承诺书"), default=False)
    training_record = models.CharField(_("信用修复培训记录"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RepairStatus.choices,
                              default=RepairStatus.SUBMITTED)
    filed_on = models.DateField(_("申请日期"))
    decision_due = models.DateField(_("决定期限"))
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_document = models.ForeignKey(
        "core.ServedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("信用修复决定书"))
    publicity_ended_on = models.DateField(
        _("公示终止日期"), null=True, blank=True,
        help_text=_("准予修复行政处罚信息之日：此后该处罚不再公示。"))
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RepairQuerySet.as_manager()

    class Meta:
        db_table = "regulator_repairapplication"
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-id"]
        indexes = [models.Index(fields=["finding"], name="repair_ended_publicity",
                                condition=Q(status="granted", finding__isnull=False))]
        constraints = [
            models.UniqueConstraint(fields=["listing"], condition=Q(status="submitted"),
                                    name="one_open_repair_per_listing"),
            models.UniqueConstraint(fields=["finding"], condition=Q(status="submitted"),
                                    name="one_open_repair_per_finding"),
            models.CheckConstraint(
                condition=(Q(listing__isnull=False, finding__isnull=True)
                           | Q(listing__isnull=True, finding__isnull=False)),
                name="repair_of_listing_or_finding"),
            models.CheckConstraint(condition=Q(publicity_ended_on__isnull=True)
                                   | Q(finding__isnull=False, status="granted"),
                                   name="repair_publicity_end_if_granted"),
        ]

    def __str__(self) -> str:
        target = f"名单记录 #{self.listing_id}" if self.listing_id else f"行政处罚 #{self.finding_id}"
        return f"信用修复申请 #{self.pk}（{target}）"

    @property
    def subject_name(self) -> str:
        if self.listing_id:
            return self.listing.subject_name
        return self.finding.inspection.entity.name if self.finding_id else ""


class PublicChange(models.Model):
    """公开数据变更记录: each change of what the public sees; its id is the data version of an answer."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    change = models.CharField(_("变更"), max_length=32)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        db_table = "regulator_publicchange"
        verbose_name = _("公开数据变更")
        verbose_name_plural = _("公开数据变更")
        ordering = ["id"]

    def __str__(self) -> str:
        from regulator.lists.transitions import ACTION_LABELS

        return f"v{self.pk} {ACTION_LABELS.get(self.change, self.change)}"


# 诚信企业 / 诚信商家 / 文明诚信商户 评选 (regulator/lists/awards.py): importing them here registers them with Django.
from regulator.lists.awards import AwardApplication, AwardEvent, AwardObjection, AwardRound  # noqa: E402, F401, I001
# 定时导入来源 and their runs (regulator/lists/import_sources.py): importing them here registers them with Django.
from regulator.lists.import_sources import ImportRun, ImportSource  # noqa: E402, F401, I001
