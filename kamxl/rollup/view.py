"""What ``kamxl rollup`` prints: the inputs used and skipped, what was counted and left
out, the figures by category (cumulative, never added together), adjustments, quota and
the channel comparison."""
from __future__ import annotations

import sys
from collections import Counter

from kamxl.i18n import Lang, Text
from kamxl.rollup import RollupResult
from kamxl.rollup.model import REASONS

LABELS = {
    "title": Text("预测汇总", "Forecast roll-up"), "output": Text("输出", "output"),
    "inputs": Text("输入文件", "input files"), "used": Text("已使用 {n}，未使用 {m}", "{n} used, {m} skipped"),
    "lines": Text("计入商机", "lines counted"), "excluded": Text("未计入", "not counted"),
    "closed": Text("已成交", "closed"), "commit": Text("承诺（含已成交）", "commit (incl. closed)"),
    "best_case": Text("最佳情况（含承诺）", "best case (incl. commit)"), "adjusted": Text("调整后预测", "adjusted forecast"),
    "outside": Text("期间外金额", "outside the period"),
    "quota": Text("指标 / 达成率（已成交、承诺、调整后）", "quota / attainment (closed, commit, adjusted)"),
    "unallocated": Text("未分配给负责人的指标", "quota not allocated to an owner"),
    "channel": Text("渠道预测差异", "channel difference"),
    "flow": Text("与上次相比的变化", "changes since the previous roll-up"),
}


def print_rollup(result: RollupResult, lang: Lang) -> None:
    from rich.console import Console
    from rich.table import Table

    r = result.rollup
    table = Table(title=f"{LABELS['title'](lang)} · {r.owner} · {r.period} · {r.currency}", title_justify="left",
                  show_header=False)
    table.add_column(no_wrap=True)            # labels whole; long paths fold in the value column
    table.add_column(overflow="fold")
    table.add_row(LABELS["output"](lang), str(result.output))
    table.add_row(LABELS["inputs"](lang), LABELS["used"](lang, n=len(result.used), m=len(result.skipped)))
    for s in result.skipped:
        table.add_row("", f"{s.file}: {s.reason(lang, **s.params)}")
    table.add_row(LABELS["lines"](lang), f"{len(r.lines):,}")
    reasons = Counter(e.reason for e in r.excluded)
    table.add_row(LABELS["excluded"](lang), "; ".join(f"{REASONS[k](lang)} ×{n}" for k, n in sorted(reasons.items()))
                  or "0")
    h = r.headline                            # M-FC-1: the lines closing in the period
    for key, value in (("closed", h.closed), ("commit", h.commit), ("best_case", h.best_case),
                       ("adjusted", r.adjusted), ("outside", h.outside)):
        table.add_row(LABELS[key](lang), f"{value:,.0f}")
    if r.quota:
        shares = " / ".join(f"{v:.0%}" for v in (h.attainment, h.forecast_attainment, h.adjusted_attainment)
                            if v is not None)
        table.add_row(LABELS["quota"](lang), f"{r.quota:,.0f} · {shares}")
    if r.unallocated:
        table.add_row(LABELS["unallocated"](lang), f"{r.unallocated:,.0f}")
    for c in r.channel:
        table.add_row(LABELS["channel"](lang), f"{c.period}: {c.difference:+,.0f}"
                      + (f" ({c.ratio:+.0%})" if c.ratio is not None else ""))
    if result.flow is not None:
        table.add_row(LABELS["flow"](lang), f"{len(result.flow):,}")
    Console(width=None if sys.stdout.isatty() else 120).print(table)
