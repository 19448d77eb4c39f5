"""A small, realistic Shanxi registry for demos: the 11 prefecture-level cities, four sectors.

Deterministic (seeded), so two runs build the same data and ``seed_demo`` can
be run again without creating duplicates.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from entities.codes import credit_code, id_number
from entities.models import Category, LicenceType, PersonRoleKind, Sector

# (prefecture short name, prefecture code, a district of it)
CITIES = [
    ("太原", "140100", "140105"), ("大同", "140200", "140213"), ("阳泉", "140300", "140302"),
    ("长治", "140400", "140403"), ("晋城", "140500", "140502"), ("朔州", "140600", "140602"),
    ("晋中", "140700", "140702"), ("运城", "140800", "140802"), ("忻州", "140900", "140902"),
    ("临汾", "141000", "141002"), ("吕梁", "141100", "141102"),
]
CITY_SIGHTS = {
    "太原": ["晋祠", "双塔", "汾河", "龙城"], "大同": ["云冈", "华严", "古城", "恒山"],
    "阳泉": ["娘子关", "狮脑山", "藏山", "桃河"], "长治": ["太行", "上党", "八路军", "通天峡"],
    "晋城": ["皇城", "王莽岭", "珏山", "太行"], "朔州": ["应县木塔", "崇福", "雁门", "桑干"],
    "晋中": ["平遥", "乔家", "王家", "绵山"], "运城": ["盐湖", "关帝", "鹳雀楼", "永乐宫"],
    "忻州": ["五台山", "芦芽山", "雁门关", "顿村"], "临汾": ["壶口", "尧庙", "云丘山", "洪洞"],
    "吕梁": ["碛口", "北武当", "汾阳", "黄河"],
}
WORDS = ["晋韵", "锦绣", "康宁", "诚信", "和顺", "华夏", "长青", "福瑞", "嘉禾", "安康", "恒泰", "宏达"]

# category -> (sector, name pattern, licence type)
CATEGORY_PLAN = {
    Category.TRAVEL_AGENCY: (Sector.TOURISM, "{city}{word}国际旅行社有限公司", LicenceType.TRAVEL_AGENCY_BUSINESS),
    Category.SCENIC_SPOT: (Sector.TOURISM, "{city}{sight}景区管理有限公司", LicenceType.SCENIC_SPOT_RATING),
    Category.HOTEL: (Sector.TOURISM, "{city}{sight}{word}大酒店有限公司", LicenceType.HOTEL_SPECIAL_TRADE),
    Category.HOMESTAY: (Sector.TOURISM, "{sight}{word}民宿", LicenceType.HOMESTAY_FILING),
    Category.EXHIBITION_ORGANIZER: (Sector.EXHIBITION, "{city}{word}会展服务有限公司", LicenceType.EXHIBITION_FILING),
    Category.EXHIBITION_VENUE: (Sector.EXHIBITION, "{city}{word}国际会展中心有限公司", LicenceType.EXHIBITION_FILING),
    Category.ELDERLY_CARE: (Sector.WELLNESS, "{city}{word}养老院", LicenceType.ELDERLY_CARE_FILING),
    Category.WELLNESS_BASE: (Sector.WELLNESS, "{city}{sight}康养基地有限公司", LicenceType.WELLNESS_FILING),
    Category.HOUSEHOLD_SERVICE_COMPANY: (
        Sector.HOUSEHOLD_SERVICE, "{city}{word}家政服务有限公司", LicenceType.HOUSEHOLD_SERVICE_FILING,
    ),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国晋生文斌红梅"


@dataclass(frozen=True)
class DemoEntity:
    credit_code: str
    name: str
    sector: str
    category: str
    region_code: str
    address: str
    licence_type: str
    licence_number: str
    issued_on: datetime.date
    legal_name: str
    legal_id_number: str


def demo_entities(count: int = 300, seed: int = 14) -> list[DemoEntity]:
    """``count`` businesses spread over the cities and categories, with unique names and codes."""
    rng = random.Random(seed)
    categories = list(CATEGORY_PLAN)
    seen: set[str] = set()
    result: list[DemoEntity] = []
    attempt = 0
    while len(result) < count:
        attempt += 1
        city, city_code, district = CITIES[attempt % len(CITIES)]
        category = categories[(attempt // len(CITIES)) % len(categories)]
        sector, pattern, licence_type = CATEGORY_PLAN[category]
        name = pattern.format(city=city, word=rng.choice(WORDS), sight=rng.choice(CITY_SIGHTS[city]))
        if name in seen:
            continue
        seen.add(name)
        region = rng.choice([city_code, district])
        birth = datetime.date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
        issued = datetime.date(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28))
        result.append(
            DemoEntity(
                credit_code=credit_code(region, rng),
                name=name,
                sector=sector,
                category=category,
                region_code=region,
                address=f"山西省{city}市{rng.choice(['迎宾', '解放', '建设', '人民', '府西', '南环'])}路{rng.randint(1, 399)}号",
                licence_type=licence_type,
                licence_number=f"{licence_type[:3].upper()}-{region}-{len(result) + 1:05d}",
                issued_on=issued,
                legal_name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
                legal_id_number=id_number(city_code, birth, rng),
            )
        )
    return result


LEGAL_REPRESENTATIVE = PersonRoleKind.LEGAL_REPRESENTATIVE
