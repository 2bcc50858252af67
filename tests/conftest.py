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
