"""What ``kamxl validate`` shows on the console (kamxl/validate_view.py): after the counts,
the first findings — worst first, with file, cell, rule and message in the chosen
language — and how many more; ``--quiet`` shows the counts only (issue 15, item 14)."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from kamxl.cli import main
from kamxl.findings import FileResult, Report, Severity, finding
from kamxl.i18n import Text
from kamxl.validate_view import MESSAGE_WIDTH, SHOWN, print_findings

EXAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "examples"


def validate(folder: Path, *args: str):
    return CliRunner().invoke(main, ["validate", str(folder), "--today", "2026-11-23", *args])


def here(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    return Path("subs")


def test_the_console_lists_the_findings_in_the_chosen_language(tmp_path, monkeypatch):
    subs = here(tmp_path, monkeypatch)
    shutil.copy(EXAMPLES / "funnel-example.zh.xlsx", subs / "漏斗.xlsx")
    zh = validate(subs, "--lang", "zh")
    assert zh.exit_code == 0
    assert "问题（共 7 条）：" in zh.output
    lines = [x.strip() for x in zh.output.splitlines() if x.strip().startswith("警告")]
    assert len(lines) == 7
    from openpyxl.utils import get_column_letter

    from kamxl.schema import TEMPLATES
    score = get_column_letter([c.key for c in TEMPLATES["funnel"].table("Opportunities").columns].index("value_score") + 1)
    assert any(x.startswith(f"警告  {Path('subs', '漏斗.xlsx')} 商机!{score}16  M-SCORE-4  阶段 ") for x in lines), lines
    en = validate(subs, "--lang", "en")
    assert "Findings (7):" in en.output
    # H: the close date, among the columns a rep scans first
    assert any(x.strip().startswith(f"warning  {Path('subs', '漏斗.xlsx')} 商机!H27  S-STALE  open opportunity with a past close date")
               for x in en.output.splitlines()), en.output


def test_quiet_shows_the_counts_only(tmp_path, monkeypatch):
    subs = here(tmp_path, monkeypatch)
    shutil.copy(EXAMPLES / "funnel-example.en.xlsx", subs)
    quiet = validate(subs, "--lang", "en", "-q")
    assert quiet.exit_code == 0 and "with warnings only" in quiet.output
    assert "Findings" not in quiet.output and "M-SCORE-4  " not in quiet.output


def test_the_first_findings_worst_first_then_how_many_more(capsys):
    long = Text("很长的说明" * 100, "a long message " * 40)
    warnings = [finding("S-STALE", Severity.WARNING, long, long, file="a.xlsx", sheet="Opportunities", cell=f"K{n}")
                for n in range(2, 2 + SHOWN + 4)]
    error = finding("M-FC-3", Severity.ERROR, Text("重复", "twice"), Text("改", "fix"), file="z.xlsx", sheet="S",
                    cell="A9")
    report = Report([FileResult("a.xlsx", "funnel", findings=warnings), FileResult("z.xlsx", "forecast")],
                    across=[error])
    print_findings(report, "en")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Findings ({SHOWN} of {SHOWN + 5}, worst first):"
    assert lines[1] == "  error  z.xlsx S!A9  M-FC-3  twice"
    assert lines[2].startswith("  warning  a.xlsx Opportunities!K2  S-STALE  a long message")
    assert all(len(x) < MESSAGE_WIDTH + 60 and x.endswith("…") for x in lines[2:SHOWN + 1])
    assert lines[SHOWN + 1:] == ["  and 5 more: --report FILE.xlsx lists them all"]
    print_findings(report, "zh")
    assert capsys.readouterr().out.splitlines()[-1] == "  另有 5 条未列出：--report 文件.xlsx 可列出全部"
    print_findings(Report([FileResult("a.xlsx", "funnel")]), "en")
    assert capsys.readouterr().out == ""
