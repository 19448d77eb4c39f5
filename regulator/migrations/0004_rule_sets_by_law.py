"""Rule sets that follow the law over time: the documents of the sets in force from 2022, 2023 and 2026.

The documents are written out here (frozen: this migration never reads regulator.lists.rules, whose
DEFAULT_DOCUMENT moves with the law). Version 1 (2022-01-01) and version 2 (2026-04-01) are corrected in
place; the set in force from 2023-05-01 is added (version 4: versions are labels in order of creation, and 3
is left to a set a regulator may already have added; if 4 is taken, the next free number).

What differs, and why (decision 0014 names the copies of the texts; citations without an article number
where the article was not read):

* 2022-01-01 (文化和旅游部令第7号 in force): penalties' publicity as 国家发展改革委办公厅 发改办财金〔2019〕527号
  set it until 2023-05-01: 一般 3 months - 1 year, 严重 6 months - 3 years, and a suspension or revocation in
  the safety fields (特定严重失信) published for its whole term; 轻微 is not a class of its own (published
  as 一般). Repair: no 信用承诺 from a 严重失信 subject.
* 2023-05-01 (失信行为纠正后的信用信息修复管理办法（试行）, 国家发展改革委令第58号): 严重 at least 1 year; safety,
  fire and special equipment at least 1 year (no more full term); otherwise as 2022.
* 2026-04-01 (信用修复管理办法): 轻微 not published (at most 3 months where a department publishes it);
  一般 3 months - 1 year; 严重 1 - 3 years; repair after the minimum with a public 信用承诺, from 严重失信
  subjects too.

In every set: criteria, legal bases, periods and windows per sector and category (养老 = elderly_care:
its own grounds, 10 working days, removal after 2 years; 商务/家政: 重点关注 2 years); restrictions with
their start event and period (旅行社条例: the principal of an agency whose licence was revoked 5 years,
outbound-travel licence 2 years after a penalty above a fine for harming tourists; 旅游法: revoked
guides and the agency's managers 3 years, from the penalty decision).
"""

import datetime

from django.db import migrations

EFFECTIVE_2022 = datetime.date(2022, 1, 1)
EFFECTIVE_2023 = datetime.date(2023, 5, 1)
EFFECTIVE_2026 = datetime.date(2026, 4, 1)


def document_2026():
    """信用修复管理办法 (in force 2026-04-01)."""
    return {'periods_days': {'black': 1095, 'watch': 365, 'red': 365},
     'objection_working_days': {'default': 5},
     'service': {'announcement_wait_days': 30, 'basis': '《中华人民共和国行政处罚法》第六十一条；《中华人民共和国民事诉讼法》第九十五条'},
     'appeal_routes': [{'route': 'administrative_review',
                        'label': '行政复议',
                        'within_days': 60,
                        'text': '自知道或者应当知道本决定之日起六十日内依法申请行政复议。',
                        'basis': '《中华人民共和国行政复议法》'},
                       {'route': 'administrative_litigation',
                        'label': '行政诉讼',
                        'within_months': 6,
                        'text': '自知道或者应当知道本决定之日起六个月内依法向人民法院提起行政诉讼。',
                        'basis': '《中华人民共和国行政诉讼法》'}],
     'measures': [{'code': 'no_new_licence',
                   'label': '限制新增本行业许可（含通过其他主体申请）',
                   'list_types': ['black'],
                   'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）；运盐政发〔2022〕16号（严重失信的法人、实际负责人限期内不再核发涉旅营业执照）'},
                  {'code': 'inspection_highest',
                   'label': '列为重点监管对象，实施最高频次检查',
                   'list_types': ['black'],
                   'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）'},
                  {'code': 'no_name_change',
                   'label': '限制变更名称',
                   'list_types': ['black'],
                   'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）'},
                  {'code': 'no_public_funding',
                   'label': '限制申请政府资金支持和参与政府采购',
                   'list_types': ['black'],
                   'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）'},
                  {'code': 'no_awards',
                   'label': '不得参评诚信企业等评优评先',
                   'list_types': ['black', 'watch'],
                   'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）'},
                  {'code': 'inspection_higher',
                   'label': '提高检查比例和频次',
                   'list_types': ['watch'],
                   'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）'},
                  {'code': 'licence_strict_review',
                   'label': '许可申请从严审查',
                   'list_types': ['watch'],
                   'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）'},
                  {'code': 'inspection_reduced',
                   'label': '降低抽查比例和频次',
                   'list_types': ['red'],
                   'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）'},
                  {'code': 'honour_published',
                   'label': '公布为诚信企业（诚信商家）',
                   'list_types': ['red'],
                   'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）；运盐政发〔2022〕16号'}],
     'criteria': {'black_on_revocation': True,
                  'black_violation_codes': ['forged_licence',
                                            'abandoned_tourists',
                                            'major_safety_accident',
                                            'unlicensed_travel_agency'],
                  'violation_min_severity': {'major_safety_accident': 'grave', 'unlicensed_travel_agency': 'grave'},
                  'watch_on_penalties': ['fine', 'suspension'],
                  'watch_violation_codes': ['obstruct_inspection', 'refuse_complaint_ruling'],
                  'black_on_imported_grounds': [],
                  'watch_to_black': {'count': 2, 'within_days': 365},
                  'complaints_to_watch': {'count': 3, 'within_days': 91},
                  'red': {'grade': 'A', 'clean_days': 365, 'max_severity': 'minor'},
                  'legal_basis': {'black': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）第三章（失信主体认定）：严重失信主体',
                                  'watch': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）第三章（失信主体认定）：轻微失信主体（重点关注名单）',
                                  'red': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）：诚信企业',
                                  'licence_revoked_person': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）第三章（失信主体认定）及其释义（第二版）：受到吊销许可证行政处罚的，同时认定其法定代表人或主要负责人'}},
     'sectors': {'wellness': {'criteria': {'legal_basis': {'black': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）：康养失信主体',
                                                           'watch': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）：康养重点关注对象'}}},
                 'exhibition': {'criteria': {'legal_basis': {'black': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）：会展失信主体',
                                                             'watch': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）：会展重点关注对象'}}},
                 'household_service': {'periods_days': {'black': 1095, 'watch': 730},
                                       'criteria': {'legal_basis': {'black': '《商务信用联合惩戒对象名单管理办法》；《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）：失信联合惩戒对象名单',
                                                                    'watch': '《商务信用联合惩戒对象名单管理办法》；《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）：重点关注对象名单'}}}},
     'categories': {'elderly_care': {'objection_working_days': 10,
                                     'repair': {'black_min_days': 730},
                                     'criteria': {'black_violation_codes': ['forged_licence',
                                                                            'elderly_abuse',
                                                                            'elderly_subsidy_fraud',
                                                                            'elderly_illegal_fundraising',
                                                                            'elderly_fire_hazard_overdue',
                                                                            'obstruct_inspection'],
                                                  'watch_violation_codes': [],
                                                  'black_on_imported_grounds': ['court_dishonest_debtor'],
                                                  'legal_basis': {'black': '《养老服务市场失信联合惩戒对象名单管理办法（试行）》（民发〔2019〕103号）：养老服务市场失信联合惩戒对象名单',
                                                                  'watch': '《养老机构管理办法》：重点关注对象'}}}},
     'restrictions': [{'licence_types': ['travel_agency_business',
                                         'outbound_travel_business',
                                         'tour_guide',
                                         'hotel_special_trade',
                                         'homestay_filing',
                                         'scenic_spot_rating'],
                       'list_type': 'black',
                       'sectors': ['tourism'],
                       'subject_roles': ['entity',
                                         'legal_representative',
                                         'actual_controller',
                                         'principal',
                                         'practitioner'],
                       'effect': 'deny',
                       'basis': '《文化和旅游市场信用管理规定》（文化和旅游部令第7号）；运盐政发〔2022〕16号（严重失信的法人、实际负责人限期内不再核发涉旅营业执照）'},
                      {'licence_types': ['exhibition_filing'],
                       'list_type': 'black',
                       'sectors': ['exhibition'],
                       'subject_roles': ['entity', 'legal_representative', 'actual_controller', 'principal'],
                       'effect': 'deny',
                       'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）'},
                      {'licence_types': ['elderly_care_filing', 'wellness_filing'],
                       'list_type': 'black',
                       'sectors': ['wellness'],
                       'categories': ['elderly_care'],
                       'subject_roles': ['entity', 'legal_representative', 'actual_controller', 'principal'],
                       'effect': 'deny',
                       'basis': '《养老服务市场失信联合惩戒对象名单管理办法（试行）》（民发〔2019〕103号）'},
                      {'licence_types': ['elderly_care_filing', 'wellness_filing'],
                       'list_type': 'black',
                       'sectors': ['wellness'],
                       'categories': ['wellness_base'],
                       'subject_roles': ['entity', 'legal_representative', 'actual_controller', 'principal'],
                       'effect': 'deny',
                       'basis': '《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）'},
                      {'licence_types': ['household_service_filing', 'household_worker_certificate'],
                       'list_type': 'black',
                       'sectors': ['household_service'],
                       'subject_roles': ['entity',
                                         'legal_representative',
                                         'actual_controller',
                                         'principal',
                                         'practitioner'],
                       'effect': 'deny',
                       'basis': '《商务信用联合惩戒对象名单管理办法》；《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）'},
                      {'licence_types': ['tour_guide'],
                       'list_type': 'black',
                       'sectors': ['tourism'],
                       'subject_roles': ['practitioner'],
                       'effect': 'deny',
                       'start_event': 'penalty_date',
                       'period_days': 1095,
                       'basis': '《中华人民共和国旅游法》第一百零三条；《文化和旅游市场信用管理规定》（文化和旅游部令第7号）'},
                      {'trigger': 'penalty',
                       'penalties': ['revocation'],
                       'categories': ['travel_agency'],
                       'licence_types': ['travel_agency_business', 'outbound_travel_business'],
                       'list_type': 'black',
                       'subject_roles': ['principal'],
                       'applicant_roles': ['principal', 'applicant_person'],
                       'effect': 'deny',
                       'start_event': 'penalty_date',
                       'period_days': 1825,
                       'basis': '《旅行社条例》第六十四条'},
                      {'trigger': 'penalty',
                       'penalties': ['revocation'],
                       'categories': ['travel_agency'],
                       'licence_types': ['travel_agency_business', 'outbound_travel_business'],
                       'list_type': 'black',
                       'subject_roles': ['legal_representative', 'principal'],
                       'effect': 'deny',
                       'start_event': 'penalty_date',
                       'period_days': 1095,
                       'basis': '《中华人民共和国旅游法》第一百零三条'},
                      {'trigger': 'penalty',
                       'penalties': ['fine', 'suspension', 'revocation'],
                       'categories': ['travel_agency'],
                       'violation_codes': ['forced_shopping',
                                           'unreasonable_low_price',
                                           'abandoned_tourists',
                                           'no_written_contract',
                                           'guide_solicits_tips',
                                           'outbound_beyond_scope',
                                           'price_fraud',
                                           'major_safety_accident',
                                           'refuse_complaint_ruling'],
                       'licence_types': ['outbound_travel_business'],
                       'list_type': 'watch',
                       'subject_roles': ['entity'],
                       'effect': 'deny',
                       'start_event': 'penalty_date',
                       'period_days': 730,
                       'basis': '《旅行社条例》第八条'},
                      {'licence_types': ['*'],
                       'list_type': 'watch',
                       'sectors': [],
                       'subject_roles': ['entity',
                                         'legal_representative',
                                         'actual_controller',
                                         'principal',
                                         'practitioner'],
                       'effect': 'warn',
                       'basis': '重点关注名单：许可申请从严审查'}],
     'repair': {'black_min_days': 365,
                'watch_min_days': 0,
                'decision_working_days': 10,
                'commitment_for_black': True,
                'commitment_public': True,
                'requires_training': True},
     'publicity': {'warning_published': False,
                   'classes': {'minor': {'published': False, 'min_days': 0, 'max_days': 90},
                               'general': {'published': True, 'min_days': 90, 'max_days': 365},
                               'serious': {'published': True, 'min_days': 365, 'max_days': 1095}},
                   'safety_min_days': 365,
                   'safety_full_term_penalties': []}}


def document_2023():
    """国家发展改革委令第58号 (in force 2023-05-01 until 2026-03-31)."""
    document = document_2026()
    # No 轻微 class yet: a minor penalty is published as a general one.
    document["publicity"]["classes"]["minor"] = {"published": True, "min_days": 90, "max_days": 365}
    # A 严重失信 subject repairs without a 信用承诺; no public commitment.
    document["repair"].update(commitment_for_black=False, commitment_public=False)
    return document


def document_2022():
    """文化和旅游部令第7号 in force; publicity as 发改办财金〔2019〕527号 (until 2023-04-30)."""
    document = document_2023()
    document["publicity"]["classes"]["serious"]["min_days"] = 180
    document["publicity"]["safety_min_days"] = 0
    document["publicity"]["safety_full_term_penalties"] = ["suspension", "revocation"]
    return document


SETS = [
    (EFFECTIVE_2022, 1, "文化和旅游市场信用管理规定（文化和旅游部令第7号）施行", document_2022),
    (EFFECTIVE_2023, 4, "失信行为纠正后的信用信息修复管理办法（试行）（国家发展改革委令第58号）施行后", document_2023),
    (EFFECTIVE_2026, 2, "信用修复管理办法（国家发展改革委令第36号）施行后", document_2026),
]


def forward(apps, schema_editor):
    RuleSet = apps.get_model("regulator", "RuleSet")
    for effective_from, version, name, document in SETS:
        existing = RuleSet.objects.filter(effective_from=effective_from).first()
        if existing is not None:
            existing.name, existing.document = name, document()
            existing.save(update_fields=["name", "document"])
            continue
        if RuleSet.objects.filter(version=version).exists():
            version = max(RuleSet.objects.values_list("version", flat=True)) + 1
        RuleSet.objects.create(version=version, name=name, effective_from=effective_from, document=document())


class Migration(migrations.Migration):
    dependencies = [("regulator", "0003_one_open_proposal_and_objection")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
