"""Personal attributes: names, birth dates, resident IDs, mobiles, e-mails and addresses.

IDs are built so that the importer's checks and an analyst's eye both agree: digits 1–6 are a
real county code, 7–14 the birth date, 17 odd for men and even for women, 18 the GB 11643 check
character; every ID and mobile number is unique.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import places, vocab
from .arrays import join, padded, pick, resident_ids

MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 153, 155, 156, 157, 158, 159]
    + [166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198, 199],
    dtype=np.int64,
)


def person_names(rng: np.random.Generator, male: np.ndarray) -> pa.Array:
    """Surname (by real frequency) + one- or two-character given name matching the gender."""
    n = len(male)
    surname = rng.choice(len(vocab.SURNAMES), size=n, p=vocab.SURNAME_WEIGHTS)
    first_m = rng.integers(0, len(vocab.GIVEN_MALE), n)
    first_f = rng.integers(0, len(vocab.GIVEN_FEMALE), n)
    given = pc.if_else(pa.array(male), pick(vocab.GIVEN_MALE, first_m), pick(vocab.GIVEN_FEMALE, first_f))
    # About a third get a second character, when the first is a single character.
    singles_m = [g for g in vocab.GIVEN_MALE if len(g) == 1]
    singles_f = [g for g in vocab.GIVEN_FEMALE if len(g) == 1]
    second = pc.if_else(
        pa.array(male),
        pick(singles_m, rng.integers(0, len(singles_m), n)),
        pick(singles_f, rng.integers(0, len(singles_f), n)),
    )
    add = (rng.random(n) < 0.35) & (pc.utf8_length(given).to_numpy() == 1)
    given = pc.if_else(pa.array(add), join(given, second), given)
    return join(pick(vocab.SURNAMES, surname), given)


def masked_surnames(rng: np.random.Generator, n: int) -> list[str]:
    """Counterparty names as mobile banking shows them (张*): no full personal names leave the bank."""
    idx = rng.choice(len(vocab.SURNAMES), size=n, p=vocab.SURNAME_WEIGHTS)
    return [vocab.SURNAMES[i] + "*" for i in idx]


def birth_days(rng: np.random.Generator, n: int, ref_day: int, mean_age: np.ndarray) -> np.ndarray:
    """Birth dates (day numbers) for adults aged 19.5–88 on `ref_day`, centred on `mean_age`."""
    age = np.clip(rng.normal(mean_age, 13.0, n), 19.5, 88.0)
    return (ref_day - age * 365.2425).astype(np.int64)


def _yyyymmdd(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + day


def id_numbers(rng: np.random.Generator, area: np.ndarray, born: np.ndarray, male: np.ndarray) -> pa.Array:
    """Unique 18-character resident IDs for the given county codes, birth dates and genders."""
    base = area * 10**11 + _yyyymmdd(born) * 1000
    seq = rng.integers(0, 500, len(area)) * 2 + male.astype(np.int64)  # 17th digit: odd = male
    first17 = base + seq
    while True:
        _, first_index = np.unique(first17, return_index=True)
        dup = np.ones(len(first17), dtype=bool)
        dup[first_index] = False
        if not dup.any():
            return resident_ids(first17)
        first17[dup] = base[dup] + rng.integers(0, 500, int(dup.sum())) * 2 + male[dup]


def id_areas(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """County code of birth: most people were born in the city they live in, the rest anywhere."""
    area = np.empty(len(city), dtype=np.int64)
    for c, info in enumerate(places.CITIES):
        rows = np.flatnonzero(city == c)
        codes = places.area_codes_for(info.prefix)
        area[rows] = codes[rng.integers(0, len(codes), len(rows))]
    elsewhere = rng.random(len(city)) < 0.35
    everywhere = places.all_area_codes()
    area[elsewhere] = everywhere[rng.integers(0, len(everywhere), int(elsewhere.sum()))]
    return area


def mobiles(rng: np.random.Generator, n: int) -> pa.Array:
    """Unique 11-digit mobiles with real operator prefixes (all match ^1[3-9]\\d{9}$)."""
    numbers = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)] * 10**8 + rng.integers(0, 10**8, n)
    while True:
        _, first_index = np.unique(numbers, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first_index] = False
        if not dup.any():
            return pc.cast(pa.array(numbers), pa.string())
        numbers[dup] = numbers[dup] // 10**8 * 10**8 + rng.integers(0, 10**8, int(dup.sum()))


def emails(rng: np.random.Generator, n: int, born: np.ndarray) -> pa.Array:
    """QQ-number addresses (common in China) or romanised-name addresses; unique by a numeric part."""
    serial = rng.permutation(n).astype(np.int64)
    domain = pick(vocab.EMAIL_DOMAINS, rng.choice(len(vocab.EMAIL_DOMAINS), size=n, p=vocab.EMAIL_DOMAIN_WEIGHTS))
    qq = join(pc.cast(pa.array(100_000_000 + serial * 37 + rng.integers(0, 37, n)), pa.string()), "@qq.com")
    local = join(
        pick(vocab.ROMAN_SURNAME, rng.integers(0, len(vocab.ROMAN_SURNAME), n)),
        pick([".", "_", ""], rng.integers(0, 3, n)),
        pick(vocab.ROMAN_GIVEN, rng.integers(0, len(vocab.ROMAN_GIVEN), n)),
        padded(_yyyymmdd(born) // 10000 % 100, 2),
        pc.cast(pa.array(serial), pa.string()),
    )
    named = join(local, "@", domain)
    return pc.if_else(pa.array(rng.random(n) < 0.35), qq, named)


def addresses(rng: np.random.Generator, city: np.ndarray, company: np.ndarray) -> pa.Array:
    """Province + city + district + road + number, then building/unit/room (homes) or floor (firms)."""
    n = len(city)
    head = np.empty(n, dtype=object)
    district_words: list[str] = []
    district_index = np.empty(n, dtype=np.int64)
    for c, info in enumerate(places.CITIES):
        rows = np.flatnonzero(city == c)
        head[rows] = f"{info.province}{info.name}市"
        district_index[rows] = len(district_words) + rng.integers(0, len(info.districts), len(rows))
        district_words.extend(name for name, _ in info.districts)
    road = pick(places.ROADS, rng.integers(0, len(places.ROADS), n))
    number = pc.cast(pa.array(rng.integers(1, 999, n)), pa.string())
    street = join(pa.array(head, pa.string()), pick(district_words, district_index), road, number, "号")
    home = join(
        pc.cast(pa.array(rng.integers(1, 30, n)), pa.string()),
        "栋",
        pc.cast(pa.array(rng.integers(1, 6, n)), pa.string()),
        "单元",
        pc.cast(pa.array(rng.integers(1, 33, n) * 100 + rng.integers(1, 9, n)), pa.string()),
        "室",
    )
    office = join(pc.cast(pa.array(rng.integers(1, 40, n)), pa.string()), "楼")
    return join(street, pc.if_else(pa.array(company), office, home))


def company_names(rng: np.random.Generator, city: np.ndarray) -> pa.Array:
    """Firm names such as 杭州和泰科技有限公司 (city + Faker's zh_CN company stem + industry)."""
    n = len(city)
    stem = pick(vocab.COMPANY_STEMS, rng.integers(0, len(vocab.COMPANY_STEMS), n))
    industry = pick(vocab.INDUSTRIES, rng.integers(0, len(vocab.INDUSTRIES), n))
    return join(pick([c.name for c in places.CITIES], city), stem, industry, "有限公司")


def shop_names(rng: np.random.Generator, category: np.ndarray, categories: tuple[str, ...]) -> pa.Array:
    """Shop names by merchant category: 王记火锅, 和泰超市, 九方汽车销售服务有限公司 …"""
    n = len(category)
    words: list[str] = []
    offset = np.zeros(len(categories), dtype=np.int64)
    sizes = np.zeros(len(categories), dtype=np.int64)
    for k, cat in enumerate(categories):
        offset[k], sizes[k] = len(words), len(vocab.MERCHANT_WORDS[cat])
        words.extend(vocab.MERCHANT_WORDS[cat])
    word = offset[category] + (rng.random(n) * sizes[category]).astype(np.int64)
    family = join(pick(vocab.SURNAMES, rng.choice(len(vocab.SURNAMES), size=n, p=vocab.SURNAME_WEIGHTS)), "记")
    stem = pick(vocab.COMPANY_STEMS, rng.integers(0, len(vocab.COMPANY_STEMS), n))
    return join(pc.if_else(pa.array(rng.random(n) < 0.4), family, stem), pick(words, word))
