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
