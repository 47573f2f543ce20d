"""Plausible Chinese names for demo data: people, communities, grids, minimal units.

Every generator draws from a ``random.Random`` it is given, so the same seed
always yields the same names.
"""

from __future__ import annotations

import random

# Common surnames, weighted towards the Pearl River Delta (陈、李、黄、梁、林…).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("陈", 12),
    ("李", 10),
    ("黄", 9),
    ("梁", 7),
    ("张", 7),
    ("林", 6),
    ("吴", 5),
    ("刘", 5),
    ("何", 4),
    ("谭", 4),
    ("冯", 3),
    ("罗", 3),
    ("郑", 3),
    ("周", 3),
    ("杨", 3),
    ("王", 3),
    ("叶", 2),
    ("钟", 2),
    ("余", 2),
    ("邓", 2),
    ("许", 2),
    ("关", 2),
    ("朱", 2),
    ("胡", 2),
    ("区", 1),
    ("甄", 1),
    ("伍", 1),
    ("莫", 1),
    ("容", 1),
    ("赵", 1),
    ("徐", 1),
    ("卢", 1),
    ("曾", 1),
    ("谢", 1),
    ("麦", 1),
    ("苏", 1),
    ("蔡", 1),
    ("潘", 1),
    ("唐", 1),
    ("邝", 1),
    ("司徒", 1),
    ("欧阳", 1),
)
_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

GIVEN_CHARS_MALE = "伟强军杰俊涛斌浩明辉健锋志华建国永德荣海振宇文彬超耀家昌炜锦鸿"
GIVEN_CHARS_FEMALE = "芳娜静敏丽燕霞玲婷艳娟琳慧秀英洁佩欣嘉雯淑颖倩凤翠红妙碧珊"
GIVEN_CHARS_ANY = "晓子思嘉少志立世永国伟家雪美"

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (1..99)."""
    if not 1 <= n <= 99:
        raise ValueError("chinese_number supports 1..99")
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十"
    if ones:
        text += CHINESE_DIGITS[ones]
    return text


def person_name(rng: random.Random) -> str:
    """A full name: surname and one or two given characters."""
    surname = rng.choices(_SURNAME_LIST, _SURNAME_WEIGHTS)[0]
    pool = GIVEN_CHARS_MALE if rng.random() < 0.5 else GIVEN_CHARS_FEMALE
    if rng.random() < 0.25:
        return surname + rng.choice(pool)
    first = rng.choice(GIVEN_CHARS_ANY) if rng.random() < 0.3 else rng.choice(pool)
    second = rng.choice(pool)
    if second == first:
        second = rng.choice(pool)
    return surname + first + second


# --- places -------------------------------------------------------------------

_PLACE_FIRST = "东西南北新金银龙凤福安和平华兴隆荷桂莲梅竹松沙石水江河湖海岭塘田洲桥涌围滘"
_PLACE_SECOND = "安华兴盛平和乐宁昌康城湾岗洲头冲坑塘边口岭围基园苑溪"


def place_names(rng: random.Random, n: int, taken: set[str], suffix: str) -> list[str]:
    """``n`` new two-character place names with ``suffix`` (社区, 村), unique within ``taken``."""
    names: list[str] = []
    for _ in range(100 * n + 1000):
        if len(names) == n:
            break
        a, b = rng.choice(_PLACE_FIRST), rng.choice(_PLACE_SECOND)
        name = f"{a}{b}{suffix}"
        if a == b or name in taken:
            continue
        taken.add(name)
        names.append(name)
    else:
        raise ValueError("ran out of place names")
    return names


ROADS = (
    "金瓯路",
    "东海路",
    "五邑路",
    "江睦路",
    "礼睦路",
    "滘头大道",
    "高新路",
    "金星路",
    "连海路",
    "胜利路",
    "文昌路",
    "龙溪路",
    "丹灶路",
    "江华路",
    "南华路",
    "迎宾大道",
    "永康路",
    "建设路",
    "新民路",
    "东华路",
    "白石大道",
    "天福路",
    "江海路",
    "万达路",
    "工业大道",
    "云沁路",
    "外海大道",
    "南山路",
    "金溪路",
    "桥美路",
    "凤翔路",
    "华兴路",
    "跃进路",
    "丰乐路",
    "威东路",
    "英南路",
)

ESTATES = (
    "丽苑小区",
    "金海岸花园",
    "御景湾",
    "江南华府",
    "海逸花园",
    "碧桂园",
    "龙湾豪庭",
    "凤凰城",
    "锦绣江南",
    "东湖花园",
    "滨江一号",
    "翠林苑",
    "金域名都",
    "万科金域",
    "幸福里",
    "嘉和苑",
    "星汇名庭",
    "怡景湾",
    "南湖明珠",
    "富华苑",
    "雅居乐花园",
    "天鹅湾",
    "保利中央公园",
    "华景新城",
)

VILLAGE_PLACES = ("大巷坊", "新村坊", "旧村坊", "塘边坊", "榕树头", "祠堂前", "河边里", "北闸坊")
VILLAGE_LANES = ("东街", "西街", "南街", "北街", "大街", "新街", "前巷", "后巷", "中巷")


class UnitNamer:
    """Names for the minimal units of one village or community, in code order.

    Communities get buildings and street addresses (``丽苑小区3栋``,
    ``金瓯路12-18号``); villages get villager groups, hamlets, lanes and
    workshops (``直冲村一组``, ``直冲村大巷坊``, ``直冲村北街5-9号``).
    """

    def __init__(self, rng: random.Random, community: str, is_village: bool) -> None:
        self.rng = rng
        self.community = community
        self.is_village = is_village
        self.used: set[str] = set()
        if is_village:
            self.groups = rng.randint(8, 16)
            self.group_no = 0
            self.places = list(VILLAGE_PLACES)
            rng.shuffle(self.places)
            self.surnames = rng.sample(_SURNAME_LIST[:20], 4)
            self.workshops = 0
            self.streets: dict[str, int] = {
                f"{community}{lane}": rng.randrange(1, 20, 2)
                for lane in rng.sample(VILLAGE_LANES, 3)
            }
        else:
            self.streets = {
                road: rng.randrange(1, 40, 2) for road in rng.sample(ROADS, rng.randint(2, 4))
            }
            self.estates = list(ESTATES)
            rng.shuffle(self.estates)
            # Each estate has a number of buildings; the next estate opens when one is full.
            self.estate: tuple[str, int, int] = (self.estates.pop(), 0, rng.randint(6, 24))

    def next(self) -> str:
        for _ in range(20):
            name = self._village() if self.is_village else self._community()
            if name not in self.used:
                self.used.add(name)
                return name
        name = f"{self.community}第{len(self.used) + 1}单元"
        self.used.add(name)
        return name

    def _address(self) -> str:
        street = self.rng.choice(list(self.streets))
        start = self.streets[street]
        span = 2 * self.rng.randint(1, 3)
        self.streets[street] = start + span + 2
        return f"{street}{start}-{start + span}号"

    def _village(self) -> str:
        if self.group_no < self.groups:
            self.group_no += 1
            return f"{self.community}{chinese_number(self.group_no)}组"
        roll = self.rng.random()
        if roll < 0.15 and self.places:
            return f"{self.community}{self.places.pop()}"
        if roll < 0.25 and self.surnames:
            return f"{self.community}{self.surnames.pop()}屋"
        if roll < 0.4 and self.workshops < 12:
            self.workshops += 1
            return f"{self.community[:-1]}工业区{self.workshops}号厂房"
        return self._address()

    def _community(self) -> str:
        if self.rng.random() < 0.55:
            estate, built, size = self.estate
            if built == size and self.estates:
                estate, built, size = self.estates.pop(), 0, self.rng.randint(6, 24)
            if built < size:
                self.estate = (estate, built + 1, size)
                return f"{estate}{built + 1}栋"
        return self._address()
