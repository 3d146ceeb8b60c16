"""The bank's organisation: head office → city branches → sub-branches, and its staff.

Sizes scale gently with the customer count so that a 2,000-customer test bank and a
1,000,000-customer benchmark bank both look like a real regional bank: ~8–10 city branches, a few
to a few dozen sub-branches each, one relationship manager per ~320 customers of a sub-branch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import places
from .arrays import padded, pick
from .people import person_names

CUSTOMERS_PER_RM = 320
_ORDINALS = "一二三四五六七八九十"


@dataclass
class Branches:
    code: list[str]
    parent: list[str | None]
    name: list[str]
    name_en: list[str]
    level: list[str]
    city: list[str]
    sub: np.ndarray  # row of each sub-branch in the lists above
    sub_city: np.ndarray  # city index (places.CITIES) of each sub-branch
    sub_parent: np.ndarray  # row of the city branch of each sub-branch
    sub_weight: np.ndarray  # share of customers served by each sub-branch

    def table(self) -> pa.Table:
        return pa.table(
            {
                "branch_code": self.code,
                "parent_code": self.parent,
                "name": self.name,
                "name_en": self.name_en,
                "level": self.level,
                "city": self.city,
            }
        )


def build_branches(rng: np.random.Generator, customers: int) -> Branches:
    """Head office in the first city; 8–10 city branches; ≥ 2 sub-branches each, more for big banks."""
    n_branches = 8 + (customers >= 100_000) + (customers >= 500_000)
    per_branch = int(np.clip(np.sqrt(customers) / 25, 2, 30))
    size = np.array([1.4, 1.3, 1.1, 1.2, 1.0, 0.9, 0.9, 0.8, 0.8, 0.8])[:n_branches]
    empty = np.empty(0, dtype=np.int64)  # the sub-branch arrays, set once the lists are built
    b = Branches(["HO"], [None], ["总行"], ["Head Office"], ["head_office"], [places.CITIES[0].name], *([empty] * 4))
    sub_rows, sub_city, sub_parent = [], [], []
    for i in range(n_branches):
        city = places.CITIES[i]
        code = f"B{i + 1:02d}"
        b.code.append(code)
        b.parent.append("HO")
        b.name.append(f"{city.name}分行")
        b.name_en.append(f"{city.pinyin} Branch")
        b.level.append("branch")
        b.city.append(city.name)
        parent_row = len(b.code) - 1
        for j in range(max(2, round(per_branch * size[i]))):
            district, pinyin = city.districts[j % len(city.districts)]
            short = district.removesuffix("新区").removesuffix("区").removesuffix("街道").removesuffix("镇")
            short = short.removesuffix("市") if len(short) > 2 else short
            rank = j // len(city.districts)
            b.code.append(f"{code}S{j + 1:02d}")
            b.parent.append(code)
            b.name.append(f"{city.name}{short}{'第' + _ORDINALS[rank] if rank else ''}支行")
            b.name_en.append(f"{city.pinyin} {pinyin} Sub-branch{f' {rank + 1}' if rank else ''}")
            b.level.append("sub_branch")
            b.city.append(city.name)
            sub_rows.append(len(b.code) - 1)
            sub_city.append(i)
            sub_parent.append(parent_row)
    b.sub = np.array(sub_rows)
    b.sub_city = np.array(sub_city)
    b.sub_parent = np.array(sub_parent)
    weight = size[b.sub_city] * rng.lognormal(0.0, 0.35, len(sub_rows))
    b.sub_weight = weight / weight.sum()
    return b


@dataclass
class Staff:
    employee_no: pa.Array
    name: pa.Array
    branch_row: np.ndarray  # row in Branches lists
    role: list[str]
    rms_of_sub: list[np.ndarray]  # staff rows of the RMs of each sub-branch

    def table(self, branches: Branches) -> pa.Table:
        return pa.table(
            {
                "employee_no": self.employee_no,
                "name": self.name,
                "branch_code": pick(branches.code, self.branch_row),
                "role": self.role,
            }
        )


def _rm_counts(customers_per_sub: np.ndarray) -> np.ndarray:
    """One RM per CUSTOMERS_PER_RM customers bank-wide, shared out by largest remainder; every
    sub-branch has at least one (so tiny test banks have a few more RMs per customer)."""
    quota = customers_per_sub / CUSTOMERS_PER_RM
    count = np.floor(quota).astype(np.int64)
    spare = int(round(quota.sum())) - int(count.sum())
    count[np.argsort(-(quota - count), kind="stable")[: max(spare, 0)]] += 1
    return np.maximum(count, 1)


def build_staff(rng: np.random.Generator, branches: Branches, customers_per_sub: np.ndarray) -> Staff:
    """RMs in proportion to each sub-branch's book; a head, lobby and service staff per outlet;
    heads, analysts and compliance officers at branch and head-office level."""
    rows: list[int] = []
    roles: list[str] = []
    rms_of_sub: list[np.ndarray] = []

    def add(branch_row: int, role: str, count: int) -> None:
        rows.extend([branch_row] * count)
        roles.extend([role] * count)

    add(0, "admin", 2)
    add(0, "analyst", 3)
    add(0, "compliance", 2)
    for row, level in enumerate(branches.level):
        if level == "branch":
            add(row, "branch_head", 1)
            add(row, "analyst", 1)
            add(row, "compliance", 1)
    rm_count = _rm_counts(customers_per_sub)
    for k, row in enumerate(branches.sub):
        add(int(row), "branch_head", 1)
        add(int(row), "lobby", 1 + int(rng.random() < 0.5))
        add(int(row), "service", 1 + int(rng.random() < 0.3))
        start = len(rows)
        add(int(row), "rm", int(rm_count[k]))
        rms_of_sub.append(np.arange(start, len(rows)))
    n = len(rows)
    male = rng.random(n) < 0.48
    return Staff(padded(100_001 + np.arange(n), 6, "E"), person_names(rng, male), np.array(rows), roles, rms_of_sub)
