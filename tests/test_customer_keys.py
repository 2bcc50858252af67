"""M-ACC-2 customer identity: generated company names and credit codes.

A Chinese company name is region + trade name (字号) + industry + legal form, and the
region may be written first, in brackets after the trade name or the industry, or after
the legal form. Variants of one company (simplified / traditional / full width, the region
anywhere of these, 北京 or 北京市, legal forms zh and en, English word order) get one key;
different trade names, industries or regions get different keys; a name without a region
is not merged with one that has one. Credit codes decide when both rows have one
(:func:`kamxl.methodology.identify_customers`).
"""
from __future__ import annotations

import opencc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from kamxl.methodology import Customer, customer_key, group_customers, identify_customers, name_key

# Trade names (字号) with their pinyin, none holding a region's name.
TRADES = [("华信", "Huaxin"), ("恒达", "Hengda"), ("瑞丰", "Ruifeng"), ("鼎盛", "Dingsheng"), ("博源", "Boyuan"),
          ("宏图", "Hongtu"), ("众诚", "Zhongcheng"), ("德润", "Derun"), ("汇通", "Huitong"), ("晨光", "Chenguang")]
INDUSTRIES = [("科技", "Technology"), ("电力工程", "Power Engineering"), ("酒店管理", "Hotel Management"),
              ("贸易", "Trading"), ("软件", "Software")]
# (full name, short name, English spellings)
REGIONS = [("北京市", "北京", ["Beijing"]), ("上海市", "上海", ["Shanghai"]), ("广东省", "广东", ["Guangdong",
           "Guangdong Province"]), ("深圳市", "深圳", ["Shenzhen"]), ("内蒙古自治区", "内蒙古", ["Inner Mongolia",
           "Neimenggu"]), ("香港特别行政区", "香港", ["Hong Kong", "Hong Kong SAR"]), ("西安市", "西安", ["Xi'an", "Xian"]),
           ("重庆市", "重庆", ["Chongqing"]), ("苏州市", "苏州", ["Suzhou"]), ("延边朝鲜族自治州", "延边", ["Yanbian"]),
           ("中国", "中国", ["China"])]
ZH_LEGAL = ["有限公司", "股份有限公司", "有限责任公司", "公司", "有限公司 "]
EN_LEGAL = ["Co., Ltd.", "Co. Ltd", "Company Limited", "Ltd.", "Limited", "Inc.", "Corp.", "Corporation", "& Co."]
ZH_PLACES = ["first", "bracket_after_trade", "bracket_after_industry", "bracket_after_legal", "last"]
EN_PLACES = ["first", "bracket_after_name", "bracket_after_legal", "comma_after_legal", "last_before_legal"]

S2T = opencc.OpenCC("s2t")


def full_width(text: str) -> str:
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def zh_name(trade: int, industry: int, region: int | None, *, place: str, full: bool, legal: str,
            brackets: str) -> str:
    t, i = TRADES[trade][0], INDUSTRIES[industry][0]
    if region is None:
        return t + i + legal
    r = REGIONS[region][0 if full else 1]
    o, c = brackets
    return {"first": r + t + i + legal, "bracket_after_trade": f"{t}{o}{r}{c}{i}{legal}",
            "bracket_after_industry": f"{t}{i}{o}{r}{c}{legal}", "bracket_after_legal": f"{t}{i}{legal}{o}{r}{c}",
            "last": t + i + legal + r}[place]


def en_name(trade: int, industry: int, region: int | None, *, place: str, spelling: int, legal: str,
            the: bool) -> str:
    name = f"{TRADES[trade][1]} {INDUSTRIES[industry][1]}"
    start = "The " if the else ""
    if region is None:
        return f"{start}{name} {legal}"
    spellings = REGIONS[region][2]
    r = spellings[spelling % len(spellings)]
    return {"first": f"{start}{r} {name} {legal}", "bracket_after_name": f"{start}{name} ({r}) {legal}",
            "bracket_after_legal": f"{start}{name} {legal} ({r})", "comma_after_legal": f"{start}{name} {legal}, {r}",
            "last_before_legal": f"{start}{name} {r} {legal}"}[place]


@st.composite
def zh_variant(draw: st.DrawFn, company: tuple[int, int, int | None]) -> str:
    name = zh_name(*company, place=draw(st.sampled_from(ZH_PLACES)), full=draw(st.booleans()),
                   legal=draw(st.sampled_from(ZH_LEGAL)), brackets=draw(st.sampled_from(["()", "（）", "【】", "[]"])))
    if draw(st.booleans()):
        name = S2T.convert(name)
    if draw(st.booleans()):
        name = full_width(name)
    return name


@st.composite
def en_variant(draw: st.DrawFn, company: tuple[int, int, int | None]) -> str:
    name = en_name(*company, place=draw(st.sampled_from(EN_PLACES)), spelling=draw(st.integers(0, 3)),
                   legal=draw(st.sampled_from(EN_LEGAL)), the=draw(st.booleans()))
    name = draw(st.sampled_from([name, name.upper(), name.lower()]))
    return full_width(name) if draw(st.booleans()) else name


companies = st.tuples(st.integers(0, len(TRADES) - 1), st.integers(0, len(INDUSTRIES) - 1),
                      st.one_of(st.none(), st.integers(0, len(REGIONS) - 1)))


def variants(company: tuple[int, int, int | None]) -> st.SearchStrategy[str]:
    return st.one_of(zh_variant(company), en_variant(company))


# --- the property: one company, one key; two companies, two keys ---------------------------------

@given(company=companies, data=st.data())
def test_variants_of_one_company_get_one_key_m_acc_2(company, data):
    """M-ACC-2: script, width, the region's place and spelling, legal forms: one key per script."""
    a, b = data.draw(zh_variant(company)), data.draw(zh_variant(company))
    assert name_key(a) == name_key(b), (a, b)
    c, d = data.draw(en_variant(company)), data.draw(en_variant(company))
    assert name_key(c) == name_key(d), (c, d)
    for name in (a, c):
        key = name_key(name)
        assert name_key(key) == key
        assert customer_key(name) == key


@given(one=companies, other=companies, data=st.data())
def test_different_companies_get_different_keys_m_acc_2(one, other, data):
    """M-ACC-2: another trade name, industry or region (or none against one) is another key."""
    if one == other:
        return
    for variant in (zh_variant, en_variant):
        a, b = data.draw(variant(one)), data.draw(variant(other))
        assert name_key(a) != name_key(b), (a, b)


def test_the_issue_examples_meet_m_acc_2():
    """M-ACC-2 (issue 18): the region first, in brackets and after; zh, traditional, full width, en."""
    zh = {name_key(n) for n in ("北京华信科技有限公司", "华信科技(北京)有限公司", "华信科技（北京市）有限公司",
                                  "北京市华信科技有限公司", "華信科技（北京）有限公司", "北京華信科技有限公司",
                                  "ＨＵＡ华信科技（北京）有限公司"[3:], "华信科技有限公司（北京）")}
    assert zh == {"华信科技(北京)"}
    en = {name_key(n) for n in ("Beijing Huaxin Technology Co., Ltd.", "Huaxin Technology (Beijing) Co., Ltd.",
                                  "Huaxin Technology Co., Ltd. (Beijing)", "ＨＵＡＸＩＮ ＴＥＣＨＮＯＬＯＧＹ （ＢＥＩＪＩＮＧ） ＣＯ．， ＬＴＤ．")}
    assert en == {"huaxintechnology(beijing)"}
    assert name_key("上海华信科技有限公司") != name_key("北京华信科技有限公司")
    assert name_key("华信科技有限公司") == "华信科技" != name_key("北京华信科技有限公司")


@pytest.mark.parametrize(("a", "b"), [
    ("北京市政建设集团有限责任公司", "市政建设集团（北京）有限公司"),     # 市政 keeps its 市
    ("西门子（中国）有限公司", "中国西门子有限公司"),
    ("吉林省华信科技有限公司", "华信科技（吉林）有限公司"),
    ("Huaxin Group & Co.", "The Huaxin Group"),
    ("Smith & Sons Ltd", "Smith and Sons Limited"),
])
def test_known_variants_meet_m_acc_2(a, b):
    """M-ACC-2: municipal words, the national region, provinces, '&' and 'The'."""
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("华信北京科技有限公司", "北京华信科技有限公司"),      # a region inside the name, unbracketed, is the name
    ("阿里巴巴网络技术有限公司", "巴巴网络技术（阿里地区）有限公司"),
    ("Beijing City Gas Co., Ltd.", "Gas (Beijing) Co., Ltd."),  # "City" stays in the name
    ("华为技术有限公司北京分公司", "华为技术有限公司"),       # a branch is not its company
    ("Bank of China", "China Bank"),
])
def test_names_that_look_alike_stay_apart_m_acc_2(a, b):
    """M-ACC-2: no over-merging: an unbracketed region inside a name, 阿里 of 阿里巴巴, 'City',
    a branch, 'of'."""
    assert name_key(a) != name_key(b)


def test_regions_are_found_in_every_spelling_m_acc_2():
    """M-ACC-2: full and short names, provinces, municipalities, autonomous regions, SARs, pinyin."""
    assert name_key("广东省华信科技有限公司") == name_key("广东华信科技有限公司") == "华信科技(广东)"
    assert name_key("深圳市华信科技有限公司") == "华信科技(深圳)"
    assert name_key("新疆维吾尔自治区华信贸易有限公司") == "华信贸易(新疆)"
    assert name_key("Huaxin Trading (Guangdong Province) Ltd") == "huaxintrading(guangdong)"
    assert name_key("Inner Mongolia Huaxin Ltd") == name_key("Huaxin (Neimenggu) Ltd") == "huaxin(neimenggu)"


# --- credit codes decide -----------------------------------------------------------------------------

def valid_code(prefix17: str) -> str:
    return prefix17 + uscc.calc_check_digit(prefix17)


CODE_A = valid_code("91110000600037345")
CODE_B = valid_code("91110000600037343")


def test_two_codes_are_two_companies_whatever_their_names_m_acc_2():
    """M-ACC-2 (issue 18): 华信科技有限公司 and 华信科技股份有限公司 with their own codes are two."""
    a, b = Customer("华信科技有限公司", CODE_A), Customer("华信科技股份有限公司", CODE_B)
    assert name_key(a.name) == name_key(b.name)
    assert group_customers([a, b]) == [[a], [b]]


def test_a_name_only_row_joins_the_one_company_of_its_name_m_acc_2():
    """M-ACC-2: a row without a code joins the company whose rows carry its name."""
    a, c = Customer("华信科技有限公司", CODE_A), Customer("华信科技(有限公司)")
    spelled = Customer("Huaxin Tech", CODE_A)
    english = Customer("HUAXIN TECH LTD")
    assert group_customers([a, c, spelled, english]) == [[a, c, spelled, english]]


def test_a_name_only_row_does_not_glue_two_companies_m_acc_2():
    """M-ACC-2: the name of two coded companies: the code-less row is ambiguous, joins neither."""
    a, b = Customer("华信科技有限公司", CODE_A), Customer("华信科技股份有限公司", CODE_B)
    c, d = Customer("华信科技"), Customer("華信科技公司")
    identity = identify_customers([a, c, b, d])
    assert identity.groups == [[a], [c, d], [b]]
    assert identity.ambiguous == [[c, d]]


@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["", "有限公司", "股份有限公司", " Co., Ltd."]),
                          st.sampled_from([None, CODE_A, CODE_B])), max_size=10))
def test_credit_codes_decide_when_both_rows_have_one_m_acc_2(rows):
    """M-ACC-2: in any mix of rows, two rows with different codes are never one customer;
    rows with one code always are; a code-less row is with a coded one only when its name
    belongs to no other code."""
    customers = [Customer(["华信科技", "恒达贸易", "Huaxin"][i] + suffix, code, ref=n)
                 for n, (i, suffix, code) in enumerate(rows)]
    identity = identify_customers(customers)
    group_of = {c.ref: g for g, members in enumerate(identity.groups) for c in members}
    assert sorted(group_of) == list(range(len(customers)))
    for x in customers:
        for y in customers:
            same = group_of[x.ref] == group_of[y.ref]
            if x.code and y.code:
                assert same == (x.code == y.code)
            elif not x.code and y.code:
                codes = {c.code for c in customers if c.code and name_key(c.name) == name_key(x.name)}
                assert same == (codes == {y.code})


# --- the region data ----------------------------------------------------------------------------------

def _regions() -> dict:
    import tomllib
    from importlib import resources
    return tomllib.loads(resources.files("kamxl").joinpath("data/regions.toml").read_text("utf-8"))


def test_the_region_data_has_every_provincial_and_prefecture_level_division_m_acc_2():
    """M-ACC-2: kamxl/data/regions.toml: 34 provincial-level, 333 prefecture-level divisions."""
    data = _regions()
    assert len(data["provinces"]) == 34 and len(data["prefectures"]) == 333
    codes = {p["code"] for p in data["provinces"]}
    assert all(p["in"] in codes for p in data["prefectures"])
    assert len({p["zh"] for p in data["provinces"] + data["prefectures"]}) == 34 + 333


@pytest.mark.parametrize("region", [pytest.param(r, id=r["zh"]) for r in (_regions()["provinces"]
                                                                             + _regions()["prefectures"])])
def test_every_region_is_found_in_every_place_and_spelling_m_acc_2(region):
    """M-ACC-2: each division, full or short, first / in brackets / last, and in pinyin."""
    short = region["short"]
    expected = f"华信科技({short})"
    for name in (f"{region['zh']}华信科技有限公司", f"{short}华信科技有限公司", f"华信科技（{region['zh']}）有限公司",
                 f"华信科技有限公司（{short}）"):
        assert name_key(name) == expected, name
    canonical = region["en"][0].replace(" ", "")
    for spelling in region["en"]:
        for name in (f"{spelling.title()} Huaxin Technology Co., Ltd.", f"Huaxin Technology ({spelling}) Co., Ltd."):
            assert name_key(name) == f"huaxintechnology({canonical})", name
