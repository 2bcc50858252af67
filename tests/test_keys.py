"""The spellings table the portable edition looks cells up in (kamxl/templates/keys.py):
every dropdown choice is in it, each spelling has one meaning, and that meaning is the
one kamxl's own parsers give — for the default stage table and a company's own."""
from __future__ import annotations

import pytest

from kamxl.methodology import default_config, load_config, parse_stage
from kamxl.methodology.values import parse_yes_no
from kamxl.methodology.vocabulary import FORECAST_CATEGORY, RELATIONSHIP_LEVEL, STATUS
from kamxl.templates.keys import SEP, Error, columns, full_width, spellings


@pytest.fixture(params=["default", "company"])
def config(request, tmp_path):
    if request.param == "default":
        return default_config()
    company = tmp_path / "company.toml"
    company.write_text('[stages.05]\nname = { zh = "投标", en = "Bid" }\nprobability = 0.45\n', encoding="utf-8")
    return load_config(company)


def _names(config) -> dict[str, list[object]]:
    out = {}
    for column in columns(config):
        for name, (first, last) in column.names.items():
            out[name] = column.cells[first:last + 1]
    return out


def test_every_dropdown_choice_is_recognised(config):
    names = spellings(config)
    for stage in config.stages:
        for lang in ("zh", "en"):
            assert (stage.label(lang) + SEP).casefold() in names[f"Kam_Stage_{stage.number}"]
    for vocabulary, prefix in ((STATUS, "Kam_Status_"), (FORECAST_CATEGORY, "Kam_Cat_")):
        for term in vocabulary.terms:
            wanted = {(term.label(lang) + (SEP if vocabulary is STATUS else "")).casefold() for lang in ("zh", "en")}
            assert wanted <= names[prefix + term.key], term.key
    assert {t.label(lang).casefold() for t in RELATIONSHIP_LEVEL.terms for lang in ("zh", "en")} <= names["Kam_RelKeys"]
    assert {"是", "y", "否", "n", "true", "false", full_width("y")} <= names["Kam_Yes"] | names["Kam_No"]


def test_each_spelling_means_one_thing_and_what_the_parsers_say(config):
    names = _names(config)
    stages = [(s, n) for s, n in zip(names["Kam_StageKeys"], names["Kam_StageNo"]) if s != SEP]
    seen = {}
    for spelling, number in stages:
        assert seen.setdefault(spelling.casefold(), number) == number, spelling
        assert parse_stage(spelling[:-1], config=config).number == number, spelling
    assert not {s.casefold() for s in names["Kam_Yes"]} & {s.casefold() for s in names["Kam_No"]}
    assert all(parse_yes_no(s) is True for s in names["Kam_Yes"])
    assert all(parse_yes_no(s) is False for s in names["Kam_No"])


def test_the_probability_table_is_the_stage_table(config):
    names = _names(config)
    block = [c for c in columns(config) if c.title.startswith("Kam_Prob")]
    rows = list(zip(*(c.cells for c in block)))
    assert len(rows) == len(names["Kam_StageKeys"]) + 1          # the last row: an unknown stage
    assert rows[-1] == (Error("#VALUE!"),) * 4 and rows[0] == (Error("#N/A"),) * 4   # and a blank one
    for spelling, (open_, won, lost, unknown) in zip(names["Kam_StageKeys"][1:], rows[1:]):
        stage = parse_stage(spelling[:-1], config=config)
        assert (won, lost, unknown) == (config.outcome.won_probability, config.outcome.lost_probability,
                                         Error("#VALUE!"))
        assert open_ == (Error("#VALUE!") if stage.number == len(config.stages) else stage.probability)
