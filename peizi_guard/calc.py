"""What a leveraged (配资) offer does to an investor's money. Pure arithmetic, no database.

Own capital E, leverage L: position F = E × L, borrowed B = F − E. A price move m leaves the position
worth F(1 + m) and the investor's equity F(1 + m) − B. Warning and liquidation lines are
assets ÷ borrowed, so the line P is reached after a fall of 1 − P·B/F; the whole own capital is gone
after a fall of E/F = 1/L. Interest and the management fee are charged on B for the days held
(annual ÷ 365 or monthly ÷ 30 a day); trading costs on the traded value at entry, both ways.

    from peizi_guard.calc import calculate
    calculate(100_000, leverage=10)["drop_to_wipeout"]    # 0.1
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence

TRADE_COST = 0.0011  # per side: commission + stamp duty + transfer fee, as the standard examples use
WARNING_LINE, LIQUIDATION_LINE = 1.10, 1.05
DEFAULT_DAYS = 30
DEFAULT_MOVES = tuple(m / 100 for m in range(-20, 25, 5))
LICENSED_LEVERAGE, LICENSED_LINE = 2.0, 1.30  # 融资融券: about 1:1 (own : borrowed), 130 % maintenance ratio
# what the calculator accepts: beyond these the figures mean nothing (and floats overflow)
MAX_OWN = 1e12  # yuan (1万亿)
MIN_OWN = 0.01  # yuan (one fen): the figures are in yuan to 0.01, so less would show as 0.00
MAX_LEVERAGE = 1000.0
MAX_DAYS = 36_500  # 100 years
MAX_LINE = 10.0  # a warning or liquidation line of 1000 %
MAX_MOVE = 10.0  # a price rise of 1000 %

KEYS = (
    "own borrowed position leverage days interest management_fee trade_cost_one_way trade_cost_round_trip "
    "total_cost breakeven_move drop_to_warning drop_to_liquidation drop_to_wipeout scenarios"
).split()


class CalcError(ValueError):
    """Input the calculator cannot use: one line for the user, in Chinese then English (`zh`, `en`)."""

    def __init__(self, en: str, zh: str = ""):
        super().__init__(en)
        self.en, self.zh = en, zh

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}" if self.zh else self.en


Names = Callable[[str], str]  # an option's name (own, leverage, annual_rate, move …) as the caller's user writes it


def flag(name: str) -> str:
    """Options as the command line names them: annual_rate -> --annual-rate."""
    return "--" + name.replace("_", "-")


def param(name: str) -> str:
    """Options as the web API names them: its query parameters."""
    return name


# ---- reading the figures people write ------------------------------------------------


def _folded(text: object) -> str:
    """Full-width digits, signs and units (５万, １：９, ８％) as their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", str(text)).strip()


_AMOUNT = re.compile(r"([0-9][0-9,，]*)(\.[0-9]+)?\s*(万亿|万|亿|千|k|w)?\s*(?:元|rmb|cny)?", re.I)
_GROUPED = re.compile(r"[0-9]{1,3}(?:[,，][0-9]{3})+")  # 100,000 and 1,000,000: commas between groups of three
_UNITS = {None: 1, "千": 1e3, "k": 1e3, "万": 1e4, "w": 1e4, "亿": 1e8, "万亿": 1e12}


def parse_amount(text: str | float, what: str = "--own") -> float:
    """Yuan from `100000`, `10万`, `1.5万`, `100,000`, `100000元`: at least MIN_OWN, at most MAX_OWN.
    A comma must separate groups of three digits: `1,5万` or `1,00` is refused, not read as 15万 or 100."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = _AMOUNT.fullmatch(_folded(text))
        if not m:
            raise CalcError(
                f"{what}: {text!r} is not an amount in yuan (e.g. 100000, 10万, 1.5万, 100,000)",
                f"{what}：{text!r} 不是以元计的金额（如 100000、10万、1.5万、100,000）",
            )
        whole, fraction, unit = m.groups()
        if ("," in whole or "，" in whole) and not _GROUPED.fullmatch(whole):
            raise CalcError(
                f"{what}: {text!r}: a comma may only separate groups of three digits (100,000); "
                "write a decimal point for a fraction (1.5万)",
                f"{what}：{text!r} 中的逗号只能用于每三位分隔（如 100,000）；小数请用小数点（如 1.5万）",
            )
        value = float(re.sub("[,，]", "", whole) + (fraction or "")) * _UNITS[(unit or "").lower() or None]
    if not value > 0:  # NaN too
        raise CalcError(f"{what}: the amount must be above zero, not {text}", f"{what}：金额须大于零，不能是 {text}")
    if value < MIN_OWN * (1 - 1e-9):  # the tolerance: 0.000001万 is 0.01 yuan, whatever the float says
        raise CalcError(
            f"{what}: {text} is less than 0.01 yuan (one fen), the smallest amount the calculator takes",
            f"{what}：{text} 不足 0.01 元（一分钱），低于计算器可算的最小金额",
        )
    if value > MAX_OWN:  # inf too
        raise CalcError(
            f"{what}: {text} is more than the calculator takes ({MAX_OWN:,.0f} yuan, 1万亿)",
            f"{what}：{text} 超出计算器的上限（1万亿元）",
        )
    return value


def parse_fraction(text: str | float, what: str) -> float:
    """A rate or move: `8%`, `-10%`, `0.05%`, `1.5‰` or a fraction (`0.08`); never NaN or infinite."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = _folded(text).replace("−", "-")
        m = re.fullmatch(r"([+-]?[0-9]*\.?[0-9]+)\s*([%‰])?", s)
        if not m:
            raise CalcError(
                f"{what}: {text!r} is not a percentage or fraction (e.g. 8%, 1.5%, 0.05%, 0.08)",
                f"{what}：{text!r} 不是百分比或小数（如 8%、1.5%、0.05%、0.08）",
            )
        value = float(m.group(1)) / {None: 1, "%": 100, "‰": 1000}[m.group(2)]
    if not math.isfinite(value):  # NaN, or a string of digits too long for a float
        raise CalcError(f"{what}: {text!r} is not a finite number", f"{what}：{text!r} 不是有限的数")
    return value


def parse_days(text: int | str, what: str = "--days") -> int:
    """Days held: a whole number, `30` (or ３０, `30天`), 0 to MAX_DAYS."""
    if isinstance(text, str):
        m = re.fullmatch(r"([+-]?[0-9]+)\s*天?", _folded(text))
        if not m:
            raise CalcError(
                f"{what}: {text!r} is not a whole number of days (e.g. 30)",
                f"{what}：{text!r} 不是整数天数（如 30）",
            )
        if len(m.group(1).lstrip("+-").lstrip("0")) > 15:  # int() refuses past 4,300 digits
            raise _days_out_of_range(what, huge=True)
        text = int(m.group(1))
    return _days(text, what)


def parse_ratio(text: str, what: str = "--ratio") -> float:
    """Leverage from own : borrowed as ads write it: `1:9` (or 1：9, 1比9) is leverage 10."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(?::|比)\s*([0-9]*\.?[0-9]+)\s*", _folded(text))
    if not m:
        raise CalcError(
            f"{what}: {text!r} is not own:borrowed (e.g. 1:9)", f"{what}：{text!r} 不是“自有:借入”的比例（如 1:9）"
        )
    own, borrowed = float(m.group(1)), float(m.group(2))
    if not (0 < own < math.inf and 0 < borrowed < math.inf):
        raise CalcError(
            f"{what}: both sides of {text} must be above zero (and finite)",
            f"{what}：{text} 的两边都须大于零（且有限）",
        )
    return (own + borrowed) / own


# ---- the arithmetic ------------------------------------------------------------------------


def calculate(
    own: float | str,
    leverage: float | str | None = None,
    ratio: str | None = None,
    *,
    annual_rate: float | str | None = None,
    monthly_rate: float | str | None = None,
    daily_rate: float | str | None = None,
    days: int | str = DEFAULT_DAYS,
    management_fee: float | str = 0.0,
    trade_cost: float | str = TRADE_COST,
    warning_line: float | str = WARNING_LINE,
    liquidation_line: float | str = LIQUIDATION_LINE,
    moves: Sequence[float | str] = DEFAULT_MOVES,
    names: Names = flag,
) -> dict:
    """The offer in numbers: one dict with the keys in KEYS (yuan to 0.01, fractions unrounded).
    Every input is checked here (CalcError, naming the option as `names` writes it), so every
    figure out is finite."""
    e = parse_amount(own, names("own"))
    lev = _leverage(leverage, ratio, names)
    per_day = _daily(annual_rate, monthly_rate, daily_rate, names)
    fee = _rate(management_fee, names("management_fee"))
    cost = _rate(trade_cost, names("trade_cost"))
    warn, liq = _lines(warning_line, liquidation_line, names)
    held = parse_days(days, names("days"))
    steps = _moves(moves, names("move"))

    f = e * lev
    b = f - e
    interest = b * per_day * held
    mgmt = b * fee * held / 30
    one_way = f * cost
    total = interest + mgmt + 2 * one_way
    return {
        "own": _yuan(e),
        "borrowed": _yuan(b),
        "position": _yuan(f),
        "leverage": lev,
        "days": held,
        "interest": _yuan(interest),
        "management_fee": _yuan(mgmt),
        "trade_cost_one_way": _yuan(one_way),
        "trade_cost_round_trip": _yuan(2 * one_way),
        "total_cost": _yuan(total),
        "breakeven_move": total / f,
        # 1 − P·B/F written as (E − (P − 1)·B)/F: exact at P = 1 and ordered like the lines
        "drop_to_warning": (e - (warn - 1) * b) / f,
        "drop_to_liquidation": (e - (liq - 1) * b) / f,
        "drop_to_wipeout": e / f,
        "scenarios": [_scenario(m, e, f, b, total, warn, liq) for m in steps],
    }


def calculate_from(params: dict, names: Names = flag) -> dict:
    """`calculate` from named options as the command line and the web API receive them (`moves`
    or repeated `move`; a missing option takes its default). `names`: how errors name
    the options (`flag` for the command line, `param` for the API)."""
    keys = ("annual_rate", "monthly_rate", "daily_rate", "days", "management_fee", "trade_cost", "warning_line",
            "liquidation_line")  # fmt: skip
    if params.get("own") is None:
        raise CalcError(
            f"{names('own')} is required: your own capital in yuan (e.g. 10万)",
            f"须给出 {names('own')}：自有资金，以元计（如 10万）",
        )
    kwargs = {k: params[k] for k in keys if params.get(k) is not None}
    moves = params.get("moves") or params.get("move") or DEFAULT_MOVES
    return calculate(params["own"], params.get("leverage"), params.get("ratio"), moves=moves, names=names, **kwargs)


def _scenario(move: float, e: float, f: float, b: float, total: float, warn: float, liq: float) -> dict:
    value = f * (1 + move)
    equity = value - b
    # a small tolerance: a 10 % fall at leverage 10 is exactly the wipe-out, whatever the float says
    eps = 1e-9 * f
    if equity <= eps:
        status = "wiped_out"
    elif value <= liq * b + eps:
        status = "liquidated"
    elif value <= warn * b + eps:
        status = "warning"
    else:
        status = "ok"
    gross = f * move / e
    return {
        "move": move,
        "position_value": _yuan(value),
        "equity": _yuan(equity),
        "equity_change_gross": gross,
        "equity_change_net": gross - total / e,
        "status": status,
    }


# ---- checking the inputs ---------------------------------------------------------------------


def _leverage(leverage: float | str | None, ratio: str | None, names: Names) -> float:
    """Position ÷ own capital, from `leverage` or `ratio`: above 1, at most MAX_LEVERAGE."""
    if (leverage is None) == (ratio is None):
        raise CalcError(
            f"give exactly one of {names('leverage')} (e.g. 10) or {names('ratio')} (own:borrowed, e.g. 1:9)",
            f"{names('leverage')}（如 10）和 {names('ratio')}（自有:借入，如 1:9）须给且只给一个",
        )
    if ratio is not None:
        what = names("ratio")
        lev = parse_ratio(ratio, what)
    else:
        what = names("leverage")
        try:
            lev = float(_folded(leverage).rstrip("倍xX"))
        except ValueError:
            raise CalcError(
                f"{what}: {leverage!r} is not a number (position ÷ own capital, e.g. 10)",
                f"{what}：{leverage!r} 不是数字（持仓市值 ÷ 自有资金，如 10）",
            ) from None
        if not math.isfinite(lev):
            raise CalcError(
                f"{what}: {leverage!r} is not a finite number (position ÷ own capital, e.g. 10)",
                f"{what}：{leverage!r} 不是有限的数（持仓市值 ÷ 自有资金，如 10）",
            )
    if not lev > 1:
        raise CalcError(
            f"{what} must be above 1 (position ÷ own capital; 1 means nothing borrowed), not {leverage}",
            f"{what} 须大于 1（持仓市值 ÷ 自有资金；1 即没有借钱），不能是 {leverage}",
        )
    if lev > MAX_LEVERAGE:
        given = leverage if ratio is None else f"{ratio} (leverage {lev:g})"
        raise CalcError(
            f"{what} {given} is more than the calculator takes: leverage at most {MAX_LEVERAGE:g}",
            f"{what} {leverage if ratio is None else ratio} 超出计算器的范围：杠杆最多 {MAX_LEVERAGE:g} 倍",
        )
    return lev


def _daily(annual: float | str | None, monthly: float | str | None, daily: float | str | None, names: Names) -> float:
    given = [(x, n, d) for x, n, d in ((annual, "annual_rate", 365), (monthly, "monthly_rate", 30),
                                       (daily, "daily_rate", 1)) if x is not None]  # fmt: skip
    if len(given) > 1:
        raise CalcError(
            f"give at most one of {names('annual_rate')}, {names('monthly_rate')} or {names('daily_rate')}",
            f"{names('annual_rate')}、{names('monthly_rate')}、{names('daily_rate')} 最多给一个",
        )
    if not given:
        return 0.0
    x, name, days = given[0]
    return _rate(x, names(name)) / days


def _rate(x: float | str, name: str) -> float:
    r = parse_fraction(x, name)
    if r < 0:
        raise CalcError(f"{name} cannot be negative: {x}", f"{name} 不能为负：{x}")
    if r > 1:
        raise CalcError(
            f"{name} {x} is above 100%: write a percentage (8%) or a fraction (0.08)",
            f"{name} {x} 超过 100%：请写百分比（8%）或小数（0.08）",
        )
    return r


def _lines(warning_line: float | str, liquidation_line: float | str, names: Names) -> tuple[float, float]:
    """Warning and liquidation lines (assets ÷ borrowed): 100 % to MAX_LINE, warning not below liquidation."""
    warn = parse_fraction(warning_line, names("warning_line"))
    liq = parse_fraction(liquidation_line, names("liquidation_line"))
    if liq < 1 or warn < 1:
        raise CalcError(
            "a warning or liquidation line below 100% would leave the lender's money unprotected: give e.g. 110%",
            "预警线或平仓线低于 100% 时出资方的钱没有保障：请给如 110%",
        )
    if liq > MAX_LINE or warn > MAX_LINE:
        raise CalcError(
            f"a warning or liquidation line above {MAX_LINE:.0%} is not a line any lender sets",
            f"高于 {MAX_LINE:.0%} 的预警线或平仓线不是出资方会设的线",
        )
    if warn < liq:
        raise CalcError(
            f"the warning line ({warn:.0%}) must not be below the liquidation line ({liq:.0%})",
            f"预警线（{warn:.0%}）不能低于平仓线（{liq:.0%}）",
        )
    return warn, liq


def _days(days: int, name: str) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        huge = isinstance(days, int) and abs(days) > 10**15  # repr of an int fails past 4,300 digits
        raise _days_out_of_range(name, "" if huge else repr(days), huge)
    return days


def _days_out_of_range(name: str, shown: str = "", huge: bool = False) -> CalcError:
    en, zh = ("a larger number", "更大的数") if huge else (shown, shown)
    return CalcError(
        f"{name} must be a whole number of days, 0 or more and at most {MAX_DAYS:,} (100 years), not {en}",
        f"{name} 须是 0 到 {MAX_DAYS:,} 的整数天数（100 年），不能是 {zh}",
    )


def _moves(moves: Sequence[float | str], name: str) -> list[float]:
    for m in moves:  # `--move 5` meant 5 %, not +500 %: a bare number of 1 or more is asked again
        if isinstance(m, str) and not m.strip().endswith(("%", "‰", "％")) and abs(parse_fraction(m, name)) >= 1:
            move = parse_fraction(m, name)
            raise CalcError(
                f"{name} {m.strip()} would be {move:+.0%}: write a percentage (5%) or a fraction (0.05)",
                f"{name} {m.strip()} 即 {move:+.0%}：请写百分比（5%）或小数（0.05）",
            )
    steps = [parse_fraction(m, name) for m in moves]
    if any(m < -1 for m in steps):
        raise CalcError(f"{name}: a price cannot fall more than 100%", f"{name}：股价跌幅不会超过 100%")
    if any(m > MAX_MOVE for m in steps):
        raise CalcError(
            f"{name}: a rise of more than {MAX_MOVE:.0%} is beyond what the calculator shows",
            f"{name}：超过 {MAX_MOVE:.0%} 的涨幅不在计算器展示的范围内",
        )
    return steps


def _yuan(x: float) -> float:
    return round(x + 0.0, 2)


def licensed_comparison(own: float) -> dict:
    """The same own capital at licensed 融资融券 terms (about 1:1, closing line 130 %)."""
    return calculate(own, LICENSED_LEVERAGE, warning_line=LICENSED_LINE, liquidation_line=LICENSED_LINE, moves=())
