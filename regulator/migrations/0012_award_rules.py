"""诚信评选规则 (awards) in the rule sets of 2022, 2023 and 2026: criteria, notice period, validity and titles.

The awards procedure (``regulator.lists.award_services``) reads the section of the set in force on the day a
round is opened or an application filed. The section is new: no reader of these documents looked at it before, and
every other key is left as migrations 0004 and 0007 wrote it, so no decision judged by them changes. The criteria
are DOMAIN.md's defaults for the red list (grade A, no substantiated complaint and no finding above minor in the
last 12 months) plus "not on the black or watch list" (those lists bar awards: the measures catalogue's
``no_awards``). The bases cite 晋政发〔2021〕44号 (诚信企业) and 运盐政发〔2022〕16号 (诚信商家, 文明诚信商户) by name
only: no article of them was read for the awards (decision 0014). A set that already has the section (a
regulator's) is not touched. Written out here (frozen): this migration never reads regulator.lists.award_rules.
"""

import datetime

from django.db import migrations

SETS = (datetime.date(2022, 1, 1), datetime.date(2023, 5, 1), datetime.date(2026, 4, 1))


def section():
    return {'notice_working_days': 5,
 'validity_days': 365,
 'criteria': [{'code': 'grade_at_least', 'grade': 'A'},
              {'code': 'no_substantiated_complaint', 'within_days': 365},
              {'code': 'max_finding_severity', 'severity': 'minor', 'within_days': 365},
              {'code': 'not_listed', 'list_types': ['black', 'watch']}],
 'kinds': {'honest_enterprise': {'name': '诚信企业',
                                 'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）：诚信企业评价',
                                 'red_list': False},
           'honest_merchant': {'name': '诚信商家',
                               'basis': '《运城市盐湖区“十四五”现代服务业发展规划》（运盐政发〔2022〕16号）：诚信商家',
                               'red_list': False},
           'civilised_merchant': {'name': '文明诚信商户',
                                  'basis': '《运城市盐湖区“十四五”现代服务业发展规划》（运盐政发〔2022〕16号）：文明诚信商户',
                                  'red_list': False}}}


def forward(apps, schema_editor):
    RuleSet = apps.get_model("regulator", "RuleSet")
    for rule_set in RuleSet.objects.filter(effective_from__in=SETS):
        if "awards" in rule_set.document:
            continue
        rule_set.document = {**rule_set.document, "awards": section()}
        rule_set.save(update_fields=["document"])


def backward(apps, schema_editor):
    RuleSet = apps.get_model("regulator", "RuleSet")
    for rule_set in RuleSet.objects.filter(effective_from__in=SETS):
        if rule_set.document.get("awards") == section():
            rule_set.document = {key: value for key, value in rule_set.document.items() if key != "awards"}
            rule_set.save(update_fields=["document"])


class Migration(migrations.Migration):
    dependencies = [("regulator", "0011_award_rounds_applications")]
    operations = [migrations.RunPython(forward, backward)]
