"""定时导入来源 and their runs (regulator/lists/import_sources.py): the audit trigger and the service role's
grants reach the new tables through post_migrate (core.audit.install, grant_service_role)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regulator', '0008_publicity_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='名称')),
                ('source_authority', models.CharField(help_text='写入每条记录的来源机关；全量导入只移出该机关导入的记录。', max_length=200, unique=True, verbose_name='来源机关')),
                ('kind', models.CharField(choices=[('drop_dir', '投放目录'), ('url', '网址（HTTP/HTTPS）')], max_length=16, verbose_name='获取方式')),
                ('location', models.CharField(help_text='投放目录：投放根目录下的相对路径；网址：http:// 或 https://。', max_length=1000, verbose_name='位置')),
                ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'Excel 工作簿（XLSX）'), ('json', 'JSON')], max_length=8, verbose_name='文件格式')),
                ('encoding', models.CharField(blank=True, choices=[('utf-8-sig', 'UTF-8'), ('gb18030', 'GB18030 / GBK')], help_text='留空则自动识别（UTF-8，否则 GB18030/GBK）。', max_length=16, verbose_name='CSV 编码')),
                ('column_mapping', models.JSONField(default=dict, help_text='{"目标字段": "文件列名"}，如 {"name": "被执行人名称"}。', verbose_name='列映射')),
                ('defaults', models.JSONField(blank=True, default=dict, help_text='{"目标字段": "值"}：文件未给出或为空时每条记录取该值，如名单类型、法律依据。', verbose_name='默认值')),
                ('mode', models.CharField(choices=[('snapshot', '全量（文件中已无的记录移出名单）'), ('delta', '增量（只新增，不移出）')], default='delta', max_length=16, verbose_name='导入方式')),
                ('interval_minutes', models.PositiveIntegerField(default=1440, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(43200)], verbose_name='间隔（分钟）')),
                ('enabled', models.BooleanField(default=True, verbose_name='启用')),
                ('last_run_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='上次运行时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
            ],
            options={
                'verbose_name': '定时导入来源',
                'verbose_name_plural': '定时导入来源',
                'db_table': 'regulator_importsource',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('trigger', models.CharField(choices=[('schedule', '定时'), ('manual', '手动'), ('backlog', '目录中尚有文件')], default='schedule', max_length=16, verbose_name='触发方式')),
                ('state', models.CharField(choices=[('queued', '排队中'), ('running', '运行中'), ('done', '已完成'), ('unchanged_file', '文件未变化，已跳过'), ('no_file', '无新文件'), ('refused', '记录被拒，未导入'), ('failed', '失败')], default='queued', max_length=16, verbose_name='状态')),
                ('queued_at', models.DateTimeField(auto_now_add=True, verbose_name='排队时间')),
                ('enqueued_at', models.DateTimeField(blank=True, null=True, verbose_name='发送时间')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                ('file_name', models.CharField(blank=True, max_length=255, verbose_name='文件名')),
                ('file_sha256', models.CharField(blank=True, max_length=64, verbose_name='文件 SHA-256')),
                ('file_bytes', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='文件大小（字节）')),
                ('rows_total', models.PositiveIntegerField(default=0, verbose_name='记录数')),
                ('new_count', models.PositiveIntegerField(default=0, verbose_name='新增')),
                ('unchanged_count', models.PositiveIntegerField(default=0, verbose_name='未变化')),
                ('ended_count', models.PositiveIntegerField(default=0, verbose_name='移出')),
                ('refused_count', models.PositiveIntegerField(default=0, verbose_name='被拒')),
                ('report', models.JSONField(blank=True, default=list, help_text='[{"row", "reference", "outcome", "reason", "listing_id"}]', verbose_name='逐行报告')),
                ('error', models.TextField(blank=True, verbose_name='错误')),
            ],
            options={
                'verbose_name': '定时导入运行记录',
                'verbose_name_plural': '定时导入运行记录',
                'db_table': 'regulator_importrun',
                'ordering': ['-id'],
            },
        ),
        migrations.AddField(
            model_name='importrun',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人'),
        ),
        migrations.AddField(
            model_name='importsource',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='importrun',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='regulator.importsource', verbose_name='导入来源'),
        ),
        migrations.AddIndex(
            model_name='importrun',
            index=models.Index(fields=['source', 'state'], name='importrun_source_state'),
        ),
        migrations.AddConstraint(
            model_name='importrun',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ['queued', 'running'])), fields=('source',), name='importrun_one_unfinished_per_source'),
        ),
    ]
