"""Every article number the service publishes is one checked against a copy of the text (decision 0014).

Collects every citation string after migrations (rule-set documents, the violation catalogue, the
``core.LegalCitation`` rows), splits each into (regulation in 《》 or a 文号, its edition in brackets,
the 第X条 that follow it) and fails listing every article not in ``VERIFIED`` and every regulation
whose copy is not named in ``SOURCES``. A citation of a regulation without an article number passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps

from .verified_citations import ALIASES, EDITIONS, READ_NOT_A_BASIS, SOURCES, VERIFIED

_NUMERAL = "零〇一二三四五六七八九十百千0-9０-９"
ARTICLE = re.compile(rf"第([{_NUMERAL}]+)条")
# A 《title》 with an optional edition bracket right after it, a bare 文号 (民发〔2019〕103号) or a decree number.
TOKEN = re.compile(
    r"《(?P<title>[^《》]+)》(?:（(?P<edition>[^（）]*)）)?"
    r"|(?P<docno>[\u4e00-\u9fff]{1,16}〔\d{4}〕\d+号)"
    r"|(?P<decree>[\u4e00-\u9fff]{2,16}令(?:\d{4}年)?第\d+号)")
EDITION_HINT = re.compile(r"令|〔|\d{4}|修订|修正")
CITATION_KEYS = {"legal_basis", "basis", "citation", "citations"}
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Citation:
    regulation: str | None
    edition: str | None
    articles: tuple[str, ...]


def _chinese(number: int) -> str:
    """123 -> 一百二十三, 102 -> 一百零二, 10 -> 十, 15 -> 十五 (article numbers as the texts print them)."""
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        return _DIGITS[number // 10] + "十" + (_DIGITS[number % 10] if number % 10 else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + _DIGITS[rest]
    else:
        tail = (_DIGITS[rest // 10] + "十" + (_DIGITS[rest % 10] if rest % 10 else ""))
    return _DIGITS[hundreds] + "百" + tail


def _article(numeral: str) -> str:
    ascii_digits = numeral.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if ascii_digits.isdigit():
        return f"第{_chinese(int(ascii_digits))}条"
    return f"第{numeral.replace('〇', '零')}条"


def normalize_title(title: str) -> str:
    title = re.sub(r"\s+", "", title).replace("(", "（").replace(")", "）")
    title = title.removeprefix("中华人民共和国")
    return ALIASES.get(title, title)


def parse(text: str) -> list[Citation]:
    """The regulations a citation string names and the articles that follow each, in order.

    "《旅游法》第三十五条、第九十八条；《旅行社条例》第五十九条" -> [旅游法 (第三十五条, 第九十八条),
    旅行社条例 (第五十九条)]. Articles before any regulation are returned with regulation None.
    """
    text = text.replace("(", "（").replace(")", "）")
    tokens = list(TOKEN.finditer(text))
    citations: list[Citation] = []
    head = text[: tokens[0].start()] if tokens else text
    orphans = tuple(_article(n) for n in ARTICLE.findall(head))
    if orphans:
        citations.append(Citation(None, None, orphans))
    for i, match in enumerate(tokens):
        end = tokens[i + 1].start() if i + 1 < len(tokens) else len(text)
        name = match.group("title") or match.group("docno") or match.group("decree")
        articles = tuple(_article(n) for n in ARTICLE.findall(text[match.end():end]))
        citations.append(Citation(normalize_title(name), match.group("edition"), articles))
    return citations


def verified_articles(regulation: str, edition: str | None) -> frozenset[str]:
    editions = EDITIONS.get(regulation)
    if edition and editions is not None:
        for key, articles in editions.items():
            if key in edition:
                return articles
        if EDITION_HINT.search(edition):  # an edition we have not read
            return frozenset()
    return VERIFIED.get(regulation, frozenset())


def unverified(text: str) -> list[str]:
    """Each article of ``text`` not checked against the text, with why."""
    found = []
    for citation in parse(text):
        if citation.regulation is None:
            found += [f"{article} names no regulation" for article in citation.articles]
            continue
        checked = verified_articles(citation.regulation, citation.edition)
        for article in citation.articles:
            if article in checked:
                continue
            label = f"《{citation.regulation}》" + (f"（{citation.edition}）" if citation.edition else "") + article
            why = READ_NOT_A_BASIS.get(citation.regulation, {}).get(article)
            found.append(f"{label}: {'says ' + why if why else 'not verified against the text'}")
    return found


def unknown_documents(text: str) -> list[str]:
    """Each regulation ``text`` names whose copy decision 0014 does not name."""
    return [f"《{c.regulation}》" for c in parse(text) if c.regulation is not None and c.regulation not in SOURCES]


def _strings(value: Any, path: str, key: str = "") -> list[tuple[str, str]]:
    """Every citation-like string in a JSON document: under a citation key, or naming a 《》 or a 第X条."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, f"{path}.{k}", str(k))]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, f"{path}[{i}]", key)]
    if isinstance(value, str) and (key in CITATION_KEYS or "《" in value or ARTICLE.search(value)):
        return [(path, value)]
    return []


def _report(pairs: list[tuple[str, str]]) -> list[str]:
    lines = []
    for where, text in pairs:
        lines += [f"{where}: {problem}    [{text}]" for problem in unverified(text) + [
            f"{doc}: no copy named in tests/legal/verified_citations.SOURCES" for doc in unknown_documents(text)]]
    return lines


def _fail_on(lines: list[str]) -> None:
    if lines:
        pytest.fail("citations not checked against the text (docs/decisions/0014):\n" + "\n".join(lines),
                    pytrace=False)


# --- what the service publishes ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_rule_set_citation_is_verified():
    RuleSet = apps.get_model("regulator", "RuleSet")
    pairs = [pair for rule_set in RuleSet.objects.order_by("version")
             for pair in _strings(rule_set.document, f"RuleSet v{rule_set.version}")]
    assert RuleSet.objects.exists()
    _fail_on(_report(pairs))


@pytest.mark.django_db
def test_every_violation_type_citation_is_verified():
    ViolationType = apps.get_model("complaints", "ViolationType")
    pairs = [(f"ViolationType {code}", basis)
             for code, basis in ViolationType.objects.order_by("code").values_list("code", "legal_basis")]
    assert pairs
    _fail_on(_report(pairs))


@pytest.mark.django_db
def test_every_legal_citation_row_is_verified():
    try:
        LegalCitation = apps.get_model("core", "LegalCitation")
    except LookupError:
        pytest.skip("core.LegalCitation does not exist yet (core/migrations/0004_legal_citations_documents.py)")
    rows = list(LegalCitation.objects.order_by("key", "effective_from"))
    assert rows, "core/migrations/0005_seed_legal_citations.py seeds the citation catalogue"
    pairs = [(f"LegalCitation {row.key} ({row.effective_from})", row.text) for row in rows]
    _fail_on(_report(pairs))
    assert all(row.source.strip() for row in rows), "every citation names the copy of the text it was checked on"


# --- the parser and the check, both sides ---------------------------------------------------------


def test_parse_splits_regulations_and_their_articles():
    assert parse("《旅游法》第三十五条、第九十八条；《旅行社条例》第五十九条") == [
        Citation("旅游法", None, ("第三十五条", "第九十八条")), Citation("旅行社条例", None, ("第五十九条",))]


def test_parse_reads_items_editions_full_titles_and_arabic_numbers():
    assert parse("《旅游投诉处理办法》（国家旅游局令第32号）第九条第一款第（四）项") == [
        Citation("旅游投诉处理办法", "国家旅游局令第32号", ("第九条",))]
    assert parse("《中华人民共和国民事诉讼法》第95条") == [Citation("民事诉讼法", None, ("第九十五条",))]
    assert parse("第九条（四）") == [Citation(None, None, ("第九条",))]
    assert parse("民发〔2019〕103号第十一条") == [
        Citation("养老服务市场失信联合惩戒对象名单管理办法（试行）", None, ("第十一条",))]
    assert parse("《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）") == [
        Citation("国务院办公厅关于促进家政服务业提质扩容的意见", "国办发〔2019〕30号", ())]


def test_chinese_numerals():
    assert [_chinese(n) for n in (1, 10, 15, 20, 46, 100, 102, 110, 126)] == [
        "一", "十", "十五", "二十", "四十六", "一百", "一百零二", "一百一十", "一百二十六"]


@pytest.mark.parametrize("text", [
    "《旅游投诉处理办法》（国家旅游局令第32号）第九条第一款第（四）项",
    "《旅游法》第三十五条、第九十八条",
    "《旅行社条例》第六十四条；运盐政发〔2022〕16号：黑名单法人、实际负责人限期内不再核发涉旅营业执照",
    "《中华人民共和国行政复议法》第二十条",
    "《中华人民共和国行政复议法》（2017年修正）第九条",
    "民发〔2019〕103号第十一条",
    "《养老机构管理办法》；民发〔2019〕103号",  # regulation-only citations pass
    "《文化和旅游市场信用管理规定》（文化和旅游部令第7号）",
    "重点关注名单：许可申请从严审查",
])
def test_verified_and_regulation_only_citations_pass(text):
    assert unverified(text) == [] and unknown_documents(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("《文化和旅游市场信用管理规定》第八条", "says 信用信息包括哪些信息"),
    ("《文化和旅游市场信用管理规定》第十条", "says 通过信用管理系统归集信用信息"),
    ("《旅游投诉处理办法》第二十六条", "not verified"),
    ("《旅游投诉处理办法》（文化和旅游部令第14号）第九条", "not verified"),
    ("《反不正当竞争法》第八条", "not verified"),  # the 2019 numbering; the law was revised in 2025
    ("《中华人民共和国行政复议法》第九条", "not verified"),  # 2017 numbering, cited without its edition
    ("民发〔2019〕103号第十条", "not verified"),
    ("依第九条不予受理", "names no regulation"),
])
def test_unverified_articles_fail(text, expected):
    problems = unverified(text)
    assert len(problems) == 1 and expected in problems[0]


def test_a_regulation_without_a_named_copy_fails():
    assert unknown_documents("《某市旅游条例》；《旅游法》") == ["《某市旅游条例》"]
