"""图表: server-rendered SVG (bars, a monthly line, a tile map of the 11 cities), each with the table behind it.

Hand-written (decision 0016): three small shapes, no script, no front-end build; each SVG has a title and
description for screen readers, and the page prints the same figures as a table next to it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.sax.saxutils import escape

#: the 11 cities of Shanxi on a grid that keeps their places (north at the top): (column, row)
CITY_TILES: dict[str, tuple[int, int]] = {
    "140200": (1, 0),  # 大同
    "140600": (0, 1),  # 朔州
    "140900": (1, 1),  # 忻州
    "141100": (0, 2),  # 吕梁
    "140100": (1, 2),  # 太原
    "140300": (2, 2),  # 阳泉
    "140700": (1, 3),  # 晋中
    "140400": (2, 3),  # 长治
    "141000": (0, 4),  # 临汾
    "140500": (2, 4),  # 晋城
    "140800": (0, 5),  # 运城
}
CITY_SHORT = {"140100": "太原", "140200": "大同", "140300": "阳泉", "140400": "长治", "140500": "晋城",
              "140600": "朔州", "140700": "晋中", "140800": "运城", "140900": "忻州", "141000": "临汾",
              "141100": "吕梁"}
# a sequential blue scale, light to dark (readable black text on the first three, white on the rest)
PALETTE = ["#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str = ""


def _svg(width: int, height: int, title: str, description: str, body: str) -> str:
    # an image, unless it holds links: then a group (links inside role="img" are hidden from assistive technology)
    role = "group" if "<a " in body else "img"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="{role}" '
            f'aria-label="{escape(title)}" style="max-width:{width}px"><title>{escape(title)}</title>'
            f'<desc>{escape(description)}</desc>{body}</svg>')


def bars(items: list[Bar], *, title: str) -> str:
    """Horizontal bars, one per item, each a link to the records it counts when it has a URL."""
    row, label_width, width = 26, 170, 640
    peak = max((item.value for item in items), default=0) or 1
    body = []
    for index, item in enumerate(items):
        y = index * row
        length = round((width - label_width - 70) * item.value / peak)
        shape = (f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13">{escape(item.label)}</text>'
                 f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1)}" height="{row - 8}" fill="#3182bd"/>'
                 f'<text x="{label_width + length + 6}" y="{y + 17}" font-size="13">{item.value}</text>')
        if item.url:
            shape = f'<a href="{escape(item.url)}">{shape}</a>'
        body.append(shape)
    summary = "；".join(f"{item.label} {item.value}" for item in items)
    return _svg(width, max(row * len(items), row), title, summary, "".join(body))


def line(points: list[tuple[datetime.date, int]], *, title: str) -> str:
    """A monthly line with a dot per month; the first and last months labelled."""
    width, height, pad = 640, 180, 36
    if not points:
        return _svg(width, height, title, "无数据", "")
    peak = max(value for _month, value in points) or 1
    step = (width - 2 * pad) / max(len(points) - 1, 1)
    coords = [(pad + i * step, height - pad - (height - 2 * pad) * value / peak) for i, (_m, value) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#08519c"><title>{m:%Y年%-m月}：{v}</title></circle>'
                   for (x, y), (m, v) in zip(coords, points, strict=True))
    first, last = points[0][0], points[-1][0]
    axis = (f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#666"/>'
            f'<text x="{pad}" y="{height - 12}" font-size="12">{first:%Y年%-m月}</text>'
            f'<text x="{width - pad}" y="{height - 12}" font-size="12" text-anchor="end">{last:%Y年%-m月}</text>'
            f'<text x="{pad - 4}" y="{pad}" font-size="12" text-anchor="end">{peak}</text>')
    summary = "；".join(f"{m:%Y年%-m月} {v}" for m, v in points)
    return _svg(width, height, title, summary,
                f'{axis}<polyline points="{path}" fill="none" stroke="#3182bd" stroke-width="2"/>{dots}')


def colour(value: int | None, peak: int) -> str:
    if not value or not peak:
        return PALETTE[0]
    return PALETTE[min(len(PALETTE) - 1, 1 + (len(PALETTE) - 2) * value // peak)]


def tile_map(values: dict[str, int], *, title: str, urls: dict[str, str] | None = None) -> str:
    """The 11 cities as tiles coloured by their value (a tile map: no boundary data ships with a package)."""
    size, gap = 92, 6
    peak = max(values.values(), default=0)
    body = []
    for code, (column, row) in CITY_TILES.items():
        x, y = column * (size + gap), row * (size + gap)
        value = values.get(code, 0)
        fill = colour(value, peak)
        ink = "#000" if fill in PALETTE[:3] else "#fff"
        tile = (f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}" stroke="#555"/>'
                f'<text x="{x + size / 2}" y="{y + 38}" text-anchor="middle" font-size="16" fill="{ink}">'
                f'{CITY_SHORT[code]}</text>'
                f'<text x="{x + size / 2}" y="{y + 64}" text-anchor="middle" font-size="15" fill="{ink}">{value}</text>')
        url = (urls or {}).get(code)
        if url:
            tile = f'<a href="{escape(url)}">{tile}</a>'
        body.append(tile)
    summary = "；".join(f"{CITY_SHORT[code]} {values.get(code, 0)}" for code in CITY_TILES)
    return _svg(3 * (size + gap), 6 * (size + gap), title, summary, "".join(body))
