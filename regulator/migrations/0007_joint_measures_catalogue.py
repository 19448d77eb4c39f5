"""联合奖惩措施目录 (joint_measures) in the rule sets of 2022, 2023 and 2026: what a listing binds besides licences.

The measures check (``POST /api/v1/measures-checks/``, ``regulator.lists.measures``) reads the catalogue of the
set in force on the day asked. The section is new: no reader of the documents looked at it before, and every
other key of these sets is left exactly as migration 0004 wrote it, so no decision judged by them changes. The
same catalogue is added to the three sets because the measures it names rest on texts in force since 2022
(文化和旅游部令第7号, in force 2022-01-01; 晋政发〔2021〕44号; 运盐政发〔2022〕16号), cited by name only (no
article of them was read for these measures, decision 0014). A set that already has the section (a regulator's)
is not touched. Written out here (frozen): this migration never reads regulator.lists.rules.
"""

import datetime

from django.db import migrations

SETS = (datetime.date(2022, 1, 1), datetime.date(2023, 5, 1), datetime.date(2026, 4, 1))


def catalogue():
    return [{'code': 'government_funding',
  'name': '申请政府资金支持和财政补贴',
  'kind': 'funding',
  'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）',
  'bindings': [{'list_types': ['black'],
                'subject_roles': ['entity', 'legal_representative', 'actual_controller', 'principal'],
                'effect': 'deny'}]},
 {'code': 'public_procurement',
  'name': '参与政府采购和招标投标',
  'kind': 'procurement',
  'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）',
  'bindings': [{'list_types': ['black'],
                'subject_roles': ['entity', 'legal_representative', 'actual_controller', 'principal'],
                'effect': 'deny'}]},
 {'code': 'awards_honours',
  'name': '表彰奖励和荣誉称号',
  'kind': 'award',
  'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）',
  'bindings': [{'list_types': ['black'],
                'subject_roles': ['entity', 'legal_representative', 'actual_controller', 'principal'],
                'effect': 'deny'},
               {'list_types': ['watch'],
                'subject_roles': ['entity'],
                'effect': 'deny',
                'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）'}]},
 {'code': 'merit_evaluation',
  'name': '评优评先（参评诚信企业等）',
  'kind': 'award',
  'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）',
  'bindings': [{'list_types': ['black', 'watch'], 'subject_roles': ['entity'], 'effect': 'deny'}]},
 {'code': 'name_change',
  'name': '变更名称',
  'kind': 'name_change',
  'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）',
  'bindings': [{'list_types': ['black'], 'subject_roles': ['entity'], 'effect': 'deny'}]},
 {'code': 'green_channel',
  'name': '行政审批绿色通道',
  'kind': 'reward',
  'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）；运盐政发〔2022〕16号',
  'bindings': [{'list_types': ['red'], 'subject_roles': ['entity'], 'effect': 'reward'}]},
 {'code': 'tolerance_acceptance',
  'name': '容缺受理',
  'kind': 'reward',
  'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）；运盐政发〔2022〕16号',
  'bindings': [{'list_types': ['red'], 'subject_roles': ['entity'], 'effect': 'reward'}]}]


def forward(apps, schema_editor):
    RuleSet = apps.get_model("regulator", "RuleSet")
    for rule_set in RuleSet.objects.filter(effective_from__in=SETS):
        if "joint_measures" in rule_set.document:
            continue
        rule_set.document = {**rule_set.document, "joint_measures": catalogue()}
        rule_set.save(update_fields=["document"])


def backward(apps, schema_editor):
    RuleSet = apps.get_model("regulator", "RuleSet")
    for rule_set in RuleSet.objects.filter(effective_from__in=SETS):
        if rule_set.document.get("joint_measures") == catalogue():
            rule_set.document = {key: value for key, value in rule_set.document.items() if key != "joint_measures"}
            rule_set.save(update_fields=["document"])


class Migration(migrations.Migration):
    dependencies = [("regulator", "0006_listing_search_keys")]
    operations = [migrations.RunPython(forward, backward)]
