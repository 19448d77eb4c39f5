"""Served documents of due process, paper objections and repair of a penalty's publicity (issue 13).

- a listing points at its 告知书 and 认定决定书 (``core.ServedDocument``), keeps the objection window its notice
  stated (working days), the measure codes of its decision, and the grounds an upheld objection set aside;
- an objection records how it arrived (online or on paper), who made it, the day it was received (existing rows:
  the day they were filed, in Asia/Shanghai) and, when upheld, what follows (withdraw or revise);
- a repair application targets a listing or a penalty (``complaints.Finding``), exactly one, records a paper
  application's applicant, its 信用修复决定书, and the day a granted penalty repair ended the publicity.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def received_when_filed(apps, schema_editor):
    schema_editor.execute("UPDATE regulator_objection SET received_on = (filed_at AT TIME ZONE 'Asia/Shanghai')::date "
                          "WHERE received_on IS NULL")


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0004_plan_seal'),
        ('core', '0004_legal_citations_documents'),
        ('regulator', '0004_rule_sets_by_law'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='listing',
            name='decision_document',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.serveddocument', verbose_name='认定决定书'),
        ),
        migrations.AddField(
            model_name='listing',
            name='measure_codes',
            field=models.JSONField(blank=True, default=list, help_text='规则集措施目录中的代码。', verbose_name='措施代码'),
        ),
        migrations.AddField(
            model_name='listing',
            name='notice_document',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.serveddocument', verbose_name='告知书'),
        ),
        migrations.AddField(
            model_name='listing',
            name='objection_days',
            field=models.PositiveSmallIntegerField(blank=True, help_text='告知书载明的期间，按签发之日施行的规则集。', null=True, verbose_name='陈述申辩期（工作日）'),
        ),
        migrations.AddField(
            model_name='listing',
            name='set_aside_grounds',
            field=models.JSONField(blank=True, default=list, help_text='申辩成立时的事由与依据 [{"reason", "legal_basis"}]：不得据此作出认定。', verbose_name='已被申辩推翻的事由'),
        ),
        migrations.AddField(
            model_name='objection',
            name='channel',
            field=models.CharField(choices=[('online', '网上提交'), ('paper', '书面提交（监管部门登记）')], default='online', max_length=8, verbose_name='提出方式'),
        ),
        migrations.AddField(
            model_name='objection',
            name='objector_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='申辩人'),
        ),
        migrations.AddField(
            model_name='objection',
            name='outcome',
            field=models.CharField(blank=True, choices=[('withdraw', '撤回拟列入，终止程序'), ('revise', '退回重新拟定')], max_length=8, verbose_name='申辩成立的处理'),
        ),
        migrations.AddField(
            model_name='objection',
            name='received_on',
            field=models.DateField(help_text='书面申辩为机关收到之日，须在陈述申辩期内。', null=True, verbose_name='收到日期'),
        ),
        migrations.RunPython(received_when_filed, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='objection',
            name='received_on',
            field=models.DateField(default=django.utils.timezone.localdate, help_text='网上提交为提交之日；书面申辩为机关收到之日，须在陈述申辩期内。', verbose_name='收到日期'),
        ),
        migrations.AddField(
            model_name='repairapplication',
            name='applicant_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='申请人'),
        ),
        migrations.AddField(
            model_name='repairapplication',
            name='channel',
            field=models.CharField(choices=[('online', '网上提交'), ('paper', '书面提交（监管部门登记）')], default='online', max_length=8, verbose_name='申请方式'),
        ),
        migrations.AddField(
            model_name='repairapplication',
            name='decision_document',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.serveddocument', verbose_name='信用修复决定书'),
        ),
        migrations.AddField(
            model_name='repairapplication',
            name='finding',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='publicity_repairs', to='complaints.finding', verbose_name='行政处罚（检查发现）'),
        ),
        migrations.AddField(
            model_name='repairapplication',
            name='publicity_ended_on',
            field=models.DateField(blank=True, help_text='准予修复行政处罚信息之日：此后该处罚不再公示。', null=True, verbose_name='公示终止日期'),
        ),
        migrations.AlterField(
            model_name='listing',
            name='list_type',
            field=models.CharField(choices=[('black', '严重失信主体名单'), ('watch', '重点关注名单'), ('red', '守信激励名单')], max_length=8, verbose_name='名单类型'),
        ),
        migrations.AlterField(
            model_name='listing',
            name='notified_on',
            field=models.DateField(blank=True, help_text='告知书送达之日；陈述申辩期自此起算。', null=True, verbose_name='告知书送达日期'),
        ),
        migrations.AlterField(
            model_name='objection',
            name='filed_by',
            field=models.ForeignKey(help_text='网上提交的主体账户，或登记书面申辩的监管人员。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='repairapplication',
            name='applicant',
            field=models.ForeignKey(help_text='网上申请的主体账户，或登记书面申请的监管人员。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='repairapplication',
            name='listing',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='repair_applications', to='regulator.listing', verbose_name='名单记录'),
        ),
        migrations.AddIndex(
            model_name='repairapplication',
            index=models.Index(condition=models.Q(('finding__isnull', False), ('status', 'granted')), fields=['finding'], name='repair_ended_publicity'),
        ),
        migrations.AddConstraint(
            model_name='objection',
            constraint=models.CheckConstraint(condition=models.Q(('outcome', ''), ('upheld', True), _connector='OR'), name='objection_outcome_if_upheld'),
        ),
        migrations.AddConstraint(
            model_name='repairapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'submitted')), fields=('finding',), name='one_open_repair_per_finding'),
        ),
        migrations.AddConstraint(
            model_name='repairapplication',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('finding__isnull', True), ('listing__isnull', False)), models.Q(('finding__isnull', False), ('listing__isnull', True)), _connector='OR'), name='repair_of_listing_or_finding'),
        ),
        migrations.AddConstraint(
            model_name='repairapplication',
            constraint=models.CheckConstraint(condition=models.Q(('publicity_ended_on__isnull', True), models.Q(('finding__isnull', False), ('status', 'granted')), _connector='OR'), name='repair_publicity_end_if_granted'),
        ),
    ]
