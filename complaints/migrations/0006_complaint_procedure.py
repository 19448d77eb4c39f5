"""The complaint procedure in full (issue 13): transfer, grounds of non-acceptance, the business notice and its
delivery, mediation documents, optional representatives (a list), and respondents that are not registered
entities (an operator or a person, scoped by the receiving region and sector)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.scope

# One UPDATE per row for both changes: a second update of a row this transaction already changed queues its
# deferred foreign-key check, and PostgreSQL then refuses the ALTER TABLE / CREATE INDEX that follow.
FORWARD_SQL = r"""
UPDATE complaints_complaint c
   SET region_code = e.region_code,
       sector = e.sector,
       representative_list = COALESCE(
           (SELECT jsonb_agg(btrim(part)) FROM regexp_split_to_table(c.representatives, E'[、,，;；\n]+') AS part
             WHERE btrim(part) <> ''), '[]'::jsonb)
  FROM entities_entity e
 WHERE e.id = c.entity_id
"""
BACKWARD_SQL = r"""
UPDATE complaints_complaint
   SET representatives = COALESCE((SELECT string_agg(name, '、') FROM jsonb_array_elements_text(representative_list)
                                   AS name), '')
 WHERE representative_list <> '[]'::jsonb
"""


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0005_verified_catalogue_citations'),
        ('core', '0005_seed_legal_citations'),
        ('entities', '0002_personrole_appointment_flags'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='business_notice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.serveddocument', verbose_name='答复通知书'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='mediation_complainant_signed_on',
            field=models.DateField(blank=True, null=True, verbose_name='投诉人签署调解书日期'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='mediation_document',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.serveddocument', verbose_name='调解书或终止调解书'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='mediation_respondent_signed_on',
            field=models.DateField(blank=True, null=True, verbose_name='被投诉人签署调解书日期'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='mediation_result',
            field=models.CharField(blank=True, choices=[('agreement', '达成调解协议（调解书）'), ('termination', '终止调解')], max_length=16, verbose_name='调解结果'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='mediation_termination_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='终止调解理由'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='mediation_terms',
            field=models.TextField(blank=True, max_length=5000, verbose_name='调解协议内容'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='notice_issued_on',
            field=models.DateField(blank=True, null=True, verbose_name='答复通知书签发日期'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='notice_overdue',
            field=models.BooleanField(default=False, verbose_name='答复通知书逾期未发出'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='operator_address',
            field=models.CharField(blank=True, max_length=200, verbose_name='未登记经营者地址'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='operator_details',
            field=models.TextField(blank=True, max_length=1000, verbose_name='经营者其他情况'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='operator_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='未登记经营者名称'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='operator_phone',
            field=models.CharField(blank=True, max_length=40, verbose_name='未登记经营者电话'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='entities.person', verbose_name='被投诉个人（登记）'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='person_card_number',
            field=models.CharField(blank=True, max_length=64, verbose_name='导游证或家政服务证编号'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='person_name',
            field=models.CharField(blank=True, max_length=100, verbose_name='被投诉个人姓名'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='person_role',
            field=models.CharField(blank=True, choices=[('guide', '导游'), ('household_worker', '家政服务员'), ('other', '其他从业人员')], max_length=32, verbose_name='被投诉个人身份'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='region_code',
            field=models.CharField(blank=True, help_text='被投诉人未关联登记主体时，按此区划和行业确定办理范围。', max_length=6, validators=[core.scope.validate_region_code], verbose_name='受理地区划代码'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='rejection_ground',
            field=models.CharField(blank=True, choices=[('late_filing', '超过旅游合同结束之日 90 日'), ('pending_elsewhere', '人民法院、仲裁机构、其他行政管理部门或者社会调解机构已经受理或者处理'), ('decided_before', '已经作出处理，且没有新情况、新理由'), ('outside_remit', '不属于本机关职责范围或者管辖范围'), ('not_a_complaint', '不符合投诉条件或者属于其他经济纠纷')], max_length=32, verbose_name='不予受理情形'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='reply_overdue',
            field=models.BooleanField(default=False, verbose_name='经营者逾期未答复'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='respondent_kind',
            field=models.CharField(choices=[('entity', '登记的经营主体'), ('operator', '未登记的经营者'), ('person', '从业人员个人')], default='entity', max_length=16, verbose_name='被投诉人类型'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='sector',
            field=models.CharField(blank=True, choices=[('tourism', '文化旅游'), ('exhibition', '会展'), ('wellness', '康养'), ('household_service', '家政')], max_length=32, verbose_name='行业'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='transferred_contact',
            field=models.CharField(blank=True, max_length=200, verbose_name='转办部门联系方式'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='transferred_on',
            field=models.DateField(blank=True, null=True, verbose_name='转办日期'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='transferred_to',
            field=models.CharField(blank=True, max_length=200, verbose_name='转办部门'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='business_notified_on',
            field=models.DateField(blank=True, null=True, verbose_name='答复通知书送达日期'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='entity',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='entities.entity', verbose_name='被投诉主体'),
        ),
        # representatives: one string -> a list of names (a string is not JSON, so through a new column)
        migrations.AddField(
            model_name='complaint',
            name='representative_list',
            field=models.JSONField(blank=True, default=list),
        ),
        # every complaint so far names an entity: its region and sector are the receiving ones
        migrations.RunSQL(FORWARD_SQL, BACKWARD_SQL),
        migrations.RemoveField(model_name='complaint', name='representatives'),
        migrations.RenameField(model_name='complaint', old_name='representative_list', new_name='representatives'),
        migrations.AlterField(
            model_name='complaint',
            name='representatives',
            field=models.JSONField(blank=True, default=list, help_text='4 人以上共同投诉时可以推选 1 至 3 名代表人（姓名列表）。', verbose_name='代表人'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='status',
            field=models.CharField(choices=[('submitted', '已提交'), ('accepted', '已受理'), ('rejected', '不予受理'), ('investigating', '调查处理中'), ('resolved', '已办结'), ('closed', '已归档'), ('withdrawn', '已撤回'), ('transferred', '已转办')], default='submitted', max_length=16, verbose_name='状态'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('entity__isnull', True)), fields=['region_code', 'sector'], name='complaint_unlinked_scope', opclasses=['varchar_pattern_ops', 'varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('notice_issued_on__isnull', True)), fields=['status', 'notify_due'], name='complaint_notice_open'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('business_responded_at__isnull', True)), fields=['status', 'reply_due'], name='complaint_reply_open'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('entity__isnull', False), ('respondent_kind', 'entity')), models.Q(('entity__isnull', True), ('person__isnull', True), ('respondent_kind', 'operator'), models.Q(('operator_name', ''), _negated=True)), models.Q(('entity__isnull', True), ('respondent_kind', 'person'), models.Q(('person_name', ''), _negated=True)), _connector='OR'), name='complaint_one_respondent'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(('entity__isnull', False), models.Q(models.Q(('region_code', ''), _negated=True), models.Q(('sector', ''), _negated=True)), _connector='OR'), name='complaint_unlinked_has_region'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'transferred'), _negated=True), models.Q(('transferred_to', ''), _negated=True), _connector='OR'), name='complaint_transfer_names_department'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'mediated'), _negated=True), ('mediation_result', 'agreement'), _connector='OR'), name='complaint_mediated_has_agreement'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('mediation_result', 'agreement'), _negated=True), models.Q(models.Q(('mediation_terms', ''), _negated=True), ('mediation_complainant_signed_on__isnull', False), ('mediation_respondent_signed_on__isnull', False)), _connector='OR'), name='complaint_agreement_signed_by_both'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('mediation_result', 'termination'), _negated=True), models.Q(('mediation_termination_reason', ''), _negated=True), _connector='OR'), name='complaint_termination_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.CheckConstraint(condition=models.Q(('reply_due__isnull', True), ('business_notified_on__isnull', False), _connector='OR'), name='complaint_reply_due_after_delivery'),
        ),
    ]
