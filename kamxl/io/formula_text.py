"""Formula text as Excel stores it, made comparable.

When ``KAM_*`` functions come from an add-in, Excel saves each call with a reference to
the add-in: ``=[1]!KAM_SCORE(B2:B21)`` (an external-link index) or
``='C:\\Users\\me\\AppData\\Roaming\\Microsoft\\AddIns\\kamxl.xlam'!KAM_SCORE(...)``; a
function unknown when the file was saved may come back as ``_xludf.KAM_SCORE``.
Readers normalise all of these to the plain ``KAM_SCORE(...)`` before they compare or
evaluate formulas.
"""
from __future__ import annotations

import re

FUNCTION_PREFIX = "KAM_"

_ADDIN_PREFIX = re.compile(
    r"""(?:'(?:[^']|'')*'|\[\d+\]|[\w.\\:~$-]+\.xla[m]?|_xludf\.)!?(?=KAM_\w+\s*\()""",
    re.IGNORECASE,
)
_KAM_CALL = re.compile(r"(?<![\w.])KAM_\w+(?=\s*\()", re.IGNORECASE)
_STRING = re.compile(r'"(?:[^"]|"")*"')


def normalise_formula(formula: str) -> str:
    """The formula with every add-in reference before a ``KAM_*`` call removed.

    Text inside string literals is left untouched, and function names are upper-cased
    (Excel's own spelling) so two saves of the same formula compare equal.
    """
    parts, last = [], 0
    for literal in _STRING.finditer(formula):
        parts.append(_clean(formula[last:literal.start()]))
        parts.append(literal.group())
        last = literal.end()
    parts.append(_clean(formula[last:]))
    return "".join(parts)


def _clean(code: str) -> str:
    code = _ADDIN_PREFIX.sub("", code)
    return _KAM_CALL.sub(lambda m: m.group().upper(), code)


def kam_functions(formula: str) -> list[str]:
    """The ``KAM_*`` functions a formula calls, in order of appearance (normalised)."""
    code = _STRING.sub('""', normalise_formula(formula))
    return [m.group() for m in _KAM_CALL.finditer(code)]
