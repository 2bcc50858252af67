"""No command loses a user's work (issue 15, items 1-5 and 18): what each command may write
over (kamxl.io.outputs), missing output folders, wrong suffixes refused before any work,
pipes and Ctrl-C, and which files a folder gives (kamxl's own reports, links out of it,
sub-folders without -r)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.errors import InputError
from kamxl.io.guard import Limits
from kamxl.io.outputs import OutputError, check_output, is_addin, is_report, is_rollup
from kamxl.validate import discover

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "workbooks" / "examples"
FUNNEL = EXAMPLES / "funnel-example.en.xlsx"
FORECAST = EXAMPLES / "forecast-example.en.xlsx"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes (mkfifo) on this system")


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(*paths: Path) -> dict[str, str]:
    """Every file under the paths given (files and folders), by its SHA-256."""
    files = [q for p in paths for q in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return {str(f): sha(f) for f in files if f.is_file()}


def refused(result, *words: str) -> bool:
    return result.exit_code == 2 and "[S-OUTPUT]" in result.output and all(w in result.output for w in words)


# --- the reproductions of the issue ---------------------------------------------------------------
def test_1_a_report_never_replaces_the_submission_it_reports_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("new", "funnel", "--example", "--lang", "en", "-o", "in.xlsx").exit_code == 0
    before = sha(tmp_path / "in.xlsx")
    for force in ((), ("--force",)):
        result = run("validate", "in.xlsx", "--report", "in.xlsx", "--lang", "en", *force)
        assert refused(result, "in.xlsx", "is an input"), result.output
        assert sha(tmp_path / "in.xlsx") == before
    zh = run("validate", "in.xlsx", "--report", "in.xlsx", "--lang", "zh")
    assert refused(zh, "就是输入文件") and "input" not in zh.output


def test_1_a_report_never_replaces_a_submission_in_the_folder(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FUNNEL, subs / "a.xlsx")
    before = hashes(subs)
    for force in ((), ("--force",)):
        assert refused(run("validate", subs, "--report", subs / "a.xlsx", "--lang", "en", *force))
    assert hashes(subs) == before


def test_2_new_never_writes_over_a_filled_workbook_without_force(tmp_path):
    mine = tmp_path / "mine.xlsx"
    shutil.copy(FUNNEL, mine)
    before = sha(mine)
    result = run("new", "funnel", "-o", mine, "--lang", "en")
    assert refused(result, "already exists", "--force"), result.output
    assert sha(mine) == before
    assert refused(run("new", "funnel", "-o", mine, "--lang", "zh"), "已存在", "--force")
    assert run("new", "funnel", "-o", mine, "--lang", "en", "--force").exit_code == 0
    assert sha(mine) != before
    # a blank template kamxl wrote is a workbook a person fills: not replaced without --force either
    assert refused(run("new", "funnel", "-o", mine, "--lang", "en"))


def test_3_wrong_output_suffixes_are_refused_before_any_work(tmp_path, monkeypatch):
    import kamxl.io.guard
    import kamxl.validate

    def no_work(*_args, **_kwargs):
        raise AssertionError("work started before the output was checked")

    monkeypatch.setattr(kamxl.io.guard, "run_guarded", no_work)
    monkeypatch.setattr(kamxl.validate, "validate_paths", no_work)
    shutil.copy(FORECAST, tmp_path / "fc.xlsx")
    cases = {
        "out.csv": ["rollup", tmp_path / "fc.xlsx", "-o", tmp_path / "out.csv", "--owner", "X", "--level", "team"],
        "x.xlsx": ["addin", "build", "-o", tmp_path / "x.xlsx"],
        "x.csv": ["new", "funnel", "-o", tmp_path / "x.csv"],
        "r.txt": ["validate", tmp_path / "fc.xlsx", "--report", tmp_path / "r.txt"],
        "p.xlsm": ["portable", tmp_path / "fc.xlsx", "-o", tmp_path / "p.xlsm"],
    }
    for name, args in cases.items():
        result = run(*args, "--lang", "en")
        assert refused(result, name, "must be named"), (name, result.output)
        assert not (tmp_path / name).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fc.xlsx"]      # no lock file either
    assert refused(run("rollup", tmp_path / "fc.xlsx", "-o", tmp_path / "o.csv", "--owner", "X", "--level", "team",
                       "--lang", "zh"), "扩展名须为 .xlsx")


def _rollup_on_a_pipe(tmp_path: Path, *extra: str, file_timeout: str = "5") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kamxl.cli", "rollup", *extra, "-o", str(tmp_path / "w.xlsx"), "--owner", "X",
               "--level", "team", "--file-timeout", file_timeout, "--lang", "en"]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)


@needs_fifo
def test_4_a_pipe_as_input_does_not_hang_the_roll_up(tmp_path):
    os.mkfifo(tmp_path / "f.xlsx")
    started = time.monotonic()
    done = _rollup_on_a_pipe(tmp_path, "f.xlsx")
    assert time.monotonic() - started < 40
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "w.xlsx").exists()


@needs_fifo
@pytest.mark.parametrize("option,name", [("--quota", "q.csv"), ("--channel", "c.xlsx"), ("--previous", "p.xlsx"),
                                         ("--adjustments", "a.csv"), ("--rates", "r.csv")])
def test_4_a_pipe_as_a_side_file_is_refused_naming_it(tmp_path, option, name):
    shutil.copy(FORECAST, tmp_path / "fc.xlsx")
    os.mkfifo(tmp_path / name)
    done = _rollup_on_a_pipe(tmp_path, "fc.xlsx", option, name)
    assert done.returncode == 2 and name in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "not a regular file" in done.stderr


def test_4_side_files_are_read_under_the_same_ceilings(tmp_path, monkeypatch):
    """A side file whose reading hangs is stopped at the per-file time ceiling, like an input."""
    import kamxl.rollup
    from kamxl.rollup import rollup_files

    monkeypatch.setattr(kamxl.rollup, "read_quotas", lambda _path: time.sleep(60))   # the worker inherits it
    shutil.copy(FORECAST, tmp_path / "fc.xlsx")
    (tmp_path / "q.csv").write_text("owner,quota\nX,1\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(InputError) as raised:
        rollup_files([tmp_path / "fc.xlsx"], tmp_path / "w.xlsx", owner="X", level="team", lang="en",
                     quota=tmp_path / "q.csv", limits=Limits(seconds=1))
    assert time.monotonic() - started < 30
    assert raised.value.code == "S-FILE-TIMEOUT" and "q.csv" in raised.value.message("en")
    assert "q.csv" in raised.value.message("zh") and "秒" in raised.value.message("zh")


HANG = ("import sys, time; import kamxl.rollup, kamxl.validate; "
        "kamxl.rollup.read_submission = kamxl.validate.validate_file = "
        "lambda *a, **k: (open('reading', 'w').close(), time.sleep(120)); "
        "from kamxl.cli import main; sys.argv[0] = 'kamxl'; main()")


@pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT: POSIX")
@pytest.mark.parametrize("args", [
    ["rollup", "fc.xlsx", "-o", "w.xlsx", "--owner", "X", "--level", "team", "--file-timeout", "100"],
    ["validate", "fc.xlsx", "--file-timeout", "100", "-j", "2"],
    ["validate", "fc.xlsx", "--file-timeout", "0", "--file-memory", "0", "-j", "1"],       # in this process
], ids=["rollup", "validate-workers", "validate-in-process"])
def test_4_ctrl_c_is_one_line_and_exit_130(tmp_path, args):
    shutil.copy(FORECAST, tmp_path / "fc.xlsx")
    proc = subprocess.Popen([sys.executable, "-c", HANG, *args, "--lang", "en"], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "reading").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)             # a terminal's Ctrl-C goes to the whole process group
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:              # pragma: no cover - the failure this test is for
        os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines() == [
        "kamxl: interrupted (Ctrl-C): outputs are written whole or not at all"]
    assert not (tmp_path / "w.xlsx").exists()


def test_5_a_missing_output_folder_is_refused_and_not_made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FORECAST, tmp_path / "fc.xlsx")
    cases = [
        ["new", "funnel", "-o", "typo/x.xlsx"],
        ["rollup", "fc.xlsx", "-o", "typo/x.xlsx", "--owner", "X", "--level", "team"],
        ["validate", "fc.xlsx", "--report", "typo/r.xlsx"],
        ["portable", "fc.xlsx", "-o", "typo/x.xlsx"],
        ["addin", "build", "-o", "typo/x.xlam"],
    ]
    for args in cases:
        en = run(*args, "--lang", "en")
        assert refused(en, f"the output folder {Path.cwd() / 'typo'} does not exist"), (args, en.output)
        assert refused(run(*args, "--lang", "zh"), f"输出文件夹 {Path.cwd() / 'typo'} 不存在"), args
        assert not (tmp_path / "typo").exists()
    # a command that owns its folder still makes it
    assert run("demo", "--lang", "en", "--out", "mine/demo").exit_code == 0 and (tmp_path / "mine" / "demo").is_dir()


def test_18_links_out_of_the_folder_are_not_followed_and_no_folder_twice(tmp_path):
    subs = tmp_path / "subs"
    (subs / "q3").mkdir(parents=True)
    shutil.copy(FUNNEL, subs / "q3" / "a.xlsx")
    shutil.copy(FUNNEL, tmp_path / "outside.xlsx")
    (subs / "up").symlink_to("..")                # out of the folder given
    (subs / "again").symlink_to("q3")             # inside it: the same folder, visited once
    files, skipped = discover([subs], recursive=True)
    assert files == [subs / "again" / "a.xlsx"] or files == [subs / "q3" / "a.xlsx"]
    reasons = dict((p.name, why) for p, why in skipped)
    assert reasons["up"] == f"outside:{os.path.realpath(tmp_path)}" and reasons.get("q3", reasons.get("again")) == "loop"
    result = run("validate", subs, "-r", "--lang", "en")
    assert "outside.xlsx" not in result.output and "outside the folder given" in result.output
    zh = run("validate", subs, "-r", "--lang", "zh")
    assert "所给文件夹之外的符号链接" in zh.output


def test_18_without_r_the_workbooks_in_sub_folders_are_counted_with_the_hint(tmp_path):
    subs = tmp_path / "subs"
    (subs / "east" / "team-1").mkdir(parents=True)
    shutil.copy(FORECAST, subs / "east" / "a.xlsx")
    shutil.copy(FORECAST, subs / "east" / "team-1" / "b.xlsx")
    (subs / "east" / "notes.txt").write_text("not a workbook", encoding="utf-8")
    en = run("validate", subs, "--lang", "en")
    assert en.exit_code == 2 and "they hold 2 workbooks; add -r (--recursive)" in en.output, en.output
    assert "其中有 2 个工作簿；加 -r（--recursive）" in run("validate", subs, "--lang", "zh").output
    rolled = run("rollup", subs, "-o", tmp_path / "t.xlsx", "--owner", "X", "--level", "team", "--lang", "en")
    assert rolled.exit_code == 2 and "hold 2 workbooks; add -r (--recursive)" in rolled.output, rolled.output
    assert run("validate", subs, "-r", "--lang", "en").exit_code in (0, 1)
    # no hint when they are validated anyway (the sub-folder given too)
    assert "add -r" not in run("validate", subs, subs / "east", subs / "east" / "team-1", "--lang", "en").output


def test_a_report_left_among_the_submissions_is_skipped_and_may_be_replaced(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FUNNEL, subs / "a.xlsx")
    report = subs / "findings.xlsx"
    first = run("validate", subs, "--report", report, "--today", "2026-11-23", "--lang", "en")
    assert first.exit_code == 0 and is_report(report)
    before = sha(subs / "a.xlsx")
    second = run("validate", subs, "--report", report, "--today", "2026-11-23", "--lang", "en")
    assert second.exit_code == 0, second.output
    assert "skipped a kamxl validation report" in second.output
    assert sha(subs / "a.xlsx") == before and is_report(report)
    # a JSON report is recognised by its keys; any other JSON is not
    assert run("validate", subs, "--report", tmp_path / "r.json", "--today", "2026-11-23").exit_code == 0
    assert is_report(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert data["counts"]["files"] == 1 and [f["file"] for f in data["files"]] == [str(subs / "a.xlsx")]
    assert run("validate", subs, "--report", tmp_path / "r.json", "--today", "2026-11-23").exit_code == 0
    # the earlier report named among the files (a shell's *.xlsx): passed over, not an input, replaced
    third = run("validate", *sorted(subs.glob("*.xlsx")), "--report", report, "--today", "2026-11-23", "--lang", "en")
    assert third.exit_code == 0 and "skipped a kamxl validation report" in third.output, third.output
    (tmp_path / "other.json").write_text('{"counts": 1}', encoding="utf-8")
    assert refused(run("validate", subs, "--report", tmp_path / "other.json", "--lang", "en"), "not a kamxl report")


# --- a test per command: what it may write over ---------------------------------------------------
def _setup(tmp_path: Path) -> dict[str, Path]:
    subs = tmp_path / "subs"
    (subs / "old").mkdir(parents=True)
    shutil.copy(FORECAST, subs / "fc.xlsx")
    shutil.copy(FUNNEL, subs / "old" / "nested.xlsx")          # inside an input folder, not found without -r
    shutil.copy(FUNNEL, tmp_path / "filled.xlsx")               # somebody's work
    (tmp_path / "other.xlam").write_bytes(b"somebody's add-in")
    (tmp_path / "quotas.csv").write_text("owner,quota\nX,100\n", encoding="utf-8")
    return {"subs": subs, "input": subs / "fc.xlsx", "nested": subs / "old" / "nested.xlsx",
            "filled": tmp_path / "filled.xlsx", "other.xlam": tmp_path / "other.xlam", "quota": tmp_path / "quotas.csv"}


COMMANDS = {
    # command: (arguments for an output OUT, the inputs' keys, the output's suffix, replaces its own earlier output)
    "new": (lambda p, out: ["new", "funnel", "-o", out], (), ".xlsx", False),
    "portable": (lambda p, out: ["portable", p["input"], "-o", out], ("input",), ".xlsx", False),
    "validate": (lambda p, out: ["validate", p["subs"], "--report", out, "--today", "2026-11-23"], ("subs",), ".xlsx",
                 True),
    "rollup": (lambda p, out: ["rollup", p["subs"], "-o", out, "--owner", "M", "--level", "team", "--quota",
                               p["quota"]], ("subs", "quota"), ".xlsx", True),
    "addin": (lambda p, out: ["addin", "build", "-o", out], (), ".xlam", True),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_command_writes_over_what_is_not_its_own_output(tmp_path, command):
    args, input_keys, suffix, replaces_own = COMMANDS[command]
    p = _setup(tmp_path)
    inputs = hashes(*(p[k] for k in input_keys)) if input_keys else {}

    def ok(result) -> bool:
        return result.exit_code in (0, 1) and "[S-OUTPUT]" not in result.output

    # an existing file that is not kamxl's own output of this kind: only with --force
    other = p["filled"] if suffix == ".xlsx" else p["other.xlam"]
    before = sha(other)
    assert refused(run(*args(p, other), "--lang", "en"), str(other), "--force"), command
    assert sha(other) == before
    assert ok(run(*args(p, other), "--force")), command
    assert sha(other) != before
    # an input, or a workbook inside an input folder: never, not even with --force
    for key in ("input", "nested"):
        if input_keys and (key == "input" or "subs" in input_keys):
            for force in ((), ("--force",)):
                assert refused(run(*args(p, p[key]), "--lang", "en", *force), "is an input"), (command, key, force)
    # a fresh output, then again: replaced without --force only when it is kamxl's own of this kind
    out = tmp_path / f"out{suffix}"
    assert ok(run(*args(p, out)))
    again = run(*args(p, out), "--lang", "en")
    assert ok(again) if replaces_own else refused(again, "already exists"), (command, again.output)
    # every input unchanged, byte for byte
    assert (hashes(*(p[k] for k in input_keys)) if input_keys else {}) == inputs
    assert sha(p["nested"]) == sha(FUNNEL)


def test_check_output_recognises_each_kind_of_kamxl_output(tmp_path):
    assert run("validate", FUNNEL, "--report", tmp_path / "r.xlsx").exit_code in (0, 1)
    assert run("rollup", FORECAST, "-o", tmp_path / "t.xlsx", "--owner", "M", "--level", "team").exit_code == 0
    assert run("addin", "build", "-o", tmp_path / "a.xlam").exit_code == 0
    assert is_report(tmp_path / "r.xlsx") and not is_report(FUNNEL) and not is_report(tmp_path / "t.xlsx")
    assert is_rollup(tmp_path / "t.xlsx") and not is_rollup(FORECAST) and not is_rollup(tmp_path / "r.xlsx")
    assert is_addin(tmp_path / "a.xlam") and not is_addin(FUNNEL)
    # one kind is never taken for another
    with pytest.raises(OutputError):
        check_output(tmp_path / "r.xlsx", "rollup")
    with pytest.raises(OutputError):
        check_output(tmp_path / "t.xlsx", "report")
    assert check_output(tmp_path / "t.xlsx", "rollup") == tmp_path / "t.xlsx"
    with pytest.raises(OutputError) as folder:
        check_output(tmp_path, "report", suffixes=("",))
    assert "is a folder" in folder.value.message("en") and "文件夹" in folder.value.message("zh")


def test_a_damaged_file_is_no_kamxl_output_and_is_kept(tmp_path):
    """Recognition reads only what a damaged package still holds: garbage, a truncated
    report (its directory lost), an empty file are nobody's output, so nothing replaces them
    unasked."""
    assert run("validate", FUNNEL, "--report", tmp_path / "r.xlsx").exit_code in (0, 1)
    whole = (tmp_path / "r.xlsx").read_bytes()
    damaged = {"garbage.xlsx": b"not a zip at all", "truncated.xlsx": whole[: len(whole) // 2],
               "empty.xlsx": b""}
    for name, data in damaged.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert not is_report(path) and not is_rollup(path) and not is_addin(path), name
        with pytest.raises(OutputError):
            check_output(path, "report")
        assert path.read_bytes() == data


@needs_fifo
def test_a_pipe_is_never_opened_to_be_recognised(tmp_path):
    os.mkfifo(tmp_path / "p.xlsx")
    assert not is_report(tmp_path / "p.xlsx") and not is_rollup(tmp_path / "p.xlsx")
    with pytest.raises(OutputError):
        check_output(tmp_path / "p.xlsx", "report")
