"""The command line, driven through click's runner: output, languages and exit codes."""
from __future__ import annotations

from click.testing import CliRunner

from kamxl.cli import main
from kamxl.templates import EXAMPLES

EXAMPLE_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent / "workbooks" / "examples"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_demo_in_chinese_shows_health_attention_forecast_and_customers(tmp_path):
    result = run("demo", "--lang", "zh", "--today", "2026-11-23", "--out", str(tmp_path))
    assert result.exit_code == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"{name}-example.zh.xlsx" for name in EXAMPLES)
    assert all(name in result.output for name in written)
    for text in ("漏斗健康度", "05 进入短名单", "良好，需关注", "预警", "优秀", "后期阶段的低价值商机 (M-SCORE-4)",
                 "OPP-2026-0011", "冲突：多名客户经理（M-ACC-3）", "江瀾電力集團有限公司", "D 类：退出"):
        assert text in result.output, text


def test_demo_in_english(tmp_path):
    result = run("demo", "--lang", "en", "--today", "2026-11-23", "--out", str(tmp_path))
    assert result.exit_code == 0
    for text in ("Funnel health", "05 Shortlist/Bid", "Good, watch the trend", "no coach",
                 "2027-Q1", "conflict: several account managers (M-ACC-3)"):
        assert text in result.output, text


def test_demo_honours_a_company_configuration(tmp_path):
    path = tmp_path / "company.toml"
    path.write_text("[stages.05]\nprobability = 0.45\n", encoding="utf-8")
    assert "45%" in run("demo", "--lang", "en", "--config", str(path), "--out", str(tmp_path / "out")).output


def test_new_writes_a_template_and_rejects_other_suffixes(tmp_path):
    ok = run("new", "funnel", "-o", str(tmp_path / "f.xlsx"), "--lang", "en")
    assert ok.exit_code == 0 and (tmp_path / "f.xlsx").stat().st_size > 10_000
    bad = CliRunner().invoke(main, ["new", "funnel", "-o", str(tmp_path / "f.xls")])
    assert bad.exit_code == 2 and not (tmp_path / "f.xls").exists()


def test_config_check_accepts_valid_and_rejects_invalid_with_exit_2(tmp_path):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text("[scoring]\nthreshold = 12\n", encoding="utf-8")
    bad.write_text("[scoring]\nthreshhold = 12\n", encoding="utf-8")
    ok = run("config", "check", str(good), "--lang", "en")
    assert ok.exit_code == 0 and "configuration is valid" in ok.output
    failed = CliRunner().invoke(main, ["config", "check", str(bad), "--lang", "zh"])
    assert failed.exit_code == 2
    assert "scoring.threshhold" in failed.output and "未知的配置项" in failed.output and "Traceback" not in failed.output


def test_config_show_and_version():
    assert "05 Shortlist/Bid" in run("config", "show", "--lang", "en").output
    assert run("--version").output.startswith("kamxl, version ")


def test_validate_exit_codes_notes_and_report_links(tmp_path, monkeypatch):
    import shutil

    import openpyxl

    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(EXAMPLE_DIR / "funnel-example.en.xlsx", folder)
    (folder / "~$funnel-example.en.xlsx").write_bytes(b"lock")
    monkeypatch.chdir(tmp_path)
    warned = CliRunner().invoke(main, ["validate", "submissions", "--today", "2026-11-23", "--lang", "en",
                                       "--report", "report.xlsx"])
    assert warned.exit_code == 0                       # warnings only, --fail-on error (default)
    assert "skipped Excel's lock file" in warned.output and "M-SCORE-4" in warned.output
    cell = openpyxl.load_workbook(tmp_path / "report.xlsx").worksheets[0]["D2"]   # the Cell column, after File, Owner
    assert cell.hyperlink.target == "submissions/funnel-example.en.xlsx"
    strict = CliRunner().invoke(main, ["validate", "submissions", "--today", "2026-11-23", "--fail-on", "warning"])
    assert strict.exit_code == 1
    (tmp_path / "empty").mkdir()
    assert CliRunner().invoke(main, ["validate", "empty"]).exit_code == 2


def test_demo_writes_the_portable_edition_and_keeps_a_workbook_someone_changed(tmp_path):
    """Issue 17: the demo's KAM_* workbooks showed #NAME? in LibreOffice on a fresh machine;
    and a second run must not write over a workbook a person typed into."""
    import openpyxl

    run("demo", "--lang", "en", "--today", "2026-11-23", "--out", str(tmp_path))
    for path in tmp_path.glob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        assert dict(book["_kamxl"].iter_rows(values_only=True))["edition"] == "portable"
        formulas = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=")]
        assert formulas and not [f for f in formulas if "KAM_" in f]
    funnel = tmp_path / "funnel-example.en.xlsx"
    again = run("demo", "--lang", "en", "--today", "2026-11-23", "--out", str(tmp_path))
    assert "kept" not in again.output                     # its own earlier output: written again
    book = openpyxl.load_workbook(funnel)
    book["Opportunities"]["B6"] = "A rep's own customer"
    book.save(funnel)
    changed = funnel.read_bytes()
    result = run("demo", "--lang", "zh", "--today", "2026-11-23", "--out", str(tmp_path))   # other files: zh
    assert result.exit_code == 0 and "已保留" not in result.output
    result = run("demo", "--lang", "en", "--today", "2026-11-23", "--out", str(tmp_path))
    assert result.exit_code == 0 and "kept: this file was changed" in result.output
    assert funnel.read_bytes() == changed
