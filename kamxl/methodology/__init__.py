"""The key-account methodology of shared/METHODOLOGY.md as pure functions.

No spreadsheet library is imported here: cells come in as Python values and results
go out as Python values, so the same rules serve the worksheet functions, the batch
validator, the roll-up and the tests. Each function's docstring names its ``M-…`` rule.
"""
from __future__ import annotations

from kamxl.methodology.accounts import (
    Customer, Evaluation, Identity, account_class, credit_code, customer_key, evaluate_account, group_customers,
    identify_customers, name_key,
)
from kamxl.methodology.config import (
    Config, ConfigSource, Stage, active_config, company_config_path, config_source, default_config, effective_config,
    load_config,
)
from kamxl.methodology.forecast import (
    Duplicate, Opportunity, find_duplicates, is_forecastable, parse_confirmed, parse_period, period_of, same_owner,
)
from kamxl.methodology.funnel import (
    Deal, StageHealth, health_band, health_ratio, parse_stage, parse_status, stage_health, stage_probability,
    summarize, weighted_amount,
)
from kamxl.methodology.relationships import TopTenCheck, chain_top, check_top_ten, level_ordinal, parse_level
from kamxl.methodology.scoring import (
    DIMENSIONS, QUESTIONS, Score, low_value_late, parse_answer, parse_answers, score, value_level,
)
from kamxl.methodology.selling_points import is_buying_point

__all__ = [
    "Config", "ConfigSource", "Customer", "active_config", "company_config_path", "config_source", "effective_config",
    "DIMENSIONS", "Deal", "Duplicate", "Evaluation", "Opportunity", "QUESTIONS", "Score",
    "Stage", "StageHealth", "TopTenCheck", "account_class", "chain_top", "check_top_ten", "credit_code",
    "customer_key", "default_config", "evaluate_account", "find_duplicates", "group_customers", "health_band",
    "Identity", "identify_customers",
    "health_ratio", "is_buying_point", "is_forecastable", "parse_period", "level_ordinal", "load_config", "low_value_late",
    "name_key", "parse_answer", "parse_answers", "parse_confirmed", "parse_level", "parse_stage", "parse_status",
    "period_of", "same_owner", "score", "stage_health", "stage_probability", "summarize", "value_level", "weighted_amount",
]
