"""Errors carry a stable code, a bilingual message and a location, and survive pickling
(worker processes send them back to the parent)."""
from __future__ import annotations

import pickle

import pytest

from kamxl import ConfigError, InputError, KamxlError, SetupError
from kamxl.i18n import Text, check_lang, default_lang
from kamxl.methodology import parse_stage


def test_location_is_added_without_losing_what_was_known():
    with pytest.raises(InputError) as caught:
        parse_stage("09")
    err = caught.value.at(file="funnel.xlsx", sheet="商机", cell="G7")
    assert err.message("en").startswith("[funnel.xlsx] 商机!G7: '09' is not a stage")
    assert err.message("zh").startswith("[funnel.xlsx] 商机!G7: '09' 不是有效的阶段")
    assert err.at(cell="G8").where.file == "funnel.xlsx"


def test_errors_pickle_with_every_field():
    err = ConfigError("S-CONFIG", Text("坏 {x}", "bad {x}"), {"x": 1}).at(file="c.toml", key="health.good_from")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ConfigError and back.message("en") == "[c.toml] health.good_from: bad 1"


def test_hierarchy():
    assert issubclass(ConfigError, InputError) and issubclass(InputError, KamxlError)
    assert issubclass(InputError, ValueError) and issubclass(SetupError, OSError)
    assert not issubclass(SetupError, InputError)


@pytest.mark.parametrize(("env", "lang"), [({"KAMXL_LANG": "zh"}, "zh"), ({"LANG": "zh_CN.UTF-8"}, "zh"),
                                           ({"LANG": "en_GB.UTF-8"}, "en"), ({}, "en")])
def test_default_language(monkeypatch, env, lang):
    for var in ("KAMXL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert default_lang() == lang


def test_check_lang():
    assert check_lang("zh-CN") == "zh" and check_lang("EN") == "en"
    with pytest.raises(ValueError):
        check_lang("fr")
