"""The customer register (客户登记): every customer once, its account manager, class and history.

Seed 001 §一: collect customer information from several sources (M-ACC-1), check that the
customer is not registered yet and create it only if absent (M-ACC-2), assign it to one
account manager (M-ACC-3, by the company's territory rules M-TEAM-2), supplement it with new
information — appended to the history, never overwritten (M-ACC-4) — and classify and
evaluate it before its opportunities are worked (M-ACC-5, M-ACC-6).

``kamxl validate --register`` checks funnels, forecasts and account plans against it
(:mod:`kamxl.checks.register`).
"""
from __future__ import annotations

from kamxl.i18n import Text as T
from kamxl.methodology.vocabulary import ACCOUNT_CLASS, CUSTOMER_SOURCE, Term, Vocabulary
from kamxl.schema.model import Column, Flag, Kind, Sheet, Table, Template

C = Column

# Rules a person can break while typing (conditional formats; kamxl.checks.register checks the same).
NAMED = "NOT({@blank:customer})"
CUSTOMER_FLAGS = (
    # M-ACC-2: the customer key (credit code, else the folded name) already on a row above; a bad
    # code makes the key an error (the KAM_* edition) or its text (the portable edition's stored value)
    Flag("M-ACC-2", f'=AND({NAMED},IFERROR(LEFT({{key}},1)<>"#",FALSE),SUMPRODUCT(--({{above.key}}={{key}}))>1)',
         ("customer",), T("客户重复登记（同一客户键）", "Customer registered twice (same customer key)"), "error"),
    Flag("M-ACC-2", f'=AND({NAMED},NOT({{@blank:credit_code}}),IFERROR(LEFT({{key}},1)="#",TRUE))', ("credit_code",),
         T("统一社会信用代码无效", "Invalid unified social credit code"), "error"),
    Flag("M-ACC-3", f"=AND({NAMED},{{@blank:account_manager}})", ("account_manager",),
         T("客户还没有客户经理", "No account manager assigned"), "error"),
    Flag("M-ACC-5", f"=AND({NAMED},{{@blank:account_class}})", ("account_class",),
         T("尚未分类评估：先分类评估，再管理商机", "Not classified yet: classify before working opportunities"), "info"),
    Flag("M-ACC-5", f"=AND({NAMED},NOT({{@blank:account_class}}),{{@blank:evaluated_on}})", ("evaluated_on",),
         T("已分类但没有评估日期", "Classified, but no evaluation date")),
    Flag("M-ACC-5", f"=AND({NAMED},ISNUMBER({{evaluated_on}}),"
                    "INT({evaluated_on})<TODAY()-{cfg:register.evaluation_valid_days})", ("evaluated_on",),
         T("分类评估已过期，须重新评估", "Evaluation overdue: evaluate again")),
)

CUSTOMERS = Table("Customers", T("客户登记", "Customer register"),
                  rules=("M-ACC-1", "M-ACC-2", "M-ACC-3", "M-ACC-5"), flags=CUSTOMER_FLAGS, blank_rows=60,
                  columns=(
    C("customer", T("客户名称", "Customer"), Kind.TEXT, required=True, width=40, rules=("M-ACC-2",),
      hint=T("客户全称；先查找，已有则不再新建", "Full name; search first, register only if absent")),
    C("credit_code", T("统一社会信用代码", "Credit code"), Kind.ID, width=23, rules=("M-ACC-2",),
      hint=T("18 位统一社会信用代码；有则按代码判重", "18-character credit code; duplicates are found by it")),
    # the key the validator matches funnels, forecasts and plans on; plain Excel cannot fold names
    C("key", T("客户键", "Customer key"), Kind.FORMULA, result=Kind.TEXT, width=30, rules=("M-ACC-2",),
      formula='=IF({customer}="","",KAM_NAME_KEY({customer},{credit_code}))', stored=True,
      hint=T("判重用：有效的信用代码，否则为规范化的名称", "Duplicates are found by it: the code, else the folded name")),
    C("source", T("信息来源", "Source"), Kind.CHOICE, vocabulary=CUSTOMER_SOURCE, width=14, rules=("M-ACC-1",),
      hint=T("市场活动、渠道、网上销售、维修服务、信息购买……", "Marketing event, channel, online, service, list …")),
    C("region", T("区域", "Region"), Kind.TEXT, width=12, rules=("M-TEAM-2",),
      hint=T("与公司区域规则所用名称一致", "As the company's territory rules name it")),
    C("industry", T("行业", "Industry"), Kind.TEXT, width=14, rules=("M-TEAM-2",),
      hint=T("与公司区域规则所用名称一致", "As the company's territory rules name it")),
    C("account_manager", T("客户经理", "Account manager"), Kind.TEXT, width=14, rules=("M-ACC-3", "M-TEAM-2"),
      hint=T("每个客户只有一位，按公司区域规则分配", "Exactly one, assigned by the company's territory rules")),
    C("account_class", T("客户等级", "Class"), Kind.CHOICE, vocabulary=ACCOUNT_CLASS, width=13,
      rules=("M-ACC-5", "M-ACC-6"),
      hint=T("A–D；管理商机之前先分类评估", "A–D; classify before working opportunities")),
    C("evaluated_on", T("评估日期", "Evaluated on"), Kind.DATE, width=12, rules=("M-ACC-5", "M-ACC-6"),
      hint=T("最近一次分类评估的日期", "Date of the latest evaluation")),
    C("registered_on", T("登记日期", "Registered on"), Kind.DATE, width=12, rules=("M-ACC-1",)),
))

# M-ACC-4: the register's fields a history row may change (the customer's name is its identity).
TRACKED = ("customer", "credit_code", "source", "region", "industry", "account_manager", "account_class",
           "evaluated_on")   # a renamed customer's history: field customer, old name -> new name
REGISTER_FIELD = Vocabulary(T("登记项", "register field"), "M-ACC-4",
                            tuple(Term(k, CUSTOMERS.column(k).header) for k in TRACKED))

HISTORY = Table("History", T("变更记录（只追加，不覆盖）", "History of changes (appended, never overwritten)"),
                rules=("M-ACC-4",), columns=(
    C("date", T("日期", "Date"), Kind.DATE, required=True, width=12, rules=("M-ACC-4",),
      hint=T("按日期顺序在末尾追加", "Append at the end, in date order")),
    C("customer", T("客户名称", "Customer"), Kind.TEXT, required=True, width=40, rules=("M-ACC-4",),
      hint=T("已登记的客户", "A registered customer")),
    C("field", T("登记项", "Field"), Kind.CHOICE, vocabulary=REGISTER_FIELD, required=True, width=16,
      rules=("M-ACC-4",)),
    C("old_value", T("原值", "Old value"), Kind.TEXT, width=20),
    C("new_value", T("新值", "New value"), Kind.TEXT, width=20, rules=("M-ACC-4",),
      hint=T("同时改写登记表中的当前值", "Change the register's current value too")),
    C("changed_by", T("变更人", "Changed by"), Kind.TEXT, required=True, width=12, rules=("M-ACC-4",)),
    C("source", T("信息来源", "Source"), Kind.CHOICE, vocabulary=CUSTOMER_SOURCE, width=14, rules=("M-ACC-1",)),
))

REGISTER = Template("register", 1, T("客户登记", "Customer register"), sheets=(
    Sheet("customers", T("客户", "Customers"), (CUSTOMERS,), active=True,
          hint=T("每个客户一行，先查后建；灰色列为自动计算",
                 "One row per customer: search before you add one; grey columns are calculated")),
    Sheet("history", T("变更记录", "History"), (HISTORY,),
          hint=T("客户信息的每次变更追加一行，不改写旧行（M-ACC-4）",
                 "Append a row for every change of a customer's information; never overwrite a row (M-ACC-4)")),
), rules=("M-ACC-1", "M-ACC-2", "M-ACC-3", "M-ACC-4", "M-ACC-5", "M-ACC-6", "M-TEAM-2"))
