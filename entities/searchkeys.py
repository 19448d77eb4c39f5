"""Search keys for Chinese names, built when a name is saved (pure functions, no ORM).

The embedded PostgreSQL has no contrib extensions (no pg_trgm), and trigram
matching may drop CJK characters depending on the locale, so names are
indexed the way Lucene's CJK analyzer does it, plus pinyin:

* the name is folded to simplified characters (zhconv) and NFKC-normalised;
* every CJK character and every pair of adjacent CJK characters (bigram);
* Latin letters and digits as words;
* ``p:`` + the toneless pinyin of the name from each character to the end,
  and ``i:`` + the pinyin initials from each character to the end, so a
  prefix query finds any part of the name by pinyin or by initials, and a
  query typed with a homophone (wrong character, same sound) still matches.

The keys go into a GIN-indexed ``tsvector`` column; a query is translated to a
``tsquery`` over the same keys (prefix matching with ``:*``).
"""

from __future__ import annotations

import re
import unicodedata

import zhconv
from pypinyin import Style, lazy_pinyin

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
# A tsvector lexeme may hold 2 KB; a name suffix in pinyin stays far below.
_MAX_KEY = 120
_MAX_QUERY = 64


def normalize(text: str) -> str:
    """Fold width, case and traditional characters so 山西 and 山西, 臺 and 台 compare equal."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return zhconv.convert(text, "zh-cn")


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(normalize(text))


def _pinyin_units(token: str) -> list[str]:
    return lazy_pinyin(token, style=Style.NORMAL, errors="default") if _CJK_RUN.match(token) else [token]


def _initial_units(token: str) -> list[str]:
    return lazy_pinyin(token, style=Style.FIRST_LETTER, errors="default") if _CJK_RUN.match(token) else [token]


def name_keys(name: str) -> list[str]:
    """All search keys of one name, de-duplicated, in a stable order."""
    keys: list[str] = []
    pinyin: list[str] = []
    initials: list[str] = []
    for token in _tokens(name):
        if _CJK_RUN.match(token):
            keys.extend(token)
            keys.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            keys.append(token)
        pinyin.extend(_pinyin_units(token))
        initials.extend(_initial_units(token))
    for start in range(len(pinyin)):
        keys.append("p:" + "".join(pinyin[start:])[:_MAX_KEY])
        keys.append("i:" + "".join(initials[start:])[:_MAX_KEY])
    return list(dict.fromkeys(k for k in keys if k))


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(keys: list[str]) -> str:
    """The text form of a tsvector holding exactly these lexemes (for casts and COPY)."""
    return " ".join(_quote(k) for k in keys)


def query_tsquery(query: str) -> str | None:
    """Translate a free-text query into a tsquery over :func:`name_keys`, or None if it has no word.

    Chinese words must all be present as bigrams, or (homophones) their
    pinyin must start some suffix of the name; Latin words match a word of the
    name, a pinyin suffix, or an initials suffix, by prefix.
    """
    tokens = _tokens(query[:_MAX_QUERY])
    if not tokens:
        return None
    exact: list[str] = []
    for token in tokens:
        if _CJK_RUN.match(token):
            grams = [token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)]
            exact.extend(_quote(g) for g in grams)
        else:
            exact.append(_quote(token) + ":*")
    alternatives = ["(" + " & ".join(exact) + ")"]
    pinyin = "".join(unit for token in tokens for unit in _pinyin_units(token))[:_MAX_KEY]
    alternatives.append(_quote("p:" + pinyin) + ":*")
    if all(not _CJK_RUN.match(t) for t in tokens):
        alternatives.append(_quote("i:" + "".join(tokens)[:_MAX_KEY]) + ":*")
    return " | ".join(alternatives)
