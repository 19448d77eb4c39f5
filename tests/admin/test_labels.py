"""The words the admin prints for JSON documents are escaped once: markup in stored text never runs, and an
ampersand is not shown as ``&amp;``."""

from __future__ import annotations

from core.admin.labels import in_words


def test_a_list_of_words_is_escaped_exactly_once():
    html = str(in_words(["甲&乙", "<b>丙</b>"]))
    assert "甲&amp;乙" in html and "&amp;amp;" not in html
    assert "&lt;b&gt;丙&lt;/b&gt;" in html and "<b>" not in html


def test_empty_values_are_a_dash_and_nested_values_keep_their_structure():
    assert "—" in str(in_words({})) and "—" in str(in_words([])) and "—" in str(in_words(None))
    html = str(in_words({"a": [{"b": "<i>x</i>"}]}))
    assert html.count("<ul") == 2 and "<ol" in html and "&lt;i&gt;x&lt;/i&gt;" in html
