"""变更推送 (regulator.disclosure.feeds): the outbox of change events, subscriptions, deliveries, and the row
triggers that write the events in the changing transaction.

Triggers rather than Python hooks, so every writer is covered: the API, the admin, imports, bulk SQL and COPY
(row triggers fire for COPY too). They run as the writer (SECURITY INVOKER) and only insert into
``regulator_feedevent``; the sequence number clients see is given after commit (decision 0027). The audit
trigger and the service role's grants reach the new tables after this migrate, as for every model's table
(core.audit, core.database.roles.grant_service_role run on post_migrate).

* ``regulator_listing``: a listing entering ``published`` (inserted published, or updated to it) is
  ``listing_published``; leaving it is ``listing_ended``. Watch listings (重点关注名单) are ``restricted``.
* ``entities_licence``: an insert, or an update of its type, number, status, issue or expiry date, is
  ``licence_changed``.
* ``regulator_publicityrecord`` (双公示, migration 0008): a penalty record inserted unended is
  ``penalty_published``; one whose ``ended`` turns true is ``penalty_ended``.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KINDS = [("listing_published", "名单公示"), ("listing_ended", "名单公示结束"), ("penalty_published", "行政处罚公示"),
         ("penalty_ended", "行政处罚公示结束"), ("licence_changed", "许可证照变更")]

TRIGGERS = """
CREATE OR REPLACE FUNCTION regulator_feed_entity_subject(entity bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('subject_type', 'entity', 'credit_code', e.credit_code, 'name', e.name)
      FROM entities_entity e WHERE e.id = entity
$$;

CREATE OR REPLACE FUNCTION regulator_feed_listing() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change text;
    subject jsonb;
    previous text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status ELSE NULL END;
BEGIN
    IF NEW.status = 'published' AND previous IS DISTINCT FROM 'published' THEN
        change := 'listing_published';
    ELSIF previous = 'published' AND NEW.status <> 'published' THEN
        change := 'listing_ended';
    ELSE
        RETURN NULL;
    END IF;
    IF NEW.entity_id IS NOT NULL THEN
        subject := regulator_feed_entity_subject(NEW.entity_id);
    ELSE
        SELECT jsonb_build_object('subject_type', 'person', 'person_name', p.name,
                                  'id_number_masked', p.id_number_masked,
                                  'related_credit_code', r.credit_code, 'related_name', r.name)
          INTO subject
          FROM entities_person p LEFT JOIN entities_entity r ON r.id = NEW.related_entity_id
         WHERE p.id = NEW.person_id;
    END IF;
    INSERT INTO regulator_feedevent (kind, restricted, subject, payload, occurred_at, source_table, source_id)
    VALUES (change, NEW.list_type = 'watch', COALESCE(subject, '{}'::jsonb),
            jsonb_build_object('listing_id', NEW.id, 'list_type', NEW.list_type, 'subject_type', NEW.subject_type,
                               'person_role', NEW.person_role, 'from_status', previous, 'status', NEW.status,
                               'decision_number', NEW.decision_number, 'decided_on', NEW.decided_on,
                               'published_on', NEW.published_on, 'expires_on', NEW.expires_on,
                               'ended_on', NEW.ended_on, 'source_authority', NEW.source_authority),
            now(), 'regulator_listing', NEW.id);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER feed_listing AFTER INSERT OR UPDATE OF status ON regulator_listing
    FOR EACH ROW EXECUTE FUNCTION regulator_feed_listing();

CREATE OR REPLACE FUNCTION regulator_feed_licence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.status, OLD.issued_on, OLD.expires_on, OLD.number, OLD.licence_type)
            IS NOT DISTINCT FROM (NEW.status, NEW.issued_on, NEW.expires_on, NEW.number, NEW.licence_type) THEN
        RETURN NULL;
    END IF;
    INSERT INTO regulator_feedevent (kind, restricted, subject, payload, occurred_at, source_table, source_id)
    VALUES ('licence_changed', false, COALESCE(regulator_feed_entity_subject(NEW.entity_id), '{}'::jsonb),
            jsonb_build_object('licence_id', NEW.id, 'change', CASE WHEN TG_OP = 'INSERT' THEN 'issued' ELSE 'updated' END,
                               'licence_type', NEW.licence_type, 'number', NEW.number, 'status', NEW.status,
                               'from_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status ELSE NULL END,
                               'issued_on', NEW.issued_on, 'expires_on', NEW.expires_on,
                               'from_expires_on', CASE WHEN TG_OP = 'UPDATE' THEN OLD.expires_on ELSE NULL END),
            now(), 'entities_licence', NEW.id);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER feed_licence AFTER INSERT OR UPDATE ON entities_licence
    FOR EACH ROW EXECUTE FUNCTION regulator_feed_licence();

CREATE OR REPLACE FUNCTION regulator_feed_penalty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change text;
BEGIN
    IF NEW.kind <> 'penalty' THEN
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' AND NOT NEW.ended THEN
        change := 'penalty_published';
    ELSIF TG_OP = 'UPDATE' AND NEW.ended AND NOT OLD.ended THEN
        change := 'penalty_ended';
    ELSE
        RETURN NULL;
    END IF;
    INSERT INTO regulator_feedevent (kind, restricted, subject, payload, occurred_at, source_table, source_id)
    VALUES (change, false,
            jsonb_build_object('subject_type', 'entity', 'credit_code', NEW.credit_code, 'name', NEW.subject_name),
            jsonb_build_object('record_id', NEW.id, 'decision_number', NEW.decision_number, 'category', NEW.category,
                               'fine_amount', NEW.fine_amount::text, 'decided_on', NEW.decided_on,
                               'publicity_until', NEW.publicity_until, 'authority_name', NEW.authority_name,
                               'authority_credit_code', NEW.authority_credit_code,
                               'publication_ends_on', NEW.publication_ends_on, 'end_reason', NEW.end_reason),
            now(), 'regulator_publicityrecord', NEW.id);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER feed_penalty AFTER INSERT OR UPDATE OF ended ON regulator_publicityrecord
    FOR EACH ROW EXECUTE FUNCTION regulator_feed_penalty();
"""

UNDO = """
DROP TRIGGER IF EXISTS feed_penalty ON regulator_publicityrecord;
DROP TRIGGER IF EXISTS feed_licence ON entities_licence;
DROP TRIGGER IF EXISTS feed_listing ON regulator_listing;
DROP FUNCTION IF EXISTS regulator_feed_penalty();
DROP FUNCTION IF EXISTS regulator_feed_licence();
DROP FUNCTION IF EXISTS regulator_feed_listing();
DROP FUNCTION IF EXISTS regulator_feed_entity_subject(bigint);
"""


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_department_clients"),
        ("entities", "0003_household_worker_files"),
        ("regulator", "0009_import_sources"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("sequence", models.BigIntegerField(blank=True, editable=False,
                                                    help_text="提交后按顺序编号；客户端的 since 即此序号。",
                                                    null=True, unique=True, verbose_name="序号")),
                ("kind", models.CharField(choices=KINDS, max_length=32, verbose_name="变更类型")),
                ("restricted", models.BooleanField(default=False, verbose_name="仅限名单查阅权限")),
                ("subject", models.JSONField(blank=True, default=dict, verbose_name="主体")),
                ("payload", models.JSONField(blank=True, default=dict, verbose_name="变更内容")),
                ("occurred_at", models.DateTimeField(verbose_name="发生时间")),
                ("source_table", models.CharField(blank=True, max_length=64, verbose_name="来源表")),
                ("source_id", models.BigIntegerField(blank=True, null=True, verbose_name="来源编号")),
            ],
            options={"verbose_name": "变更事件", "verbose_name_plural": "变更事件", "db_table": "regulator_feedevent",
                     "ordering": ["id"],
                     "indexes": [
                         models.Index(condition=models.Q(("sequence__isnull", True)), fields=["id"],
                                      name="feed_event_unsequenced"),
                         models.Index(fields=["kind", "sequence"], name="feed_event_kind_sequence")]},
        ),
        migrations.CreateModel(
            name="FeedSubscription",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("url", models.URLField(max_length=500, verbose_name="接收地址")),
                ("kinds", django.contrib.postgres.fields.ArrayField(
                    base_field=models.CharField(choices=KINDS, max_length=32), size=None, verbose_name="订阅的变更类型")),
                ("secret_encrypted", models.TextField(editable=False, verbose_name="签名密钥（加密）")),
                ("previous_secret_encrypted", models.TextField(blank=True, editable=False, verbose_name="旧签名密钥（加密）")),
                ("previous_secret_until", models.DateTimeField(blank=True, editable=False, null=True,
                                                               verbose_name="旧签名密钥有效至")),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                ("paused_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="暂停时间")),
                ("pause_reason", models.CharField(blank=True, editable=False, max_length=300, verbose_name="暂停原因")),
                ("delivered_through", models.BigIntegerField(default=0, editable=False, verbose_name="已确认至序号")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("client", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                             related_name="feed_subscriptions", to="core.departmentclient",
                                             verbose_name="部门客户端")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="登记人")),
            ],
            options={"verbose_name": "推送订阅", "verbose_name_plural": "推送订阅",
                     "db_table": "regulator_feedsubscription", "ordering": ["id"],
                     "constraints": [models.CheckConstraint(condition=models.Q(("delivered_through__gte", 0)),
                                                            name="feed_subscription_cursor_positive")]},
        ),
        migrations.CreateModel(
            name="FeedDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("state", models.CharField(choices=[("pending", "待投递"), ("delivered", "已送达"), ("dead", "死信")],
                                           default="pending", max_length=16, verbose_name="状态")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="已尝试次数")),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="下次尝试时间")),
                ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="最近答复状态码")),
                ("last_error", models.CharField(blank=True, max_length=300, verbose_name="最近错误")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="首次尝试时间")),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="送达时间")),
                ("dead_at", models.DateTimeField(blank=True, null=True, verbose_name="转入死信时间")),
                ("event", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="deliveries",
                                            to="regulator.feedevent", verbose_name="变更事件")),
                ("subscription", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deliveries",
                                                   to="regulator.feedsubscription", verbose_name="推送订阅")),
            ],
            options={"verbose_name": "投递记录", "verbose_name_plural": "投递记录", "db_table": "regulator_feeddelivery",
                     "ordering": ["-id"],
                     "indexes": [models.Index(fields=["subscription", "state"], name="feed_delivery_sub_state"),
                                 models.Index(fields=["state", "dead_at"], name="feed_delivery_state")],
                     "constraints": [models.UniqueConstraint(fields=("subscription", "event"),
                                                             name="feed_delivery_once")]},
        ),
        migrations.CreateModel(
            name="DeadLetter",
            fields=[],
            options={"verbose_name": "死信", "verbose_name_plural": "死信", "proxy": True, "indexes": [],
                     "constraints": []},
            bases=("regulator.feeddelivery",),
        ),
        migrations.RunSQL(TRIGGERS, UNDO),
    ]
