"""The calculator's answer for a person: Chinese first, English labels where they help."""

from __future__ import annotations

from ..calc import LICENSED_LINE, licensed_comparison
from .text import table, width

STATUS = {
    "ok": "正常 ok",
    "warning": "预警 warning",
    "liquidated": "强制平仓 liquidated",
    "wiped_out": "本金亏光 wiped out",
}


def yuan(x: float) -> str:
    return f"{x:,.2f} 元"


def pct(x: float, sign: bool = False) -> str:
    return f"{x:+.2%}" if sign else f"{x:.2%}"


def move_pct(x: float) -> str:
    """A scenario's move as given, to at least two decimals: +0.001% is not +0.00%, nor -99.999% -100.00%."""
    whole, _, frac = f"{x * 100:+.6f}".rstrip("0").partition(".")
    return f"{whole}.{frac.ljust(2, '0')}%"


def render(r: dict, warning_line: float, liquidation_line: float) -> str:
    lic = licensed_comparison(r["own"])
    lines = [
        f"自有资金 own capital   {yuan(r['own'])}",
        f"借入资金 borrowed      {yuan(r['borrowed'])}",
        f"持仓市值 position      {yuan(r['position'])}  (杠杆 leverage {r['leverage']:g}× ，"
        f"自有:借入 = 1:{r['borrowed'] / r['own']:g})",
        "",
        "股价下跌多少就触线 price fall that reaches each line:",
        _line("预警线 warning", warning_line, r["drop_to_warning"]),
        _line("平仓线 liquidation", liquidation_line, r["drop_to_liquidation"]),
        f"  本金亏光 wipe-out: 下跌 {pct(r['drop_to_wipeout'])} 即亏掉全部自有资金；跌得更多时还倒欠出资方（穿仓）",
        "",
        f"持有 {r['days']} 天的成本 cost of holding {r['days']} days:",
        f"  利息 interest {yuan(r['interest'])}；管理费 management fee {yuan(r['management_fee'])}；"
        f"交易费用 trading costs {yuan(r['trade_cost_round_trip'])}（买卖各 {yuan(r['trade_cost_one_way'])}）",
        f"  合计 total {yuan(r['total_cost'])} = 自有资金的 {pct(r['total_cost'] / r['own'])}；"
        f"股价须上涨 {pct(r['breakeven_move'])} 才能保本 (break-even move)",
        "",
    ]
    if r["scenarios"]:
        rows = [
            ["涨跌 move", "持仓市值 position", "权益 equity", "盈亏(未扣费) gross", "盈亏(扣费) net", "状态 status"]
        ]
        for s in r["scenarios"]:
            rows.append(
                [
                    move_pct(s["move"]),
                    f"{s['position_value']:,.2f}",
                    f"{s['equity']:,.2f}",
                    pct(s["equity_change_gross"], sign=True),
                    pct(s["equity_change_net"], sign=True),
                    STATUS[s["status"]],
                ]
            )
        # each column as wide as its widest cell: big figures whole, never cut to 11,000,000,000,00…
        widths = [max(w, *(width(row[i]) for row in rows)) for i, w in enumerate([9, 18, 14, 19, 16, 20])]
        lines += [table(rows, widths), ""]
    lines += [
        "对比 持牌券商融资融券 licensed margin trading (融资融券):",
        f"  约 1:1 杠杆（持仓约为本金的 2 倍），维持担保比例约 {LICENSED_LINE:.0%} 时平仓："
        f"同样 {yuan(r['own'])} 本金，股价须下跌 {pct(lic['drop_to_liquidation'])} 才触及平仓线；"
        "资金由银行第三方存管，受证监会监管。",
        "",
        "法律提示 legal position:",
        "  《全国法院民商事审判工作会议纪要》（九民纪要）第86条：除持牌证券公司的融资融券外，场外配资合同无效；",
        "  非法平台的亏损与被挪用的保证金往往难以追回 (配资 contracts are void; losses at illegal platforms are hard to recover).",
        "  核实持牌机构 verify a licensed firm: 证监会网站“证券公司名录” (www.csrc.gov.cn)、"
        "中国证券业协会“信息公示” (www.sac.net.cn)；举报 report: 12386 证监会热线。",
    ]
    return "\n".join(lines)


def _line(label: str, line: float, drop: float) -> str:
    if drop <= 0:
        return f"  {label} {line:.0%}: 开仓即已触及（资产÷借款 从一开始就不高于此线）already reached at the start"
    return f"  {label} {line:.0%}: 下跌 {pct(drop)} 即触发（资产÷借款 assets ÷ borrowed = {line:.0%}）"
