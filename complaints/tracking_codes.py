"""投诉查询码: codes a tourist can read aloud, copy by hand and type back on a phone.

A new code is 16 symbols from a 30-symbol alphabet with no 0/O, 1/I/L or U (the pairs people confuse,
and U, which Crockford's base 32 drops too), grouped by four: ``K7QM-4TZD-9WXB-H3RN``. 16 x log2(30) is
about 78.5 bits, so a code cannot be guessed (the tracking page is throttled besides).

Typing back is forgiving: case, spaces, hyphens, dots and underscores do not matter, and the letters people
write for a symbol that is not in the alphabet are read as the symbol they meant only where that is
unambiguous — none is: 0/O, 1/I/L and U are all absent, so a code with one of them is simply not a new
code. Codes issued before (``secrets.token_urlsafe``: case-sensitive, may hold ``-`` and ``_``) are never
rewritten: they are still found by their exact text.
"""

from __future__ import annotations

import re
import secrets

#: the symbols of a new code: digits 2-9 and the letters less I, L, O, U
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
GROUPS = 4
LENGTH = GROUP * GROUPS
SEPARATOR = "-"
#: what a reader may put between symbols, or around the code
_NOISE = re.compile(r"[\s\-_.·—–]+")
_NEW = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
#: what an old code (token_urlsafe(15): 20 characters) or a new one may look like in a URL or a form
OLD_CODE = re.compile(r"^[A-Za-z0-9_\-]{8,40}$")


def new_tracking_code() -> str:
    """A fresh code of 16 symbols in four groups of four, for reading aloud (``K7QM-4TZD-9WXB-H3RN``)."""
    return group("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def group(symbols: str) -> str:
    return SEPARATOR.join(symbols[index:index + GROUP] for index in range(0, len(symbols), GROUP))


def normalized(raw: str) -> str | None:
    """The canonical grouped form of what someone typed for a new code, or None when it is not one."""
    symbols = _NOISE.sub("", raw or "").upper()
    return group(symbols) if _NEW.match(symbols) else None


def candidates(raw: str) -> list[str]:
    """The stored codes ``raw`` may stand for: the new code it normalizes to, and the text itself (old codes).

    Both are exact lookups on the unique index; an old code is matched as typed (trimmed) since it is
    case-sensitive.
    """
    text = (raw or "").strip()
    found = []
    canonical = normalized(text)
    if canonical is not None:
        found.append(canonical)
    if OLD_CODE.match(text) and text not in found:
        found.append(text)
    return found


def looks_like_a_code(raw: str) -> bool:
    """Whether ``raw`` could be a tracking code at all (what the tracking form accepts)."""
    return bool(candidates(raw))
