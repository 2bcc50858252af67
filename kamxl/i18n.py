"""Bilingual text: every user-facing label and message exists in zh-CN and en."""
from __future__ import annotations

import locale
import os
from collections.abc import Sequence
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


def listing(items: Sequence[str], *, limit: int = 5, zh_sep: str = "、", en_sep: str = ", ") -> Text:
    """``items`` joined in each language's way, at most ``limit`` of them: beyond that
    "A, B and 3 more" / "A、B 等 5 个", so that a message naming people or files stays short
    however many there are. The result is shown as is (never formatted again): a finding
    takes it as a parameter (:meth:`kamxl.findings.Finding.text`)."""
    shown, total = list(items[:limit]), len(items)
    zh, en = zh_sep.join(shown), en_sep.join(shown)
    if total > len(shown):
        zh, en = f"{zh} 等 {total} 个", f"{en} and {total - len(shown)} more"
    return Text(zh, en)


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
