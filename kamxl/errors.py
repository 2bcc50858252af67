"""The exceptions kamxl raises, drawn as a tree:

    KamxlError                  root: catch this to catch everything of ours
    ├── InputError              bad data from a user: a cell value, a file, a setting
    │   ├── OutOfRangeError     a number outside its scale (a score of 11 out of 10)
    │   └── ConfigError         a company configuration file is invalid (names the key)
    └── SetupError              the environment is not able to do it (no Excel, no
                                LibreOffice, an output folder that cannot be written)

Every error carries a stable ``code`` (an ``M-…`` rule id or an ``S-…`` id), a
bilingual message and, once known, where it happened (file, sheet, cell).
Checks never raise for bad data: they return findings. Errors are for the core's
parsers and the program's boundary (the CLI maps them to exit codes).
"""
from __future__ import annotations

import errno
from dataclasses import dataclass, field, replace

from kamxl.i18n import Lang, Message, Text, default_lang


@dataclass(frozen=True)
class Location:
    """Where a value came from; every part is optional."""

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        place = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet or self.cell
        return " ".join(p for p in (self.file and f"[{self.file}]", place, self.key) if p)


@dataclass(eq=False)
class KamxlError(Exception):
    code: str
    text: Text
    params: dict[str, object] = field(default_factory=dict)
    where: Location = field(default_factory=Location)

    def message(self, lang: Lang | None = None) -> str:
        body = self.text(lang or default_lang(), **self.params)
        where = str(self.where)
        return f"{where}: {body}" if where else body

    @property
    def reason(self) -> Message:
        """What is wrong, without where, for a message that says where itself (a finding,
        a skipped input): rendered in that message's language."""
        return Message.of(self.text, **self.params)

    def at(self, **where: str | None) -> KamxlError:
        """A copy located more precisely (file=…, sheet=…, cell=…, key=…)."""
        known = {k: v for k, v in vars(self.where).items() if v is not None}
        return replace(self, where=Location(**{**known, **where}))

    def __str__(self) -> str:
        return f"{self.code}: {self.message()}"


class InputError(KamxlError, ValueError):
    """A user's value, file or setting is wrong; the message says how to fix it."""


class OutOfRangeError(InputError):
    """A number is readable but outside its scale (worksheet functions show #NUM!)."""


class ConfigError(InputError):
    """A company configuration is invalid; ``where.key`` names the offending key."""


class SetupError(KamxlError, OSError):
    """The machine cannot do what was asked (missing program, unwritable folder)."""


#: what the operating system said, in words of our own (its strerror is in its own language)
OS_REASONS = {
    errno.ENOENT: Text("文件或文件夹不存在", "no such file or folder"),
    errno.EACCES: Text("没有权限", "permission denied"),
    errno.EPERM: Text("不允许此操作", "operation not permitted"),
    errno.EISDIR: Text("这是文件夹", "it is a folder"),
    errno.ENOTDIR: Text("路径中有一段不是文件夹", "a part of the path is not a folder"),
    errno.ENOSPC: Text("磁盘已满", "the disk is full"),
    errno.EROFS: Text("只读的文件系统", "a read-only file system"),
    errno.EBUSY: Text("正被占用", "it is in use"),
    errno.ENAMETOOLONG: Text("名称过长", "the name is too long"),
    errno.EEXIST: Text("已存在", "it exists already"),
    errno.ELOOP: Text("符号链接循环", "a symbolic link loop"),
    errno.EMFILE: Text("打开的文件过多", "too many open files"),
    errno.EIO: Text("读写错误（磁盘或网络）", "an input/output error (disk or network)"),
}


def os_reason(exc: OSError) -> Text | str:
    """Why an operating-system call failed, in the reader's language where we know the
    error (a Text parameter), else as the system says it."""
    return OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def _rebuild(cls: type[KamxlError], state: dict[str, object]) -> KamxlError:
    return cls(**state)  # type: ignore[arg-type]


def _reduce(self: KamxlError) -> tuple[object, ...]:
    # Dataclass exceptions have empty .args, so the default pickling loses the fields;
    # errors must cross process boundaries intact (validate --jobs).
    return _rebuild, (type(self), {k: getattr(self, k) for k in ("code", "text", "params", "where")})


KamxlError.__reduce__ = _reduce  # type: ignore[method-assign,assignment]
