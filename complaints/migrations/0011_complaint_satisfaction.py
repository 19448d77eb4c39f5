# 满意在山西: the complainant's rating of the handling (complaints/satisfaction_ratings.py)

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0010_campaigns'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplaintSatisfaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rating', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='满意度评分')),
                ('comment', models.TextField(blank=True, max_length=500, verbose_name='评价意见')),
                ('status_when_rated', models.CharField(choices=[('resolved', '已办结'), ('closed', '已归档')], editable=False, max_length=16, verbose_name='评价时投诉状态')),
                ('rated_at', models.DateTimeField(auto_now_add=True, verbose_name='评价时间')),
                ('complaint', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='satisfaction', to='complaints.complaint', verbose_name='投诉')),
            ],
            options={
                'verbose_name': '投诉处理满意度评价',
                'verbose_name_plural': '投诉处理满意度评价',
                'ordering': ['-rated_at', '-id'],
                'indexes': [models.Index(fields=['rated_at'], name='complaintsatisfaction_time')],
                'constraints': [models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 5)), name='complaintsatisfaction_1_to_5'), models.CheckConstraint(condition=models.Q(('status_when_rated__in', ['resolved', 'closed'])), name='complaintsatisfaction_after_closing')],
            },
        ),
    ]
