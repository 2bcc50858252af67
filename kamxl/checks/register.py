"""The customer register (客户登记): its own checks, and funnels, forecasts and plans against it.

:func:`check` (the register on its own): a customer registered twice (M-ACC-2), an invalid
credit code (M-ACC-2), no account manager (M-ACC-3), not classified or an evaluation older
than the company's ``[register] evaluation_valid_days`` (M-ACC-5), an account manager the
territory rules give to someone else (M-TEAM-2), and the history (M-ACC-4): in date order,
of registered customers only, each field's latest entry equal to its current value.

:func:`against` (``kamxl validate --register``): the customers a funnel, forecast or
account plan works, looked up in the register's :class:`Index` (read once per batch): a
customer not registered (M-ACC-2: register it, create only if absent), assigned to another
account manager than the file's owner (M-ACC-3), worked in the funnel while not classified
or with an overdue evaluation (M-ACC-5, M-ACC-6).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from kamxl.checks import Context
from kamxl.errors import InputError
from kamxl.findings import Finding, Severity
from kamxl.i18n import Text
from kamxl.io.reader import Record
from kamxl.methodology.accounts import NO_NAME, Customer, credit_code, group_customers, name_key
from kamxl.methodology.forecast import same_owner
from kamxl.methodology.territory import describe, rule_for
from kamxl.methodology.values import fold, is_blank, parse_date
from kamxl.methodology.vocabulary import ACCOUNT_CLASS, CUSTOMER_SOURCE, Vocabulary
from kamxl.schema.register import CUSTOMERS

TWICE = Text("客户重复登记：与第 {first} 行（{other}）为同一客户", "customer registered twice: the same customer as row "
             "{first} ({other})")
TWICE_FIX = Text("保留一行，把本行的新信息补充到那一行并记入变更记录", "keep one row: add this row's new information to it "
                 "and record the change in the history")
BAD_CODE_FIX = Text("核对营业执照上的 18 位代码；不知道就留空", "check the 18 characters on the business licence; "
                    "leave it blank if unknown")
NO_MANAGER = Text("客户“{customer}”没有客户经理", "customer '{customer}' has no account manager")
NO_MANAGER_FIX = Text("按公司区域规则分配一位负责的客户经理", "assign one responsible account manager by the company's "
                      "territory rules")
UNCLASSIFIED = Text("客户“{customer}”尚未分类评估", "customer '{customer}' is not classified yet")
UNCLASSIFIED_FIX = Text("管理商机之前先分类评估并填写等级和评估日期", "evaluate it and fill in the class and evaluation "
                        "date before working its opportunities")
NO_DATE = Text("客户“{customer}”已分类但没有评估日期", "customer '{customer}' is classified but has no evaluation date")
NO_DATE_FIX = Text("填写最近一次分类评估的日期", "fill in the date of the latest evaluation")
OVERDUE = Text("客户“{customer}”的分类评估（{evaluated}）已超过 {days} 天", "the evaluation of customer '{customer}' "
               "({evaluated}) is older than {days} days")
OVERDUE_FIX = Text("重新分类评估，更新等级和评估日期并记入变更记录", "evaluate it again, update the class and date and "
                   "record the change in the history")
TERRITORY = Text("客户经理为{manager}，但区域规则（{assignment}）分配给{expected}",
                 "the account manager is {manager}, but the territory rule ({assignment}) assigns {expected}")
TERRITORY_FIX = Text("按规则改派并记入变更记录，或请管理员修改公司区域规则",
                     "reassign the customer by the rule and record it in the history, or have the company's "
                     "territory rules changed")
HISTORY_ORDER = Text("变更记录不按日期顺序：{date} 早于上方的 {latest}", "history out of date order: {date} is before "
                     "{latest} above it")
HISTORY_ORDER_FIX = Text("变更只在末尾追加，不改写或插入旧行", "append changes at the end; never rewrite or insert rows")
HISTORY_UNKNOWN = Text("变更记录中的客户“{customer}”不在登记表中", "the history changes customer '{customer}', who "
                       "is not in the register")
HISTORY_UNKNOWN_FIX = Text("先登记该客户，或更正客户名称", "register the customer first, or correct the name")
DISAGREES = Text("“{field}”当前为 {current}，而变更记录第 {row} 行（{date}）的最新值为 {new}",
                 "'{field}' is {current}, but the latest history entry (row {row}, {date}) says {new}")
DISAGREES_FIX = Text("每次变更都在变更记录追加一行，并同时更新登记表", "record every change as a new history row "
                     "and update the register with it")
EMPTY = Text("（空）", "(blank)")

# --- against the register (kamxl validate --register) -------------------------------------------
NOT_REGISTERED = Text("客户“{customer}”不在客户登记 {register} 中", "customer '{customer}' is not in the customer "
                      "register {register}")
NO_NAME_FIX = Text("写出客户的全称", "write the customer's full name")
AMBIGUOUS = Text("客户“{customer}”没有统一社会信用代码，而客户登记 {register} 中有 {n} 家公司叫这个名称（第 {rows} 行）",
                 "customer '{customer}' has no credit code, and {n} companies in the register {register} go by "
                 "that name (rows {rows})")
AMBIGUOUS_FIX = Text("填写统一社会信用代码，以确定是哪一家", "give the credit code, so it is clear which company it is")
OTHER_NAME = Text("统一社会信用代码 {code} 在客户登记 {register} 第 {row} 行属于“{registered}”，而此处写的是“{customer}”",
                  "credit code {code} belongs to '{registered}' in the register {register} (row {row}), but this "
                  "row names '{customer}'")
OTHER_NAME_FIX = Text("核对代码与名称：代码填错就改正代码；客户已改名就在登记表中改用新名称，并在变更记录中追加一行（登记项为客户名称）",
                      "check code and name: correct a mistyped code; if the customer was renamed, use the new "
                      "name in the register and add a history row for it (field: customer)")
NOT_REGISTERED_FIX = Text("先在客户登记中查找，确实没有再登记并分配客户经理（不要重复新建）",
                          "search the register first; register it only if absent, with its account manager "
                          "(never create it twice)")
OTHER_MANAGER = Text("客户“{customer}”在客户登记 {register} 第 {row} 行分配给{manager}，而非{owner}",
                     "customer '{customer}' is assigned to {manager} in the register {register} (row {row}), "
                     "not to {owner}")
OTHER_MANAGER_FIX = Text("与客户经理{manager}协调，或经批准改派并记入登记表的变更记录",
                         "agree it with {manager}, or have it reassigned and recorded in the register's history")
WORKED_UNCLASSIFIED = Text("客户“{customer}”在客户登记 {register} 第 {row} 行尚未分类评估，却已在管理商机",
                           "customer '{customer}' is not classified in the register {register} (row {row}), yet its "
                           "opportunity is worked")
WORKED_OVERDUE = Text("客户“{customer}”在客户登记 {register} 第 {row} 行的分类评估（{evaluated}）已超过 {days} 天",
                      "the evaluation of customer '{customer}' in the register {register} (row {row}, {evaluated}) "
                      "is older than {days} days")


def check(ctx: Context) -> list[Finding]:
    rows = [(r, t) for r, t in ctx.rows("Customers") if not is_blank(r.values.get("customer"))]
    found = _duplicates(ctx, rows)
    for record, t in rows:
        found += _row(ctx, record, t)
    return found + _history(ctx, rows)


def _code(value: object) -> str | None:
    """The valid credit code, None when blank or invalid (an invalid one is its own finding)."""
    try:
        return credit_code(value)
    except InputError:
        return None


def _duplicates(ctx: Context, rows: list[tuple[Record, dict]]) -> list[Finding]:
    """M-ACC-2: every row after the first of one customer (a row with an invalid code or a name
    with no letters is left out: it has no key until it is corrected)."""
    found = [ctx.at(r, "customer", "M-ACC-2", Severity.ERROR, NO_NAME, NO_NAME_FIX, value=t["customer"])
             for r, t in rows if not _name_key(t["customer"])]
    usable = [(r, t) for r, t in rows if _name_key(t["customer"])
              and (is_blank(t.get("credit_code")) or _code(t.get("credit_code")))]
    for group in group_customers(Customer(str(t["customer"]), t.get("credit_code"), ref=(r, t)) for r, t in usable):
        (first, _), *rest = (c.ref for c in group)
        for record, t in rest:
            found.append(ctx.at(record, "customer", "M-ACC-2", Severity.ERROR, TWICE, TWICE_FIX,
                                first=first.row, other=first.values.get("customer")))
    return found


def _row(ctx: Context, record: Record, t: dict) -> list[Finding]:
    found = []
    customer, raw = t["customer"], record.values
    if not is_blank(raw.get("credit_code")):
        try:
            credit_code(raw.get("credit_code"))
        except InputError as exc:
            found.append(ctx.at(record, "credit_code", "M-ACC-2", Severity.ERROR, exc.text, BAD_CODE_FIX,
                                **exc.params))
    if is_blank(raw.get("account_manager")):
        found.append(ctx.at(record, "account_manager", "M-ACC-3", Severity.ERROR, NO_MANAGER, NO_MANAGER_FIX,
                            customer=customer))
    else:
        found += _territory(ctx, record, t)
    if is_blank(raw.get("account_class")):
        found.append(ctx.at(record, "account_class", "M-ACC-5", Severity.INFO, UNCLASSIFIED, UNCLASSIFIED_FIX,
                            customer=customer))
    elif is_blank(raw.get("evaluated_on")):
        found.append(ctx.at(record, "evaluated_on", "M-ACC-5", Severity.WARNING, NO_DATE, NO_DATE_FIX,
                            customer=customer))
    evaluated = t.get("evaluated_on")
    if isinstance(evaluated, date) and overdue(evaluated, ctx.today, ctx.config.register.evaluation_valid_days):
        found.append(ctx.at(record, "evaluated_on", "M-ACC-5", Severity.WARNING, OVERDUE, OVERDUE_FIX,
                            customer=customer, evaluated=evaluated.isoformat(),
                            days=ctx.config.register.evaluation_valid_days))
    return found


def overdue(evaluated: date, today: date, valid_days: int) -> bool:
    """M-ACC-5, M-ACC-6: an evaluation more than ``valid_days`` old is due again."""
    return (today - evaluated).days > valid_days


def _territory(ctx: Context, record: Record, t: dict) -> list[Finding]:
    """M-TEAM-2: the account manager is the one the most specific territory rule gives."""
    rule = rule_for(t.get("region"), t.get("industry"), ctx.config)
    if rule is None or same_owner(t.get("account_manager"), rule.account_manager):
        return []
    assignment = Text(describe(rule, "zh"), describe(rule, "en"))
    return [ctx.at(record, "account_manager", "M-TEAM-2", Severity.WARNING, TERRITORY, TERRITORY_FIX,
                   manager=t.get("account_manager"), expected=rule.account_manager, assignment=assignment)]


# --- the history (M-ACC-4) ------------------------------------------------------------------------

def _same_text(a: object, b: object) -> bool:
    return fold(a).replace(" ", "") == fold(b).replace(" ", "")


def _same_term(vocabulary: Vocabulary) -> Callable[[object, object], bool]:
    def same(a: object, b: object) -> bool:
        try:
            return vocabulary.parse(a) == vocabulary.parse(b)
        except InputError:
            return _same_text(a, b)
    return same


def _same_date(a: object, b: object) -> bool:
    try:
        return parse_date(a) == parse_date(b)
    except InputError:
        return _same_text(a, b)


def _same_code(a: object, b: object) -> bool:
    try:
        return credit_code(a) == credit_code(b)
    except InputError:
        return _same_text(a, b)


SAME: dict[str, Callable[[object, object], bool]] = {
    "customer": lambda a, b: bool(_name_key(a)) and _name_key(a) == _name_key(b),
    "account_class": _same_term(ACCOUNT_CLASS), "source": _same_term(CUSTOMER_SOURCE), "evaluated_on": _same_date,
    "credit_code": _same_code, "account_manager": lambda a, b: same_owner(a, b) or (is_blank(a) and is_blank(b)),
}


def _history(ctx: Context, customers: list[tuple[Record, dict]]) -> list[Finding]:
    """M-ACC-4: appended in date order, of registered customers, the latest entry of each
    field equal to the register's current value."""
    by_name: dict[str, tuple[Record, dict]] = {}
    for record, t in customers:
        by_name.setdefault(_name_key(t["customer"]), (record, t))
    renamed = {_name_key(t.get("old_value")): _name_key(t.get("new_value")) for _r, t in ctx.rows("History")
               if t.get("field") == "customer" and _name_key(t.get("old_value")) and _name_key(t.get("new_value"))}

    def registered_as(name: object) -> tuple[Record, dict] | None:
        """The register row of a name, through the renames the history records (old -> new)."""
        key, seen = _name_key(name), set()
        while key not in by_name and key in renamed and key not in seen:
            seen.add(key)
            key = renamed[key]
        return by_name.get(key)

    found: list[Finding] = []
    latest: dict[tuple[int, str], tuple[date, Record]] = {}
    newest: date | None = None
    for record, t in ctx.rows("History"):
        day, customer = t.get("date"), t.get("customer")
        if isinstance(day, date):
            if newest is not None and day < newest:
                found.append(ctx.at(record, "date", "M-ACC-4", Severity.WARNING, HISTORY_ORDER, HISTORY_ORDER_FIX,
                                    date=day.isoformat(), latest=newest.isoformat()))
            newest = max(newest or day, day)
        if is_blank(customer):
            continue
        registered = registered_as(customer)
        if registered is None:
            found.append(ctx.at(record, "customer", "M-ACC-4", Severity.ERROR, HISTORY_UNKNOWN, HISTORY_UNKNOWN_FIX,
                                customer=customer))
        elif isinstance(day, date) and t.get("field"):
            key = (registered[0].row, t["field"])
            if key not in latest or day >= latest[key][0]:     # the later row wins a tie: appended last
                latest[key] = (day, record)
    rows = {r.row: (r, t) for r, t in customers}
    for (row, key), (day, entry) in sorted(latest.items()):
        record, _t = rows[row]
        current, new = record.values.get(key), entry.values.get("new_value")
        if not SAME.get(key, _same_text)(current, new) and not (is_blank(current) and is_blank(new)):
            found.append(ctx.at(record, key, "M-ACC-4", Severity.WARNING, DISAGREES, DISAGREES_FIX,
                                field=CUSTOMERS.column(key).header, current=_shown(current), new=_shown(new),
                                row=entry.row, date=day.isoformat()))
    return found


def _shown(value: object) -> object:
    if is_blank(value):
        return EMPTY
    return value.isoformat()[:10] if isinstance(value, date) else value


def _name_key(name: object) -> str:
    try:
        return name_key(name)
    except InputError:
        return ""


# --- against the register ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One registered customer, as the other files are checked against it."""

    row: int
    customer: str
    code: str | None
    manager: str | None
    classified: bool                     # a class and an evaluation date (M-ACC-5)
    evaluated_on: date | None


@dataclass
class Index:
    """The register, read once for a whole batch: its customers by credit code and by name key."""

    file: str
    by_code: dict[str, Entry] = field(default_factory=dict)
    by_name: dict[str, list[Entry]] = field(default_factory=dict)

    def find(self, name: object, code: object = None) -> Entry | tuple[Entry, ...] | None:
        """M-ACC-2: the registered customer a file's customer is. A valid credit code on both
        sides decides (two codes, two companies, however alike the names); else the name key —
        and a name several registered companies share, without a code, is all of them (a tuple)."""
        checked = _code(code)
        if checked and checked in self.by_code:
            return self.by_code[checked]
        entries = [e for e in self.by_name.get(_name_key(name), ()) if not (checked and e.code and e.code != checked)]
        if len({e.code for e in entries if e.code}) > 1:
            return tuple(entries)
        return entries[0] if entries else None


def index_of(ctx: Context) -> Index:
    """The :class:`Index` of a register read for validation (its context)."""
    index = Index(ctx.file)
    for record, t in ctx.rows("Customers"):
        if is_blank(record.values.get("customer")):
            continue
        entry = Entry(record.row, str(t["customer"]), _code(record.values.get("credit_code")),
                      t.get("account_manager"), bool(t.get("account_class")) and isinstance(t.get("evaluated_on"), date),
                      t.get("evaluated_on") if isinstance(t.get("evaluated_on"), date) else None)
        if entry.code:
            index.by_code.setdefault(entry.code, entry)
        key = _name_key(entry.customer)
        if key:
            index.by_name.setdefault(key, []).append(entry)
    return index


def against(ctx: Context, index: Index) -> list[Finding]:
    """The customers ``ctx``'s workbook works, checked against the register (one finding per row)."""
    found: list[Finding] = []
    look: dict[tuple[object, object], Entry | tuple[Entry, ...] | None] = {}   # a file names few customers, many times

    def entry_of(name: object, code: object) -> Entry | tuple[Entry, ...] | None:
        if (name, code) not in look:
            look[(name, code)] = index.find(name, code)
        return look[(name, code)]

    data = ctx.data
    if "Opportunities" in data.tables:
        table = data.tables["Opportunities"]
        for i, (name, code, owner, status) in enumerate(zip(
                *(ctx.column("Opportunities", k) for k in ("customer", "credit_code", "owner", "status")))):
            if not is_blank(name):
                found += _worked(ctx, index, table.record(i), entry_of(name, code), name, owner,
                                 opportunity=status not in ("won", "lost"))
    # a rep's forecast only: a roll-up's lines restate its inputs' owners, checked at the rep's file
    if "ForecastLines" in data.tables and (ctx.forms.get("Forecast", {}).get("level") or "rep") == "rep":
        table = data.tables["ForecastLines"]
        for i, (name, owner) in enumerate(zip(*(ctx.column("ForecastLines", k) for k in ("customer", "owner")))):
            if not is_blank(name):
                found += _worked(ctx, index, table.record(i), entry_of(name, None), name, owner, opportunity=False)
    profile, facts = data.forms.get("Profile"), ctx.forms.get("Profile", {})
    if profile is not None and not is_blank(facts.get("customer")):
        found += _worked(ctx, index, profile, entry_of(facts["customer"], facts.get("credit_code")),
                         facts["customer"], facts.get("account_manager"), opportunity=False, owner_key="account_manager")
    return found


def _worked(ctx: Context, index: Index, record: Record, entry: Entry | tuple[Entry, ...] | None, name: object,
            owner: object, *,
            opportunity: bool, owner_key: str = "owner") -> list[Finding]:
    """One row of a file against the register: registered (M-ACC-2), by its owner (M-ACC-3), and
    for an open opportunity, classified with a current evaluation (M-ACC-5, M-ACC-6)."""
    where = {"register": index.file, "customer": name}
    if entry is None:
        return [ctx.at(record, "customer", "M-ACC-2", Severity.WARNING, NOT_REGISTERED, NOT_REGISTERED_FIX, **where)]
    if isinstance(entry, tuple):
        return [ctx.at(record, "customer", "M-ACC-2", Severity.WARNING, AMBIGUOUS, AMBIGUOUS_FIX, n=len(entry),
                       rows=", ".join(str(e.row) for e in entry), **where)]
    where["row"] = entry.row
    found = []
    if entry.code and _name_key(name) != _name_key(entry.customer):   # found by its code under another name
        found.append(ctx.at(record, "customer", "M-ACC-2", Severity.WARNING, OTHER_NAME, OTHER_NAME_FIX,
                            code=entry.code, registered=entry.customer, **where))
    if entry.manager and not is_blank(owner) and not same_owner(owner, entry.manager):
        found.append(ctx.at(record, owner_key, "M-ACC-3", Severity.WARNING, OTHER_MANAGER, OTHER_MANAGER_FIX,
                            manager=entry.manager, owner=owner, **where))
    if opportunity:
        days = ctx.config.register.evaluation_valid_days
        if not entry.classified:
            found.append(ctx.at(record, "customer", "M-ACC-5", Severity.WARNING, WORKED_UNCLASSIFIED,
                                UNCLASSIFIED_FIX, **where))
        elif entry.evaluated_on and overdue(entry.evaluated_on, ctx.today, days):
            found.append(ctx.at(record, "customer", "M-ACC-5", Severity.WARNING, WORKED_OVERDUE, OVERDUE_FIX,
                                evaluated=entry.evaluated_on.isoformat(), days=days, **where))
    return found
