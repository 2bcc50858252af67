"""The project's promises to a newcomer: README's two set-up commands are what CI runs,
and every methodology rule the foundation covers is implemented and tested (by id)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_RULES = ["M-SCORE-1", "M-SCORE-2", "M-SCORE-3", "M-SCORE-4", "M-SCORE-5", "M-FUN-1", "M-FUN-2",
                  "M-FUN-3", "M-ACC-2", "M-ACC-6", "M-REL-1", "M-REL-3", "M-PLAN-4"]


def readme_commands() -> dict[str, str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return dict(re.findall(r"<!-- setup:(\w+) -->\n```sh\n(.+)\n```", text))


def test_readme_has_exactly_two_setup_commands():
    commands = readme_commands()
    assert set(commands) == {"demo", "test"}
    assert "kamxl demo" in commands["demo"] and "pytest" in commands["test"]
    assert "pip install" in commands["demo"] and "[test]" in commands["test"]


def test_ci_runs_the_readme_commands_as_written():
    script = ROOT / ".ci" / "run"
    extracted = {}
    for name in ("demo", "test"):
        fn = subprocess.run(["bash", "-c", f'source <(sed -n "/^readme_command()/,/^}}/p" {script}); '
                                           f"readme_command {name}"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
        extracted[name] = fn.stdout.strip()
    assert extracted == readme_commands()
    body = script.read_text("utf-8")
    assert 'bash -euo pipefail -c "$test_cmd"' in body and "set -euo pipefail" in body


def test_readme_names_the_system_packages_ci_installs_beside_the_setup_commands():
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    packages = re.findall(r"need\+=\(([\w.-]+)\)", ci)
    assert {"libreoffice-calc-nogui", "poppler-utils", "fonts-wqy-microhei", "python3-uno"} <= set(packages)
    readme = (ROOT / "README.md").read_text("utf-8")
    setup = readme[readme.index("<!-- setup:test -->"):readme.index("## What the demo shows")]
    for package in packages:
        assert f"`{package}`" in setup and package in setup.split("sudo apt-get install", 1)[1].splitlines()[0]
    assert "skipped" in setup


def _files(folder: str, pattern: str) -> str:
    """The files' text; the rule table (kamxl/methodology/rules.py) names every id, so it is no evidence."""
    table = ROOT / "kamxl" / "methodology" / "rules.py"
    return "\n".join(p.read_text("utf-8") for p in (ROOT / folder).rglob(pattern) if p != table)


@pytest.mark.parametrize("rule", REQUIRED_RULES)
def test_every_foundation_rule_is_named_in_code_and_tests(rule):
    pattern = re.compile(rf"{re.escape(rule)}(?!\d)|{re.escape(rule.rsplit('-', 1)[0])}-\d\.\.\d")
    code = _files("kamxl", "*.py")
    assert rule in code or any(_covers(m, rule) for m in pattern.findall(code)), f"{rule} not in kamxl/"
    tests = _files("tests", "test_*.py").replace("_", "-").upper()
    assert rule in tests, f"{rule} not named in any test"


def _covers(span: str, rule: str) -> bool:
    """'M-SCORE-1..3' covers M-SCORE-2."""
    match = re.fullmatch(r"(.+)-(\d)\.\.(\d)", span)
    if not match:
        return False
    prefix, lo, hi = match.groups()
    number = int(rule.rsplit("-", 1)[1])
    return rule.startswith(prefix + "-") and int(lo) <= number <= int(hi)


def test_only_the_excel_layer_imports_xlwings():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "kamxl").rglob("*.py")
                 if "excel" not in p.parts and re.search(r"^\s*(import|from)\s+xlwings", p.read_text("utf-8"), re.M)]
    assert offenders == []


def test_readme_documents_every_worksheet_function():
    from udfs.kam import FUNCTIONS

    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [name for name, fn in FUNCTIONS.items()
               if f"`{name}({', '.join(_readme_args(fn))})`" not in readme]
    assert missing == []


def _readme_args(fn) -> list[str]:
    """How the README writes a signature: optional arguments in [brackets]; KAM_WHY's 'cell'."""
    names = {"score_": "score", "value": "cell"} if fn.kam.name == "KAM_WHY" else {"score_": "score"}
    return [f"[{names.get(n, n)}]" if n in fn.kam.optional else names.get(n, n) for n, _ in fn.kam.args]
