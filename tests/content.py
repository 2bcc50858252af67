"""Workbook content the tests build from: the filled examples, and the sample funnel with
its deliberate defects repaired (validation must say nothing about it)."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from kamxl.methodology import default_config
from kamxl.methodology.vocabulary import BUDGET_STATUS
from kamxl.schema import TEMPLATES
from kamxl.templates import EXAMPLES

TODAY = dt.date(2026, 11, 23)


def content(name: str, lang: str = "en") -> dict[str, Any]:
    return copy.deepcopy(EXAMPLES[name](TEMPLATES[name], lang, default_config()))


def clean_funnel(lang: str = "en") -> dict[str, Any]:
    """The sample funnel with its deliberate defects repaired: validation must say nothing."""
    c = content("funnel", lang)
    for row in c["Opportunities"]:
        row.update(coach=row.get("coach") or ("顾晓明" if lang == "zh" else "Matthew Goodwin"),
                   sponsor=row.get("sponsor") or ("沈卫东" if lang == "zh" else "Victor Shaw"),
                   budget_status=BUDGET_STATUS.get("identified").label(lang))   # M-FUN-5: found out
        if row["close_date"] < TODAY:
            row["close_date"] = dt.date(2027, 3, 31)
    for row in c["Assessment"]:
        for q in range(1, 21):
            row[f"q{q:02d}"] = "Y"
    ids = {r["id"] for r in c["Assessment"]}
    for row in c["Opportunities"]:      # every opportunity assessed, so evidence rules are met
        if row["id"] not in ids:
            c["Assessment"].append({"id": row["id"], **{f"q{q:02d}": "Y" for q in range(1, 21)}})
    return c
