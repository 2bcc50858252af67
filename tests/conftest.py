"""Shared fixtures: company configuration files written on the fly."""
from __future__ import annotations

from pathlib import Path

import pytest

from kamxl.methodology import Config, load_config


@pytest.fixture
def company_config(tmp_path: Path):
    """Write a company TOML override and load it: ``company_config('[stages.05]\\nprobability = 0.45')``."""

    def make(text: str) -> Config:
        path = tmp_path / "company.toml"
        path.write_text(text, encoding="utf-8")
        return load_config(path)

    return make


# Hypothesis profiles: the default one in CI; `HYPOTHESIS_PROFILE=fuzz` for long fuzzing runs
# (tests/test_fuzz.py reads it for its example counts; other tests keep their own settings).
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("fuzz", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
