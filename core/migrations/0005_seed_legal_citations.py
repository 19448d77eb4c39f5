"""Seed the legal-citation catalogue (core.LegalCitation) with citations checked against the texts.

Each row names the copy of the text its article numbers were read in (docs/decisions/0014-verified-citations.md,
tests/legal/verified_citations.py). A text that changed has one row per edition, dated from the day it took
effect: 《旅游投诉处理办法》 of 2010 (国家旅游局令第32号) until 2026-03-15, then 文化和旅游部令第14号, whose
articles were not read and are cited without numbers. Idempotent (update_or_create on key and date).
"""

import datetime

from django.db import migrations

D = datetime.date
_LRB = "https://github.com/LawRefBook/Laws/blob/2f4c5c2/"

# 2010 text: secondary copies, consistent in sequence (0014 lists what each showed).
_TS_2010 = "《旅游投诉处理办法》（国家旅游局令第32号）"
_TS_2010_SOURCE = ("旅游投诉处理办法（国家旅游局令第32号，2010）：https://m.75law.com/question/160895.html ；"
                   "http://lfasc.com/Touristattractions/qsdgcecaws.html ；https://m.75law.com/question/160054.html")
_TS_2010_FROM = D(2010, 7, 1)
# 2026 text: only 第一条–第三条 read; it repeals the 2010 one.
_TS_2026 = "《旅游投诉处理办法》（文化和旅游部令第14号）"
_TS_2026_SOURCE = ("旅游投诉处理办法（文化和旅游部令第14号，2026-03-15 施行），条文编号未核：央视网转载 "
                   "https://www.mrxww.com.cn/show/index/cid/17/id/32431.html")
_TS_2026_FROM = D(2026, 3, 15)

COMPLAINT_2010 = {
    "complaint.accept_deadline": _TS_2010 + "第十五条",
    "complaint.reject_grounds": _TS_2010 + "第九条",
    "complaint.late_filing": _TS_2010 + "第九条第一款第（四）项",
    "complaint.pending_elsewhere": _TS_2010 + "第九条第一款第（一）项",
    "complaint.decided_before": _TS_2010 + "第九条第一款第（二）项",
    "complaint.outside_remit": _TS_2010 + "第九条第一款第（三）项",
    "complaint.not_complaint": _TS_2010 + "第九条第一款第（五）项、第（六）项",
    "complaint.transfer": _TS_2010 + "第十五条第（三）项",
    "complaint.business_notice": _TS_2010 + "第十六条",
    "complaint.representatives": _TS_2010 + "第十四条",
    # 60 日内调解书或终止调解: the rule is confirmed, its article number (第二十五条?) was not read.
    "complaint.mediation": _TS_2010 + "关于受理之日起60日内制作调解书或者终止调解的规定",
}

# Topics named only where the published reports confirm the 2026 text covers them (受理时限, 不予受理情形,
# 投诉时效, 管辖, 调解); otherwise the regulation alone.
COMPLAINT_2026 = {
    "complaint.accept_deadline": _TS_2026 + "关于受理期限的规定",
    "complaint.reject_grounds": _TS_2026 + "关于不予受理情形的规定",
    "complaint.late_filing": _TS_2026 + "关于投诉时效的规定",
    "complaint.pending_elsewhere": _TS_2026 + "关于不予受理情形的规定",
    "complaint.decided_before": _TS_2026 + "关于不予受理情形的规定",
    "complaint.outside_remit": _TS_2026 + "关于管辖和不予受理情形的规定",
    "complaint.not_complaint": _TS_2026 + "关于投诉受理条件的规定",
    "complaint.transfer": _TS_2026 + "关于管辖的规定",
    "complaint.business_notice": _TS_2026,
    "complaint.representatives": _TS_2026,
    "complaint.mediation": _TS_2026 + "关于调解的规定",
}

# (key, text, source, effective_from)
OTHERS = [
    ("listing.appeal.review", "《中华人民共和国行政复议法》（2017年修正）第九条",
     "中华人民共和国行政复议法（2017 年修正）：" + _LRB + "诉讼与非诉讼程序法/行政复议法(2017-09-01).md",
     D(2018, 1, 1)),
    ("listing.appeal.review", "《中华人民共和国行政复议法》第二十条",
     "中华人民共和国行政复议法（2023 年修订，2024-01-01 施行）：" + _LRB + "诉讼与非诉讼程序法/行政复议法(2023-09-01).md",
     D(2024, 1, 1)),
    ("listing.appeal.litigation", "《中华人民共和国行政诉讼法》第四十六条",
     "中华人民共和国行政诉讼法（2017 年修正）：" + _LRB + "诉讼与非诉讼程序法/行政诉讼法(2017-06-27).md",
     D(2017, 7, 1)),
    # 第九十五条 (30 日) since the 2021 amendment; the 2023 text keeps number and wording.
    ("service.announcement", "《中华人民共和国民事诉讼法》第九十五条",
     "中华人民共和国民事诉讼法（2021、2023 年修正）：" + _LRB + "诉讼与非诉讼程序法/民事诉讼法(2023-09-01).md",
     D(2022, 1, 1)),
]


def rows():
    for key, text in COMPLAINT_2010.items():
        yield key, text, _TS_2010_SOURCE, _TS_2010_FROM
    for key, text in COMPLAINT_2026.items():
        yield key, text, _TS_2026_SOURCE, _TS_2026_FROM
    yield from OTHERS


def seed(apps, schema_editor):
    LegalCitation = apps.get_model("core", "LegalCitation")
    for key, text, source, effective_from in rows():
        LegalCitation.objects.update_or_create(key=key, effective_from=effective_from,
                                               defaults={"text": text, "source": source})


def unseed(apps, schema_editor):
    LegalCitation = apps.get_model("core", "LegalCitation")
    for key, _text, _source, effective_from in rows():
        LegalCitation.objects.filter(key=key, effective_from=effective_from).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_legal_citations_documents")]
    operations = [migrations.RunPython(seed, unseed)]
