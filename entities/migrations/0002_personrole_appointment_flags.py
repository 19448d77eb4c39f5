"""任职核查: the flag of an appointment made while a restriction binds the person (entities.hooks).

Rows recorded before have no check (``checked_at`` null) and are not flagged.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('entities', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='personrole',
            name='checked_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='为空：该任职登记于任职核查启用之前。', null=True, verbose_name='核查时间'),
        ),
        migrations.AddField(
            model_name='personrole',
            name='flag_reasons',
            field=models.JSONField(blank=True, db_default=models.Value([], output_field=models.JSONField()), default=list, editable=False, verbose_name='预警事由'),
        ),
        migrations.AddField(
            model_name='personrole',
            name='flagged',
            field=models.BooleanField(db_default=False, default=False, editable=False, help_text='任职时受任职限制（或未能核查），须监管人员关注。', verbose_name='任职预警'),
        ),
        migrations.AddField(
            model_name='personrole',
            name='flagged_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='预警时间'),
        ),
        migrations.AddIndex(
            model_name='personrole',
            index=models.Index(condition=models.Q(('flagged', True)), fields=['flagged_at'], name='role_flagged'),
        ),
    ]
