"""The violation-type catalogue seeded with the service (regulators extend it in the admin).

Each entry: code, name, sector, default severity, legal basis, safety related.
"""

VIOLATION_TYPES = [
    # 旅游
    ("forced_shopping", "强迫或变相强迫购物", "tourism", "serious", "《旅游法》第三十五条；《旅行社条例》第五十九条", False),
    ("unlicensed_travel_agency", "未经许可经营旅行社业务", "tourism", "grave", "《旅游法》第九十五条；《旅行社条例》第四十六条", False),
    ("outbound_beyond_scope", "超范围经营出境旅游业务", "tourism", "serious", "《旅游法》第九十五条；《旅行社条例》第四十六条", False),
    ("unlicensed_guide", "未取得导游证从事导游活动", "tourism", "general", "《旅游法》第一百零二条；《导游管理办法》", False),
    ("guide_solicits_tips", "导游索取小费", "tourism", "general", "《旅游法》第一百零二条", False),
    ("no_written_contract", "未与旅游者签订书面合同", "tourism", "general", "《旅游法》第一百条；《旅行社条例》第五十五条", False),
    ("unreasonable_low_price", "以不合理低价组织旅游活动", "tourism", "serious", "《旅游法》第三十五条、第九十八条", False),
    ("abandoned_tourists", "甩团、滞留旅游者", "tourism", "grave", "《旅游法》第一百条；《旅行社条例》第六十三条", False),
    ("scenic_overcapacity", "景区超过最大承载量接待游客", "tourism", "serious", "《旅游法》第四十五条、第一百零五条", True),
    ("hotel_fire_hazard", "住宿场所消防安全隐患", "tourism", "serious", "《消防法》第十六条、第六十条", True),
    ("price_fraud", "价格欺诈、未明码标价", "general", "general", "《价格法》第十四条；《明码标价和禁止价格欺诈规定》", False),
    # 会展
    ("exhibition_false_advertising", "会展虚假宣传", "exhibition", "general", "《反不正当竞争法》第八条；《广告法》第二十八条", False),
    ("exhibition_ip_infringement", "展会知识产权侵权", "exhibition", "general", "《展会知识产权保护办法》", False),
    ("exhibition_safety_plan_missing", "大型展会未落实安全工作方案", "exhibition", "serious", "《大型群众性活动安全管理条例》第二十条", True),
    # 康养
    ("elderly_fire_hazard_overdue", "养老机构消防隐患逾期未改", "wellness", "serious", "《消防法》第六十条；《养老机构管理办法》第四十六条", True),
    ("elderly_abuse", "欺老、虐老等侵害老年人权益", "wellness", "grave", "《老年人权益保障法》第七十六条；民发〔2019〕103号", False),
    ("elderly_subsidy_fraud", "骗取养老服务补贴", "wellness", "grave", "《养老机构管理办法》第四十六条；民发〔2019〕103号", False),
    ("elderly_illegal_fundraising", "以养老服务为名非法集资", "wellness", "grave", "《防范和处置非法集资条例》；民发〔2019〕103号", False),
    ("elderly_unfiled", "养老机构未备案擅自开展服务", "wellness", "general", "《养老机构管理办法》第九条、第四十六条", False),
    ("elderly_food_safety", "养老机构食品安全不达标", "wellness", "serious", "《食品安全法》第一百二十六条", True),
    # 家政
    ("household_worker_uncertified", "家政服务员未持证上岗", "household_service", "minor", "《家政服务提质扩容的意见》（国办发〔2019〕30号）", False),
    ("household_no_health_check", "家政服务员未经体检上岗", "household_service", "general", "《家政服务 母婴生活护理服务质量规范》", False),
    ("household_no_contract", "未与消费者签订家政服务合同", "household_service", "minor", "《商务部 家政服务合同示范文本》", False),
    ("household_credit_record_fraud", "家政信用记录造假", "household_service", "serious", "《商务信用联合惩戒对象名单管理办法》", False),
    # 通用
    ("obstruct_inspection", "拒绝、阻碍监督检查", "general", "serious", "《文化和旅游市场信用管理规定》第八条", False),
    ("forged_licence", "伪造、变造或以欺骗手段取得许可", "general", "grave", "《行政许可法》第七十九条；《文化和旅游市场信用管理规定》第八条", False),
]
