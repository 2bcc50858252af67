"""The rule reference (docs/methodology.md, docs/methodology.zh.md) and the rule table it is
generated from (kamxl.methodology.rules): in step with each other and with the code."""
from __future__ import annotations

import re

import pytest

from kamxl.checks import funnel as funnel_checks
from kamxl.methodology.rules import AREAS, RULES, SEEDS, cited
from kamxl.rule_sites import Cell, Code, mentioned, sites
from kamxl.rules_doc import FILES, _default, render, stale
from kamxl.schema import FUNNEL
from tests.language import ROOT, foreign

DOCS = ROOT / "docs"


def test_the_committed_reference_is_what_the_generator_writes():
    assert stale(DOCS) == [], "run `python -m kamxl.rules_doc` and commit docs/methodology*.md"


def test_every_id_the_code_cites_is_in_the_rule_table():
    missing = {rule: files for rule, files in mentioned().items() if rule not in RULES}
    assert missing == {}


def test_every_rule_in_the_table_is_used_by_a_function_a_template_or_a_check():
    used = sites()
    unused = [r.id for r in RULES.values()
              if not used.get(r.id) and not (r.parts and all(used.get(p) for p in r.parts))]
    assert unused == [], f"documented but used nowhere: {unused}"


def test_a_rule_made_of_others_names_rules_of_the_table():
    assert all(p in RULES and p != r.id for r in RULES.values() for p in r.parts)
    assert any(r.parts for r in RULES.values())


def test_ranges_and_lists_of_ids_are_spelled_out():
    assert cited("M-FC-2..5, M-SCORE-3/4 and S-VALUE-YESNO; M-FC-3 again") == [
        "M-FC-2", "M-FC-3", "M-FC-4", "M-FC-5", "M-SCORE-3", "M-SCORE-4", "S-VALUE-YESNO"]
    assert cited("an ``S-…`` rule, SHA-256, M-SCORE checks, UTF-8") == []


def test_a_finding_is_found_with_its_severity_and_message():
    found = sites()["M-FUN-4"].code
    assert Code("kamxl/checks/funnel.py", "check", "finding", "error", funnel_checks.OPEN_AT_08) in found
    assert Code("kamxl/checks/funnel.py", "check", "finding", "warning", funnel_checks.CLOSED_EARLY) in found


def test_a_flag_is_found_at_its_column_with_its_legend():
    sheet = FUNNEL.sheets[0]
    table = sheet.blocks[0]
    flag = next(f for f in table.flags if f.rule == "M-REL-5")
    assert Cell(FUNNEL.title, (sheet.name, table.title, table.column("coach").header), flag.legend) \
        in sites()["M-REL-5"].cells


def test_a_worksheet_function_is_found_by_the_rules_its_description_cites():
    assert {f.name for f in sites()["M-SCORE-3"].functions} == {"KAM_SCORE"}
    assert "KAM_SCORE" in {f.name for f in sites()["M-SCORE-1"].functions}      # cited as M-SCORE-1..3


def test_every_setting_is_a_key_of_the_configuration():
    for rule in RULES.values():
        for key in rule.settings:
            _default(key)                    # a KeyError names the key the configuration does not have


def test_every_source_names_a_seed_document():
    refs = [ref for r in RULES.values() for ref in r.seeds]
    assert all(re.fullmatch(r"\d{3}( §\d)?", ref) and ref[:3] in SEEDS for ref in refs)
    assert all(r.seeds and r.statement for r in RULES.values() if r.id.startswith("M-"))


def test_every_rule_belongs_to_an_area():
    assert {r.area for r in RULES.values()} == set(AREAS)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_title_and_statement_is_wholly_in_its_language(lang):
    texts = [(r.id, t) for r in RULES.values() for t in (r.title, r.statement) if t is not None]
    assert [(rule, word) for rule, text in texts for word in foreign(getattr(text, lang), lang)] == []
    if lang == "zh":     # no Latin full stop (a dot between digits or in a code is not one)
        assert [rule for rule, text in texts if re.search(r"\.(?![\d.])|(?<=\.)\.", text.zh)] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reference_names_every_rule_in_both_languages(lang):
    text = render(lang)
    assert all(f'<a id="{rule}"></a>' in text for rule in RULES)
    other = "en" if lang == "zh" else "zh"
    assert f"({FILES[other]})" in text


def test_the_readme_points_at_the_reference_and_not_at_the_teams_notes():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "(docs/methodology.md)" in readme and "(docs/methodology.zh.md)" in readme
    assert "../shared" not in readme


def test_kamxl_rules_lists_every_rule_and_prints_one_in_full():
    from click.testing import CliRunner

    from kamxl.cli import main

    listed = CliRunner().invoke(main, ["rules", "--lang", "en"])
    assert listed.exit_code == 0 and all(rule in listed.output for rule in RULES)
    assert "M-FUN-3  Stage health" in listed.output
    one = CliRunner().invoke(main, ["rules", "m-fun-3", "--lang", "zh"])
    assert one.exit_code == 0 and RULES["M-FUN-3"].statement.zh in one.output and "`health.good_from`" in one.output
    unknown = CliRunner().invoke(main, ["rules", "M-FUN-99", "--lang", "zh"])
    assert unknown.exit_code == 2 and "没有规则 M-FUN-99" in unknown.output


def test_every_setting_the_configuration_ties_to_a_rule_is_among_that_rules_settings():
    """defaults.toml names the rule of a section or key in its comment: ``[health]  # M-FUN-3``
    (one of the rule's settings is in the section), ``late_stage = 5  # … (M-SCORE-4)`` (that key)."""
    section, missing = "", []
    for line in (ROOT / "kamxl" / "data" / "defaults.toml").read_text("utf-8").splitlines():
        head = re.match(r"\[([\w.]+)\]\s*(?:#(.*))?$", line)
        pair = re.match(r"(\w+)\s*=[^#]*#(.*)$", line)
        if head:
            section = head.group(1).split(".")[0]
            missing += [(rule, section) for rule in cited(head.group(2) or "")
                        if not any(s == section or s.startswith(section + ".") for s in RULES[rule].settings)]
        elif pair:
            key = f"{section}.{pair.group(1)}" if section else pair.group(1)
            missing += [(rule, key) for rule in cited(pair.group(2)) if key not in RULES[rule].settings]
    assert missing == [], f"(rule, setting) the configuration ties together but the rule table does not: {missing}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reference_is_wholly_in_its_language(lang):
    """Anchors, comments, link targets and code aside; the link to the other language's file
    is named in that language."""
    other = "en" if lang == "zh" else "zh"
    text = render(lang).replace(f"[{FILES[other]}]", "")
    text = re.sub(r'<a id="[^"]*"></a>|<!--.*?-->|\]\([^)]*\)|`[^`]*`|^(English|中文): ', "", text, flags=re.M)
    assert sorted(set(foreign(text, lang))) == []
