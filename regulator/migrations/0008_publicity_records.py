"""双公示记录 (regulator.disclosure.publicity_records): the table and the sequence its versions are drawn from.

The audit trigger and the service role's grants reach the new table and sequence after this migrate, as for
every model's table (core.audit, core.database.roles.grant_service_role run on post_migrate).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0009_rectification_evidence"),
        ("entities", "0003_household_worker_files"),
        ("regulator", "0007_joint_measures_catalogue"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicityRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("penalty", "行政处罚"), ("licence", "行政许可")], max_length=16,
                                          verbose_name="记录类型")),
                ("source_ref", models.CharField(help_text="来源记录：finding:<编号> 或 licence:<编号>。", max_length=40,
                                                unique=True, verbose_name="来源")),
                ("subject_name", models.CharField(max_length=200, verbose_name="相对人名称")),
                ("credit_code", models.CharField(db_index=True, max_length=18, verbose_name="统一社会信用代码")),
                ("legal_representative", models.CharField(
                    blank=True, help_text="决定日任职的法定代表人姓名（不含身份证号）；对公众遮蔽。", max_length=100,
                    verbose_name="法定代表人")),
                ("decision_number", models.CharField(max_length=100, verbose_name="决定文书号")),
                ("category", models.CharField(help_text="处罚种类或许可类型的代码。", max_length=40, verbose_name="类别")),
                ("content", models.TextField(max_length=4000, verbose_name="内容")),
                ("fine_amount", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True,
                                                    verbose_name="罚款金额（元）")),
                ("decided_on", models.DateField(verbose_name="决定日期")),
                ("publicity_until", models.DateField(blank=True, help_text="按公示期限规则的截止日期；为空表示许可有效期内持续公示。",
                                                     null=True, verbose_name="公示截止期")),
                ("authority_name", models.CharField(blank=True, max_length=100, verbose_name="决定机关")),
                ("authority_credit_code", models.CharField(blank=True, max_length=18,
                                                           verbose_name="决定机关统一社会信用代码")),
                ("source_unit", models.CharField(blank=True, max_length=100, verbose_name="数据来源单位")),
                ("produced_at", models.DateTimeField(verbose_name="生成时间")),
                ("due_by", models.DateField(help_text="决定日期后第 7 个工作日。", verbose_name="应公示期限")),
                ("late", models.BooleanField(default=False, help_text="晚于应公示期限生成。", verbose_name="逾期")),
                ("publication_ends_on", models.DateField(blank=True, help_text="实际停止公示之日：公示期满，或准予信用修复之日。",
                                                         null=True, verbose_name="公示终止日期")),
                ("ended", models.BooleanField(default=False, verbose_name="已停止公示")),
                ("end_reason", models.CharField(blank=True, choices=[
                    ("period_end", "公示期满"), ("repaired", "信用修复"), ("not_published", "按规则不予公示"),
                    ("licence_ended", "许可已失效"), ("source_removed", "原决定已撤回")], max_length=20,
                    verbose_name="停止公示原因")),
                ("version", models.BigIntegerField(db_index=True, verbose_name="数据版本")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("entity", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                             related_name="publicity_records", to="entities.entity",
                                             verbose_name="市场主体")),
                ("finding", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                              related_name="publicity_records", to="complaints.finding",
                                              verbose_name="检查发现（行政处罚）")),
                ("licence", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                              related_name="publicity_records", to="entities.licence",
                                              verbose_name="许可证照")),
            ],
            options={
                "verbose_name": "双公示记录",
                "verbose_name_plural": "双公示记录",
                "db_table": "regulator_publicityrecord",
                "ordering": ["-decided_on", "-id"],
                "indexes": [
                    models.Index(fields=["kind", "ended", "decided_on"], name="publicity_kind_open"),
                    models.Index(fields=["entity", "kind"], name="publicity_entity_kind"),
                    models.Index(condition=models.Q(("late", True)), fields=["late"], name="publicity_late"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(models.Q(("kind", "penalty"), ("licence__isnull", True)),
                                           models.Q(("finding__isnull", True), ("kind", "licence")), _connector="OR"),
                        name="publicity_source_matches_kind"),
                    models.UniqueConstraint(condition=models.Q(("finding__isnull", False)), fields=("finding",),
                                            name="publicity_one_per_finding"),
                    models.UniqueConstraint(condition=models.Q(("licence__isnull", False)), fields=("licence",),
                                            name="publicity_one_per_licence"),
                    models.CheckConstraint(condition=models.Q(("ended", False), models.Q(("end_reason", ""),
                                                                                          _negated=True),
                                                              _connector="OR"),
                                           name="publicity_end_has_reason"),
                    models.CheckConstraint(condition=models.Q(("fine_amount__isnull", True), ("fine_amount__gte", 0),
                                                              _connector="OR"),
                                           name="publicity_fine_not_negative"),
                ],
            },
        ),
        migrations.RunSQL(
            "CREATE SEQUENCE regulator_publicityrecord_version_seq OWNED BY regulator_publicityrecord.version",
            "DROP SEQUENCE IF EXISTS regulator_publicityrecord_version_seq",
        ),
    ]
