"""The articles checked against a copy of the text, and the copy used (decision 0014).

``VERIFIED`` maps a regulation's title as printed inside 《》 (without the 中华人民共和国 prefix) to the
articles whose text was read *and* says what the service cites them for. An article that was read but
says something else (令第7号 第八条 and 第十条 define the credit information and its collection, not
the listing criteria) is kept apart in ``READ_NOT_A_BASIS`` so that citing it still fails.

``EDITIONS`` holds the texts that changed under the same title: a citation naming its edition in
brackets right after the title, e.g. 《旅游投诉处理办法》（文化和旅游部令第14号）, is checked
against that edition; an edition not listed verifies nothing.

Titles whose text could not be read (or not its article numbers) are known documents with an empty
set: cite them without an article number. Every title and 文号 the service prints must be in
``SOURCES``, which names the copy read (or, for a regulation-only citation, where its existence and
content were confirmed).
"""

from __future__ import annotations

# LawRefBook/Laws: a transcription scraped from 国家法律法规数据库 (flk.npc.gov.cn), read at this commit.
_LRB = "https://github.com/LawRefBook/Laws/blob/2f4c5c2/"

VERIFIED: dict[str, frozenset[str]] = {
    # 法律 (texts: LawRefBook, see SOURCES)
    "旅游法": frozenset({
        "第二十九条", "第三十五条", "第四十一条", "第四十五条", "第五十七条", "第五十八条", "第八十五条",
        "第八十七条", "第九十一条", "第九十二条", "第九十五条", "第九十八条", "第一百条", "第一百零二条",
        "第一百零三条", "第一百零五条", "第一百零八条"}),
    "消防法": frozenset({"第十六条", "第五十四条", "第六十条", "第六十七条"}),
    "价格法": frozenset({"第十三条", "第十四条", "第四十条", "第四十二条"}),
    "广告法": frozenset({"第四条", "第二十八条", "第五十五条"}),
    # Revised 2025-06-27, in force 2025-10-15, restructured: the text in force was not read (the 2019 one was).
    "反不正当竞争法": frozenset(),
    "老年人权益保障法": frozenset({"第三条", "第四十三条", "第四十八条", "第七十六条", "第七十九条"}),
    # 2021 text; the 2025 amendment (主席令第五十六号, in force 2025-12-01) adds paragraphs to five articles
    # (重点液态食品运输, 婴幼儿配方液态乳) without renumbering.
    "食品安全法": frozenset({"第一百二十六条"}),
    "行政许可法": frozenset({"第六十九条", "第七十八条", "第七十九条", "第八十条"}),
    "行政处罚法": frozenset({"第四十八条", "第六十一条"}),
    "民事诉讼法": frozenset({"第九十五条"}),
    "行政复议法": frozenset({"第二十条"}),
    "行政诉讼法": frozenset({"第四十六条"}),
    # 行政法规
    "旅行社条例": frozenset({
        "第八条", "第二十八条", "第三十三条", "第三十九条", "第四十六条", "第五十五条", "第五十九条",
        "第六十三条", "第六十四条"}),
    "导游人员管理条例": frozenset({"第四条", "第十五条", "第十八条"}),
    "大型群众性活动安全管理条例": frozenset({
        "第二条", "第五条", "第六条", "第七条", "第八条", "第十一条", "第二十条", "第二十一条"}),
    "防范和处置非法集资条例": frozenset({"第二条", "第三十条"}),
    # 部门规章
    "明码标价和禁止价格欺诈规定": frozenset({"第五条", "第十九条"}),
    "展会知识产权保护办法": frozenset({"第四条", "第五条", "第六条"}),  # 2006 年第1号令; secondary copy
    # 国家旅游局令第32号 (2010), in force until 2026-03-15; secondary copies, consistent in sequence (see 0014).
    # 第二十五条 (60 日、调解书/终止调解) was not read under its number: cite that rule without one.
    "旅游投诉处理办法": frozenset({
        "第八条", "第九条", "第十条", "第十一条", "第十二条", "第十四条", "第十五条", "第十六条"}),
    # Only chapter 2 (第七条–第十条, information) was read; the criteria, measures, procedure, repair
    # and publication articles were not: cite 令第7号 without an article number.
    "文化和旅游市场信用管理规定": frozenset(),
    "商务信用联合惩戒对象名单管理办法": frozenset({"第七条"}),  # secondary copy (uianet.net)
    "养老服务市场失信联合惩戒对象名单管理办法（试行）": frozenset({"第十一条"}),  # secondary copy
    # Known documents, articles not verified: regulation-only citations.
    "信用修复管理办法": frozenset(),
    "失信行为纠正后的信用信息修复管理办法（试行）": frozenset(),
    "旅游市场黑名单管理办法（试行）": frozenset(),
    "养老机构管理办法": frozenset(),
    "家庭服务业管理暂行办法": frozenset(),
    "国务院办公厅关于促进家政服务业提质扩容的意见": frozenset(),
    "临汾市旅行社、分社及导游“红黑榜”制度（试行）": frozenset(),
    "山西省“十四五”文化旅游会展康养产业发展规划": frozenset(),
    "运城市盐湖区“十四五”现代服务业发展规划": frozenset(),
}

# Same title, another text: keyed by a string the bracket after the title contains.
EDITIONS: dict[str, dict[str, frozenset[str]]] = {
    "旅游投诉处理办法": {
        "国家旅游局令第32号": VERIFIED["旅游投诉处理办法"],
        # In force 2026-03-15 (repeals the 2010 text); only 第一条–第三条 were read.
        "文化和旅游部令第14号": frozenset(),
    },
    "反不正当竞争法": {
        "2019": frozenset({"第八条", "第二十条"}),
        "2025": frozenset(),
    },
    "行政复议法": {
        "2017": frozenset({"第九条"}),
        "2023": VERIFIED["行政复议法"],
    },
}

# Read, and they say something else than what the service cited them for.
READ_NOT_A_BASIS: dict[str, dict[str, str]] = {
    "文化和旅游市场信用管理规定": {
        "第七条": "信用信息记录的建立（第二章 信用信息采集与归集）",
        "第八条": "信用信息包括哪些信息（第二章），不是列入严重失信主体名单的依据",
        "第九条": "“谁管理、谁采集”（第二章）",
        "第十条": "通过信用管理系统归集信用信息（第二章），不是认定轻微失信/重点关注的依据",
    },
}

# 文号 printed without a 《》 title, and the document they stand for.
ALIASES: dict[str, str] = {
    "民发〔2019〕103号": "养老服务市场失信联合惩戒对象名单管理办法（试行）",
    "国办发〔2019〕30号": "国务院办公厅关于促进家政服务业提质扩容的意见",
    "晋政发〔2021〕44号": "山西省“十四五”文化旅游会展康养产业发展规划",
    "运盐政发〔2022〕16号": "运城市盐湖区“十四五”现代服务业发展规划",
    "文化和旅游部令第7号": "文化和旅游市场信用管理规定",
    "国家发展改革委令第58号": "失信行为纠正后的信用信息修复管理办法（试行）",
    "国家发展改革委令第36号": "信用修复管理办法",
}

SOURCES: dict[str, str] = {
    "旅游法": _LRB + "经济法/旅游法(2018-10-26).md",
    "消防法": _LRB + "行政法/消防法(2021-04-29).md",
    "价格法": _LRB + "经济法/价格法(1997-12-29).md",
    "广告法": _LRB + "经济法/广告法(2021-04-29).md",
    "反不正当竞争法": _LRB + "经济法/反不正当竞争法(2019-04-23).md",
    "老年人权益保障法": _LRB + "社会法/老年人权益保障法(2018-12-29).md",
    "食品安全法": _LRB + "行政法/食品安全法(2021-04-29).md",
    "行政许可法": _LRB + "行政法/行政许可法(2019-04-23).md",
    "行政处罚法": _LRB + "行政法/行政处罚法(2021-01-22).md",
    "民事诉讼法": _LRB + "诉讼与非诉讼程序法/民事诉讼法(2023-09-01).md",
    "行政复议法": _LRB + "诉讼与非诉讼程序法/行政复议法(2023-09-01).md",
    "行政诉讼法": _LRB + "诉讼与非诉讼程序法/行政诉讼法(2017-06-27).md",
    "旅行社条例": _LRB + "行政法规/旅行社条例(2020-11-29).md",
    "导游人员管理条例": _LRB + "行政法规/导游人员管理条例(2017-10-07).md",
    "大型群众性活动安全管理条例": _LRB + "行政法规/大型群众性活动安全管理条例(2007-09-14).md",
    "防范和处置非法集资条例": _LRB + "行政法规/防范和处置非法集资条例(2021-01-26).md",
    "明码标价和禁止价格欺诈规定": _LRB + "部门规章/市场监督管理总局/明码标价和禁止价格欺诈规定(2022-04-14).md",
    "旅游投诉处理办法": "https://m.75law.com/question/160895.html",
    "文化和旅游市场信用管理规定": "http://m.jianbiaoku.com/webarbs/book/172016/4862458.shtml",
    "商务信用联合惩戒对象名单管理办法": "http://uianet.net/dictionary/b674672.html",
    "养老服务市场失信联合惩戒对象名单管理办法（试行）": "http://zjfsl.cn/m/news/584.html",
    "信用修复管理办法": "https://toubiaole.com/news/xingyexinwen/887.html",
    "失信行为纠正后的信用信息修复管理办法（试行）": "http://www.senqisrq.com/xxgk/ztzl/sgs/index.html",
    "旅游市场黑名单管理办法（试行）": "http://guojialvye.com/cb/kbmdd/2555.html",
    "养老机构管理办法": "http://suizhou.gov.cn/ggcxfw/zczsl/202104/t20210413_877916.shtml",
    "展会知识产权保护办法": "http://www.18sz.com/news/show.php?itemid=278",
    "家庭服务业管理暂行办法": "http://103.85.168.90/zcfg/72078.htm",
    "国务院办公厅关于促进家政服务业提质扩容的意见": "http://m.columbiahomevalue.com/xwdt/detail/47.html",
    "临汾市旅行社、分社及导游“红黑榜”制度（试行）": "http://epaper.sxrb.com/shtml/sxscdb/20250916/1113888.shtml",
    "山西省“十四五”文化旅游会展康养产业发展规划": "",  # /work/shared/DOMAIN.md; text not found in the corpora
    "运城市盐湖区“十四五”现代服务业发展规划": "",  # /work/shared/DOMAIN.md; text not found in the corpora
}

# Later copies that confirm or date a text (decision 0014 lists what each one showed).
OTHER_COPIES: dict[str, list[str]] = {
    "旅游投诉处理办法": [
        "http://lfasc.com/Touristattractions/qsdgcecaws.html",  # 第八条, 第九条 (一)–(六), (五) → 第十条
        "http://www.plnmw.com/InformationInvestigation/hrrmqxrgeh.html",  # 第十一条, 第十二条
        "https://m.75law.com/question/160054.html",  # 第十四条
        "https://m.75law.com/question/166581.html",  # 第十五条
        "https://www.cits.net/china-travel-news/china-to-implement-regulations-on-tourist-complaints.html",
        "https://www.mrxww.com.cn/show/index/cid/17/id/32431.html",  # 文化和旅游部令第14号, 第一条–第三条
        "https://news.517lj.net/article/490580.html",  # the 2010 text repealed on 2026-03-15
    ],
    "文化和旅游市场信用管理规定": [
        "http://imtaweb.net/ywb/PressCenter/IndustryNews//20211116/20211116_556000.shtml",  # 5/3/2-year measures
        "http://www.chinazn.com.cn/scrollnews/2021/1116/18052.html",
        "http://wlt.sc.gov.cn/scwlt/gsgg/2022/9/15/55b132f2179e4fe99e4b87045aa10437.shtml",  # 川文旅字〔2022〕171号
    ],
    "民事诉讼法": [_LRB + "诉讼与非诉讼程序法/民事诉讼法(2021-12-24).md"],
    "行政复议法": [_LRB + "诉讼与非诉讼程序法/行政复议法(2017-09-01).md"],
    "反不正当竞争法": ["http://www.xydpcl.com/article/detail/849"],  # 2025 revision; 虚假宣传 now 第九条 (commentary)
    "食品安全法": ["http://www.allangelsgone.com/newsshow.php?id=6622"],  # 2025 amendment decision
    "信用修复管理办法": ["https://finance.stockstar.com/IG2025112600020150.shtml",
                         "http://www.cctv-cmpany.net/nav8/102981.html"],
    "商务信用联合惩戒对象名单管理办法": ["https://www.nbd.com.cn/articles/2019-07-31/1358977.html"],
    "养老服务市场失信联合惩戒对象名单管理办法（试行）": ["http://uianet.net/dictionary/b674672.html"],
}
