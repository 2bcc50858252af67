"""Selling points (卖点, seed 003). M-PLAN-4: each selling point is scored 0-10 on
uniqueness against competitors and 0-10 on value to the customer; only those in the
high/high (green) zone (default: both >= 7) are buying points (买点)."""
from __future__ import annotations

from kamxl.errors import InputError, OutOfRangeError
from kamxl.i18n import Text
from kamxl.methodology.config import Config, default_config
from kamxl.methodology.values import parse_number

OFF_SCALE = Text(zh="{name_zh}评分应在 0 到 {top} 之间，实际为 {value!r}",
                 en="the {name_en} score must be from 0 to {top}, got {value!r}")
_AXES = {"uniqueness": Text("独特性", "uniqueness"), "value": Text("价值", "value")}


def _score(value: object, axis: str, top: float) -> float:
    number = parse_number(value, code="M-PLAN-4")
    if number is None or not 0 <= number <= top:
        name = _AXES[axis]
        raise (InputError if number is None else OutOfRangeError)("M-PLAN-4", OFF_SCALE, {"value": value, "top": f"{top:g}",
                                                 "name_zh": name.zh, "name_en": name.en})
    return number


def is_buying_point(uniqueness: object, value: object, *, config: Config | None = None) -> bool:
    """M-PLAN-4: both scores at or above their minimum (the green zone)."""
    zone = (config or default_config()).selling_points
    return (_score(uniqueness, "uniqueness", zone.scale_max) >= zone.uniqueness_min
            and _score(value, "value", zone.scale_max) >= zone.value_min)
