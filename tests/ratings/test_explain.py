"""评分明细说明: every breakdown line in Chinese words (what, when, points, until when), never the raw code."""

from __future__ import annotations

import datetime
import logging
import re

import pytest

from ratings import engine, explain
from ratings.models import ScoringModel

RULES = engine.DEFAULT_RULES
BASIS = "《文化和旅游市场信用管理规定》（文化和旅游部令第7号）第三章（失信主体认定）：严重失信主体"
CODE = re.compile(r"[a-z]+_[a-z_0-9]+")


def _line(rule: str, points: int = -15, *, weight: float = 1, occurred: str | None = "2026-03-01",
          expires: str | None = "2027-03-01", source_type: str = "complaint", source_id: int | None = 7,
          base: int | None = None) -> dict:
    return {"source_type": source_type, "source_id": source_id, "rule": rule, "base_points": points if base is None
            else base, "weight": weight, "points": points, "occurred_on": occurred, "expires_on": expires}


def _no_code(sentence: str) -> None:
    assert CODE.search(sentence) is None, sentence


@pytest.mark.django_db
def test_every_rule_code_of_the_active_scoring_model_has_its_own_words():
    rules = ScoringModel.objects.get(is_active=True).rules
    codes = explain.rule_codes(rules)
    assert {"override_listing_black", "clamp", "listing_black", "no_complaints_12m"} <= codes
    missing = sorted(code for code in codes if not explain.has_words(code, rules))
    assert missing == []
    for code in codes:
        sentence = explain.line_sentence(_line(code), rules=rules, model_version=1, basis=BASIS)
        assert explain.title(code, rules) not in (explain.UNKNOWN_TITLE, "")
        assert "其他评分事项" not in sentence and "评分事项：" not in sentence
        _no_code(sentence)


def test_every_rule_code_of_the_default_model_has_words():
    assert all(explain.has_words(code, RULES) for code in explain.rule_codes(RULES))


def test_a_line_says_what_when_how_many_points_and_until_when():
    sentence = explain.line_sentence(_line("complaint_substantiated", expires="2027-03-01"), rules=RULES)
    assert sentence.startswith("2026年3月1日，投诉（编号 7）经调查属实并办结：扣 15 分")
    # full weight for 365 days, then less each day, nothing from the end of the publicity period
    assert "自2027年3月1日起逐日减轻" not in sentence  # 365 days after 2026-03-01 is the end itself
    assert sentence.endswith("自2027年3月1日起不再计分。")


def test_a_line_that_decays_later_names_the_day_it_starts_to_weigh_less():
    sentence = explain.line_sentence(_line("finding_serious", -60, expires="2029-03-01", source_type="finding"),
                                     rules=RULES, detail="未按规定签订旅游合同")
    assert "监督检查发现问题（未按规定签订旅游合同），情节严重：扣 60 分" in sentence
    assert "自2027年3月1日起逐日减轻，自2029年3月1日起不再计分" in sentence


def test_a_line_counting_for_less_than_its_full_points_says_why():
    sentence = explain.line_sentence(_line("penalty_fine", -12, weight=0.4, base=-30, source_type="finding"),
                                     rules=RULES, detail="强迫购物")
    assert "因强迫购物受到行政处罚（罚款）：扣 12 分（满额扣 30 分；已满 365 天，逐日减轻，目前按 40% 计）" in sentence


@pytest.mark.parametrize(("points", "words"), [(-1, "扣 1 分"), (0, "不加减分"), (1, "加 1 分")])
def test_the_sign_of_the_points_is_said_in_words(points, words):
    assert words in explain.line_sentence(_line("award", points, source_type="listing"), rules=RULES)


def test_the_black_list_override_says_the_grade_is_capped_because_of_the_listing_with_its_basis():
    breakdown = [_line("listing_black", 0, source_type="listing", expires="2029-02-28"),
                 _line("override_listing_black", -131, occurred=None, expires=None, source_type="adjustment",
                       source_id=None)]
    lines = explain.explain_breakdown(breakdown, rules=RULES, model_version=3, basis=BASIS)
    black, override = lines
    assert black["title"] == "列入严重失信主体名单"
    assert "不加减分，但名单有效期内信用等级为 D 级（见“信用等级调整”一行）；名单期至2029年2月28日。" in black["sentence"]
    assert override["title"] == "信用等级调整"
    sentence = override["sentence"]
    assert "因被列入严重失信主体名单，依评分模型 v3 的规定，名单有效期内信用等级定为 D 级、信用分最高 599 分" in sentence
    assert "扣 131 分" in sentence and "名单期至2029年2月28日" in sentence
    assert sentence.endswith(f"列入名单的依据：{BASIS}。")
    _no_code(sentence)


def test_the_override_ceiling_follows_the_model_grade_bands():
    rules = {**RULES, "grades": {"A": 920, "B": 780, "C": 650, "D": 0}}
    sentence = explain.line_sentence(_line("override_listing_black", -20, source_type="adjustment"), rules=rules)
    assert "信用分最高 649 分" in sentence


def test_the_override_prints_no_basis_it_was_not_given():
    sentence = explain.line_sentence(_line("override_listing_black", -20, source_type="adjustment"), rules=RULES)
    assert "依据" not in sentence


def test_the_override_of_several_rules_as_the_set_based_sql_names_it():
    rules = {**RULES, "overrides": {"listing_black": "D", "listing_watch": "C"}}
    code = "override_listing_black_listing_watch"
    assert code in explain.rule_codes(rules) and explain.has_words(code, rules)
    sentence = explain.line_sentence(_line(code, -50, source_type="adjustment"), rules=rules)
    assert "因被列入严重失信主体名单、被列入重点关注名单" in sentence and "定为 D 级" in sentence


def test_a_complaint_line_names_its_category():
    sentence = explain.line_sentence(_line("complaint_mediated", -5), rules=RULES, detail="价格欺诈")
    assert sentence.startswith("2026年3月1日，投诉（编号 7，价格欺诈）经调解处理结案：扣 5 分")


def test_the_clamp_and_the_clean_record_bonus_have_words():
    clamp = explain.line_sentence(_line("clamp", -40, source_type="adjustment"), rules=RULES)
    assert clamp == "信用分的范围为 0–1000 分，各项合计超出范围的部分不计：扣 40 分。"
    bonus = explain.line_sentence(_line("no_complaints_12m", 20, source_type="condition", occurred="2026-05-02",
                                        expires=None), rules=RULES)
    assert bonus.startswith("截至2026年5月2日，近 365 天内没有经查属实的投诉：加 20 分")


def test_the_yearly_cap_is_named():
    sentence = explain.line_sentence(_line("inspection_clean", 10, source_type="inspection"), rules=RULES)
    assert "（每年最多 30 分）" in sentence


def test_an_unknown_code_gets_neutral_chinese_words_and_is_logged(caplog):
    caplog.set_level(logging.WARNING, logger="ratings.explain")
    lines = explain.explain_breakdown([_line("brand_new_rule", -3, source_type="adjustment")], rules=RULES)
    assert lines[0]["title"] == "其他评分事项"
    assert lines[0]["sentence"].startswith("2026年3月1日，评分事项（编号 7）：扣 3 分")
    assert "brand_new_rule" not in lines[0]["sentence"]
    assert any("brand_new_rule" in record.getMessage() for record in caplog.records)
    assert not explain.has_words("brand_new_rule", RULES)
    assert not explain.has_words("override_listing_red", RULES)  # not an override of this model


def test_the_lines_keep_their_own_fields():
    line = _line("complaint_mediated", -5)
    [explained] = explain.explain_breakdown([line], rules=RULES)
    assert {key: explained[key] for key in line} == line
    assert explained["occurred_words"] == "2026年3月1日" and explained["expires_words"] == "2027年3月1日"


def test_dates_read_from_the_engine_and_from_stored_json_alike():
    assert explain.date_words(datetime.date(2026, 1, 2)) == explain.date_words("2026-01-02") == "2026年1月2日"
    assert explain.date_words(None) == explain.date_words("not a date") == ""


def test_words_of_an_engine_score_with_a_black_listing():
    day = datetime.date(2026, 6, 1)
    events = [engine.Event("listing", 1, "listing_black", day - datetime.timedelta(days=10), ends_on=day.replace(year=2029)),
              engine.Event("inspection", 2, "inspection_clean", day - datetime.timedelta(days=5))]
    score = engine.score_entity(events, rules=RULES, as_of=day, operating_since=None)
    lines = [line.__dict__ for line in score.lines]
    explained = explain.explain_breakdown(lines, rules=RULES, basis=BASIS)
    assert [line["title"] for line in explained] == ["列入严重失信主体名单", "检查未发现问题", "信用等级调整"]
    assert score.base + sum(line["points"] for line in explained) == score.score == 599
    for line in explained:
        _no_code(line["sentence"])
