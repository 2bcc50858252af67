"""Configuration: shipped defaults (M-FUN-1, M-FUN-3, M-SCORE-2, M-ACC-6, M-PLAN-4) and
company overrides that are merged key by key and rejected with the key named."""
from __future__ import annotations

from pathlib import Path

import pytest

from kamxl.errors import ConfigError
from kamxl.methodology import default_config, load_config


def test_default_stage_table_is_the_methodology_default_m_fun_1():
    cfg = default_config()
    assert [s.code for s in cfg.stages] == ["01", "02", "03", "04", "05", "06", "07", "08"]
    assert [s.probability for s in cfg.stages[:7]] == [0.10, 0.20, 0.30, 0.40, 0.50, 0.70, 0.80]
    assert (cfg.outcome.won_probability, cfg.outcome.lost_probability) == (1.0, 0.0)
    assert cfg.stage(5).label("en") == "05 Shortlist/Bid"
    assert cfg.stage(5).label("zh") == "05 进入短名单"


def test_default_thresholds_m_score_2_m_fun_3_m_acc_6_m_plan_4():
    cfg = default_config()
    assert cfg.scoring.threshold == 10 and cfg.scoring.late_stage == 5
    assert (cfg.health.good_from, cfg.health.excellent_above) == (0.70, 1.00)
    assert cfg.evaluation.weights == {"contribution": 0.40, "potential": 0.35, "satisfaction": 0.25}
    assert cfg.evaluation.classes == {"A": 80, "B": 60, "C": 40}
    assert (cfg.selling_points.uniqueness_min, cfg.selling_points.value_min) == (7, 7)


def test_company_file_overrides_only_what_it_names(company_config):
    cfg = company_config('[stages.05]\nprobability = 0.45\n[stages.05.name]\nzh = "入围"\nen = "Shortlisted"\n'
                         "[scoring]\nthreshold = 12\n")
    assert cfg.stage(5).probability == 0.45 and cfg.stage(5).label("zh") == "05 入围"
    assert cfg.stage(4).probability == 0.40 and cfg.stage(6).label("en") == "06 Selected/Bid won"
    assert cfg.scoring.threshold == 12 and cfg.scoring.late_stage == 5
    assert cfg.sources[-1].endswith("company.toml")


@pytest.mark.parametrize(("text", "key"), [
    ("[health]\ngood_fro = 0.6\n", "health.good_fro"),
    ("[stages.09]\nprobability = 0.9\n", "stages.09"),
    ("[stages.05]\nprobability = 1.5\n", "stages.05.probability"),
    ("[stages.05]\nprobability = 0.85\n", "stages.06.probability"),       # would fall after stage 05
    ('[stages.05]\nname = "入围"\n', "stages.05.name"),                    # must give zh and en
    ('[stages.05.name]\nzh = " "\n', "stages.05.name"),                    # blank label
    ("[scoring]\nthreshold = 10.5\n", "scoring.threshold"),
    ("[scoring]\nthreshold = true\n", "scoring.threshold"),
    ("[health]\ngood_from = 1.2\n", "health.good_from"),                   # above excellent_above
    ("[evaluation]\nweights = { contribution = 0.5, potential = 0.35, satisfaction = 0.25 }\n",
     "evaluation.weights"),
    ("[evaluation]\nweights = { contribution = 0.5, potential = 0.5 }\n", "evaluation.weights"),
    ("[evaluation]\nclasses = { A = 50, B = 60, C = 40 }\n", "evaluation.classes"),
    ("[selling_points]\nuniqueness_min = 11\n", "selling_points.uniqueness_min"),
    ('[forecast]\nperiod = "week"\n', "forecast.period"),
    ('[forecast]\ncurrency = "rmb"\n', "forecast.currency"),
    ("scoring = 3\n", "scoring"),
])
def test_invalid_company_file_is_rejected_naming_the_key(company_config, text, key):
    with pytest.raises(ConfigError) as caught:
        company_config(text)
    err = caught.value
    assert err.code == "S-CONFIG" and err.where.key == key
    assert err.where.file and err.where.file.endswith("company.toml")
    for lang in ("zh", "en"):
        assert key in err.message(lang) and "company.toml" in err.message(lang)
    assert err.message("zh") != err.message("en")


def test_unreadable_company_file_names_the_file(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text("[stages.05\nprobability = ", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "broken.toml" in caught.value.message("en")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.toml")
    assert "missing.toml" in caught.value.message("zh")


def test_shipped_defaults_file_is_valid_as_a_company_file():
    # The defaults file itself must pass the validator that company files pass.
    from importlib import resources

    path = resources.files("kamxl").joinpath("data/defaults.toml")
    assert load_config(Path(str(path))).stages == default_config().stages


def test_per_file_ceilings_default_override_and_reject(company_config, tmp_path):
    from click.testing import CliRunner

    from kamxl.cli import main

    assert (default_config().ceilings.file_seconds, default_config().ceilings.file_memory_mb) == (60, 2048)
    cfg = company_config("[limits]\nfile_seconds = 5\nfile_memory_mb = 0\n")
    assert (cfg.ceilings.file_seconds, cfg.ceilings.file_memory_mb) == (5, 0)
    for text, key in (("[limits]\nfile_seconds = -1\n", "limits.file_seconds"),
                      ("[limits]\nfile_memory_mb = 10\n", "limits.file_memory_mb"),
                      ("[limits]\nfile_memory_mb = 1.5\n", "limits.file_memory_mb"),
                      ("[limits]\nseconds = 5\n", "limits.seconds")):
        with pytest.raises(ConfigError) as raised:
            company_config(text)
        assert raised.value.where.key == key and raised.value.message("zh") != raised.value.message("en")
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    result = CliRunner().invoke(main, ["validate", str(bad), "--file-memory", "10"])
    assert result.exit_code == 2 and "--file-memory" in result.output


# --- one rule for the command line and the worksheet functions (issue 15, item 11) ----------------

@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No company file anywhere: an empty home, no KAMXL_CONFIG."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KAMXL_CONFIG", raising=False)
    return home


def _cli(*args: str):
    from click.testing import CliRunner

    from kamxl.cli import main

    return CliRunner().invoke(main, list(args))


def test_config_show_follows_kamxl_config_as_the_worksheet_functions_do(nowhere, tmp_path, monkeypatch):
    from udfs.kam import KAM_STAGE_PROB, KAM_VALUE_LEVEL

    good = tmp_path / "good.toml"
    good.write_text("[scoring]\nthreshold = 12\n[stages.05]\nprobability = 0.45\n", encoding="utf-8")
    monkeypatch.setenv("KAMXL_CONFIG", str(good))
    shown = _cli("config", "show", "--lang", "en")
    assert shown.exit_code == 0, shown.output
    assert str(good) in shown.stdout and "KAMXL_CONFIG" in shown.stdout
    stage_05 = next(line for line in shown.stdout.splitlines() if "05 Shortlist/Bid" in line)
    assert "> 12" in shown.stdout and "45%" in stage_05 and "50%" not in stage_05
    # the worksheet functions judge by the same file
    assert KAM_STAGE_PROB("05") == 0.45 and KAM_VALUE_LEVEL(11, None, "en") == "normal value"


def test_the_home_company_file_counts_for_the_command_line_too(nowhere):
    from kamxl.methodology import active_config, config_source, effective_config

    company = nowhere / ".kamxl" / "company.toml"
    company.parent.mkdir()
    company.write_text("[health]\ngood_from = 0.6\n", encoding="utf-8")
    assert config_source().path == company and effective_config() == active_config()
    assert active_config().health.good_from == 0.6
    shown = _cli("config", "show", "--lang", "zh")
    assert shown.exit_code == 0 and str(company) in shown.stdout and "≥ 60%" in shown.stdout


def test_an_explicit_file_comes_first_then_kamxl_config_then_home_then_defaults(nowhere, tmp_path, monkeypatch):
    from kamxl.methodology import config_source, effective_config

    def company(name: str, threshold: int) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[scoring]\nthreshold = {threshold}\n", encoding="utf-8")
        return path

    assert config_source().origin == "defaults" and effective_config() == default_config()
    home = company("home/.kamxl/company.toml", 11)
    assert (config_source().origin, effective_config().scoring.threshold) == ("home", 11)
    env = company("env.toml", 12)
    monkeypatch.setenv("KAMXL_CONFIG", str(env))
    assert (config_source().origin, effective_config().scoring.threshold) == ("env", 12)
    explicit = company("explicit.toml", 13)
    assert (config_source(explicit).origin, effective_config(explicit).scoring.threshold) == ("option", 13)
    assert home.is_file()
    with pytest.raises(ConfigError):            # a file named explicitly must exist
        effective_config(tmp_path / "absent.toml")


@pytest.mark.parametrize("command", ["demo", "new", "portable", "validate", "rollup", "config show", "config check"])
def test_every_command_reads_the_configuration_in_effect(nowhere, tmp_path, monkeypatch, command):
    bad = tmp_path / "company.toml"
    bad.write_text("[scoring]\nthreshhold = 12\n", encoding="utf-8")
    monkeypatch.setenv("KAMXL_CONFIG", str(bad))
    some = tmp_path / "some.xlsx"
    some.write_bytes(b"")
    args = {
        "demo": ["demo", "--out", str(tmp_path / "demo")],
        "new": ["new", "funnel", "-o", str(tmp_path / "new.xlsx")],
        "portable": ["portable", str(some), "-o", str(tmp_path / "p.xlsx")],
        "validate": ["validate", str(some)],
        "rollup": ["rollup", str(some), "-o", str(tmp_path / "r.xlsx"), "--owner", "x", "--level", "team"],
        "config show": ["config", "show"],
        "config check": ["config", "check"],
    }[command]
    result = _cli(*args, "--lang", "en")
    assert result.exit_code == 2, result.output
    assert "scoring.threshhold" in result.output and "company.toml" in result.output
    assert not (tmp_path / "demo").exists() and not (tmp_path / "new.xlsx").exists()


@pytest.mark.parametrize(("lang", "words"), [("zh", "没有设置任何项"), ("en", "sets nothing")])
def test_an_empty_company_file_is_said_to_set_nothing(nowhere, tmp_path, monkeypatch, lang, words):
    empty = tmp_path / "company.toml"
    empty.write_text("# nothing yet\n[scoring]\n", encoding="utf-8")
    monkeypatch.setenv("KAMXL_CONFIG", str(empty))
    for args in (["config", "show"], ["config", "check", str(empty)], ["new", "funnel", "-o", str(tmp_path / "f.xlsx")]):
        result = _cli(*args, "--lang", lang)
        assert result.exit_code == 0, result.output
        assert words in result.stderr and str(empty) in result.stderr and words not in result.stdout
    other = {"zh": "sets nothing", "en": "没有设置任何项"}[lang]
    assert other not in result.stderr
    full = tmp_path / "full.toml"
    full.write_text("[scoring]\nthreshold = 12\n", encoding="utf-8")
    assert _cli("config", "show", "--config", str(full), "--lang", lang).stderr == ""


def test_a_kamxl_config_naming_no_file_is_said_and_the_defaults_apply(nowhere, tmp_path, monkeypatch):
    monkeypatch.setenv("KAMXL_CONFIG", str(tmp_path / "typo.toml"))
    result = _cli("config", "show", "--lang", "en")
    assert result.exit_code == 0 and "typo.toml" in result.stderr and "defaults" in result.stdout
    assert "50%" in result.stdout


def test_config_show_names_every_setting_in_the_chosen_language(nowhere):
    import tomllib
    from importlib import resources

    from kamxl.config_view import SETTINGS

    defaults = tomllib.loads(resources.files("kamxl").joinpath("data/defaults.toml").read_text("utf-8"))
    leaves = {f"{section}.{key}" for section, table in defaults.items()
              if section != "stages" and isinstance(table, dict) for key in table}
    leaves = {k for k in leaves if k != "evaluation.classes"} | {f"evaluation.classes.{c}" for c in "ABC"}
    leaves |= {name for name, rules in defaults.items() if isinstance(rules, list)}   # [[territory]] (M-TEAM-2)
    assert {k for s in SETTINGS for k in s.keys} == leaves
    shown = {lang: _cli("config", "show", "--lang", lang).stdout for lang in ("zh", "en")}
    for setting in SETTINGS:
        for lang in ("zh", "en"):
            assert setting.label(lang, last="08") in shown[lang]
    for stage in default_config().stages:
        assert stage.label("zh") in shown["zh"] and stage.duty("en") in shown["en"]
    assert "built-in defaults" in shown["en"] and "内置默认值" in shown["zh"]
    assert "季度" in shown["zh"] and "quarter" in shown["en"] and "2048 MB" in shown["en"]


def test_territory_rules_and_the_evaluation_period_are_shown_and_marked(nowhere, company_config):
    """M-TEAM-2, M-ACC-5: config show lists each territory rule in the order it applies."""
    from kamxl.config_view import describe

    cfg = company_config('[register]\nevaluation_valid_days = 180\n[[territory]]\nregion = "华东"\n'
                         'account_manager = "李娜"\n[[territory]]\nindustry = "制造"\naccount_manager = "张伟"\n')
    assert set(cfg.overridden) == {"register.evaluation_valid_days", "territory"}
    zh, en = "\n".join(describe(cfg, "zh")), "\n".join(describe(cfg, "en"))
    assert "* 客户分类评估的有效天数，超过即逾期（M-ACC-5）：180 天" in zh
    assert "区域 华东、行业 任意 → 李娜；区域 任意、行业 制造 → 张伟" in zh
    assert "region 华东, industry any → 李娜; region any, industry 制造 → 张伟" in en
    assert "none set  [territory]" in "\n".join(describe(default_config(), "en"))


def test_what_a_company_file_sets_is_marked(nowhere, company_config, tmp_path):
    from kamxl.config_view import describe

    cfg = company_config('[stages.05]\nprobability = 0.45\n[evaluation]\nclasses = { A = 85 }\n')
    assert set(cfg.overridden) == {"stages.05.probability", "evaluation.classes.A"}
    lines = describe(cfg, "en")
    marked = [line for line in lines if line.startswith(("*", " *"))]
    assert len(marked) == 3 and "05 Shortlist/Bid" in marked[0] and "A ≥ 85" in marked[1]
    assert company_config("").overridden == () and default_config().overridden == ()
