"""The violation-type catalogue seeded with the service (regulators extend it in the admin).

Each entry: code, name, sector, default severity, legal basis, safety related.

Every article number below was checked against a copy of the text (docs/decisions/0014-verified-citations.md,
tests/legal/verified_citations.py); a regulation whose articles could not be read is cited without a number.
``complaints/migrations/0005_verified_catalogue_citations.py`` brings existing databases up to this list.
"""

VIOLATION_TYPES = [
    # 旅游
    ("forced_shopping", "强迫或变相强迫购物", "tourism", "serious",
     "《旅游法》第三十五条、第四十一条；《旅行社条例》第三十三条、第五十九条", False),
    ("unlicensed_travel_agency", "未经许可经营旅行社业务", "tourism", "grave",
     "《旅游法》第九十五条；《旅行社条例》第四十六条", False),
    ("outbound_beyond_scope", "超范围经营出境旅游业务", "tourism", "serious",
     "《旅游法》第二十九条、第九十五条；《旅行社条例》第四十六条", False),
    ("unlicensed_guide", "未取得导游证从事导游活动", "tourism", "general",
     "《旅游法》第一百零二条；《导游人员管理条例》第四条、第十八条", False),
    ("guide_solicits_tips", "导游索取小费", "tourism", "general",
     "《旅游法》第四十一条、第一百零二条；《导游人员管理条例》第十五条", False),
    ("no_written_contract", "未与旅游者签订书面合同", "tourism", "general",
     "《旅游法》第五十八条；《旅行社条例》第二十八条、第五十五条", False),
    ("unreasonable_low_price", "以不合理低价组织旅游活动", "tourism", "serious",
     "《旅游法》第三十五条、第九十八条", False),
    ("abandoned_tourists", "甩团、滞留旅游者", "tourism", "grave",
     "《旅游法》第一百条；《旅行社条例》第三十三条、第五十九条", False),
    ("scenic_overcapacity", "景区超过最大承载量接待游客", "tourism", "serious",
     "《旅游法》第四十五条、第一百零五条", True),
    ("hotel_fire_hazard", "住宿场所消防安全隐患", "tourism", "serious", "《消防法》第十六条、第六十条", True),
    ("refuse_complaint_ruling", "拒不履行旅游投诉处理决定（5 个工作日内）", "tourism", "serious",
     "《临汾市旅行社、分社及导游“红黑榜”制度（试行）》；《旅游投诉处理办法》（文化和旅游部令第14号）", False),
    ("price_fraud", "价格欺诈、未明码标价", "general", "general",
     "《价格法》第十三条、第十四条；《明码标价和禁止价格欺诈规定》第五条、第十九条", False),
    # 会展
    ("exhibition_false_advertising", "会展虚假宣传", "exhibition", "general",
     "《反不正当竞争法》虚假宣传条款；《广告法》第四条、第二十八条、第五十五条", False),
    ("exhibition_ip_infringement", "展会知识产权侵权", "exhibition", "general",
     "《展会知识产权保护办法》第四条、第五条", False),
    ("exhibition_safety_plan_missing", "大型展会未落实安全工作方案", "exhibition", "serious",
     "《大型群众性活动安全管理条例》第六条、第七条、第二十一条", True),
    # 康养
    ("elderly_fire_hazard_overdue", "养老机构消防隐患逾期未改", "wellness", "serious",
     "《消防法》第十六条、第六十条；民发〔2019〕103号", True),
    ("elderly_abuse", "欺老、虐老等侵害老年人权益", "wellness", "grave",
     "《老年人权益保障法》第三条、第四十八条、第七十九条；民发〔2019〕103号", False),
    ("elderly_subsidy_fraud", "骗取养老服务补贴", "wellness", "grave", "《养老机构管理办法》；民发〔2019〕103号", False),
    ("elderly_illegal_fundraising", "以养老服务为名非法集资", "wellness", "grave",
     "《防范和处置非法集资条例》第二条、第三十条；民发〔2019〕103号", False),
    ("elderly_unfiled", "养老机构未备案擅自开展服务", "wellness", "general",
     "《老年人权益保障法》第四十三条；《养老机构管理办法》", False),
    ("elderly_food_safety", "养老机构食品安全不达标", "wellness", "serious",
     "《食品安全法》第一百二十六条第一款第（十二）项", True),
    # 家政
    ("household_worker_uncertified", "家政服务员未持证上岗", "household_service", "minor",
     "《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）", False),
    ("household_no_health_check", "家政服务员未经体检上岗", "household_service", "general",
     "《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）", False),
    ("household_no_contract", "未与消费者签订家政服务合同", "household_service", "minor",
     "《家庭服务业管理暂行办法》（商务部令2012年第11号）", False),
    ("household_credit_record_fraud", "家政信用记录造假", "household_service", "serious",
     "《商务信用联合惩戒对象名单管理办法》", False),
    # 通用
    ("obstruct_inspection", "拒绝、阻碍监督检查", "general", "serious",
     "《旅游法》第八十七条；《行政许可法》第八十条；民发〔2019〕103号", False),
    ("forged_licence", "伪造、变造或以欺骗手段取得许可", "general", "grave",
     "《行政许可法》第六十九条、第七十九条；《文化和旅游市场信用管理规定》（文化和旅游部令第7号）", False),
    ("major_safety_accident", "发生重大安全事故且负主要责任", "general", "grave",
     "民发〔2019〕103号；《临汾市旅行社、分社及导游“红黑榜”制度（试行）》", True),
]
