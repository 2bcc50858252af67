"""Bilingual text: every user-facing label and message exists in zh-CN and en."""
from __future__ import annotations

import locale
import os
from dataclasses import dataclass
from typing import Literal, get_args

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)


@dataclass(frozen=True, slots=True)
class Text:
    """One piece of user-facing text in both languages; may hold ``{name}`` fields."""

    zh: str
    en: str

    def __call__(self, lang: Lang, /, **params: object) -> str:
        return getattr(self, check_lang(lang)).format(**params)

    def both(self, **params: object) -> str:
        """Both languages on one line, for places that cannot know the reader's."""
        return f"{self.zh.format(**params)} / {self.en.format(**params)}"


def check_lang(lang: str) -> Lang:
    """Accept 'zh', 'en' and locale spellings such as 'zh_CN.UTF-8' or 'en-GB'."""
    short = (lang or "").strip().lower().replace("-", "_")[:2]
    if short not in LANGS:
        raise ValueError(f"unsupported language {lang!r}: use zh or en / 不支持的语言 {lang!r}：请用 zh 或 en")
    return short  # type: ignore[return-value]


def default_lang() -> Lang:
    """KAMXL_LANG, else the system locale: Chinese locales get zh, all others en.

    Windows sets no LANG variable, so the locale module is asked last; it names
    Chinese locales 'Chinese (Simplified)_China' or 'zh_CN'.
    """
    for var in ("KAMXL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    system = (locale.getlocale()[0] or "").lower()
    return "zh" if system.startswith(("zh", "chinese")) else "en"
