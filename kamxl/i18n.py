"""Bilingual text: every user-facing label and message exists in zh-CN and en.

A :class:`Text` is a template in both languages; a :class:`Message` is a template with
its parameters, rendered once the reader's language is known. A parameter that is itself
a Text or a Message is rendered in the same language as the text around it, so a reason
passed from one layer to another (a parser's error inside a finding, a skipped file's
reason inside "no forecast to roll up") never arrives in the other language.
"""
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
        lang = check_lang(lang)
        return getattr(self, lang).format(**localized(params, lang) if params else params)

    def both(self, **params: object) -> str:
        """Both languages on one line, for places that cannot know the reader's."""
        return f"{self('zh', **params)} / {self('en', **params)}"


@dataclass(frozen=True, slots=True)
class Message:
    """A :class:`Text` with its parameters, to be rendered in the reader's language later
    (hashable and picklable when its parameters are)."""

    text: Text
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, text: Text, /, **params: object) -> Message:
        return cls(text, tuple(sorted(params.items(), key=lambda kv: kv[0])))

    def __call__(self, lang: Lang, /) -> str:
        return self.text(lang, **dict(self.params))


@dataclass(frozen=True, slots=True)
class Listing:
    """Several items as one parameter, separated as the language separates list items
    (items: Text, Message, Listing or plain values)."""

    items: tuple[object, ...]
    separator: Text = Text("；", "; ")

    def __call__(self, lang: Lang, /) -> str:
        return self.separator(lang).join(str(_render(v, lang)) for v in self.items)


def _render(value: object, lang: Lang) -> object:
    return value(lang) if isinstance(value, (Text, Message, Listing)) else value


def localized(params: dict[str, object], lang: Lang) -> dict[str, object]:
    """The parameters with every Text, Message or Listing among them rendered in ``lang``."""
    return {k: _render(v, lang) for k, v in params.items()}


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
