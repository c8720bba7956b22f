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

import re
from collections.abc import Sequence

TRADE_COST = 0.0011  # per side: commission + stamp duty + transfer fee, as the standard examples use
WARNING_LINE, LIQUIDATION_LINE = 1.10, 1.05
DEFAULT_DAYS = 30
DEFAULT_MOVES = tuple(m / 100 for m in range(-20, 25, 5))
LICENSED_LEVERAGE, LICENSED_LINE = 2.0, 1.30  # 融资融券: about 1:1 (own : borrowed), 130 % maintenance ratio

KEYS = (
    "own borrowed position leverage days interest management_fee trade_cost_one_way trade_cost_round_trip "
    "total_cost breakeven_move drop_to_warning drop_to_liquidation drop_to_wipeout scenarios"
).split()


class CalcError(ValueError):
    """Input the calculator cannot use; the message is one line for the user."""


# ---- reading the figures people write ------------------------------------------------

_AMOUNT = re.compile(r"([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万|亿|千|k|w)?\s*(?:元|rmb|cny)?", re.I)
_UNITS = {None: 1, "千": 1e3, "k": 1e3, "万": 1e4, "w": 1e4, "亿": 1e8}


def parse_amount(text: str | float) -> float:
    """Yuan from `100000`, `10万`, `1.5万`, `100,000`, `100000元`."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = _AMOUNT.fullmatch(str(text).strip())
        if not m:
            raise CalcError(f"{text!r} is not an amount in yuan (e.g. 100000, 10万, 1.5万, 100,000)")
        value = float(m.group(1).replace(",", "").replace("，", "")) * _UNITS[(m.group(2) or "").lower() or None]
    if not value > 0 or value == float("inf"):
        raise CalcError(f"the amount must be above zero, not {text}")
    return value


def parse_fraction(text: str | float, what: str) -> float:
    """A rate or move: `8%`, `-10%`, `0.05%`, `1.5‰` or a fraction (`0.08`)."""
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip().replace("％", "%").replace("＋", "+").replace("－", "-").replace("−", "-")
    m = re.fullmatch(r"([+-]?[0-9]*\.?[0-9]+)\s*([%‰])?", s)
    if not m:
        raise CalcError(f"{what}: {text!r} is not a percentage or fraction (e.g. 8%, 1.5%, 0.05%, 0.08)")
    return float(m.group(1)) / {None: 1, "%": 100, "‰": 1000}[m.group(2)]


def parse_ratio(text: str) -> float:
    """Leverage from own : borrowed as ads write it: `1:9` (or 1：9, 1比9) is leverage 10."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(?::|：|比)\s*([0-9]*\.?[0-9]+)\s*", str(text))
    if not m:
        raise CalcError(f"--ratio: {text!r} is not own:borrowed (e.g. 1:9)")
    own, borrowed = float(m.group(1)), float(m.group(2))
    if own <= 0 or borrowed <= 0:
        raise CalcError(f"--ratio: both sides of {text} must be above zero")
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
    days: int = DEFAULT_DAYS,
    management_fee: float | str = 0.0,
    trade_cost: float | str = TRADE_COST,
    warning_line: float | str = WARNING_LINE,
    liquidation_line: float | str = LIQUIDATION_LINE,
    moves: Sequence[float | str] = DEFAULT_MOVES,
) -> dict:
    """The offer in numbers: one dict with the keys in KEYS (yuan to 0.01, fractions unrounded)."""
    e = parse_amount(own)
    lev = _leverage(leverage, ratio)
    per_day = _daily(annual_rate, monthly_rate, daily_rate)
    fee = _rate(management_fee, "--management-fee")
    cost = _rate(trade_cost, "--trade-cost")
    warn, liq = (
        parse_fraction(x, name)
        for x, name in ((warning_line, "--warning-line"), (liquidation_line, "--liquidation-line"))
    )
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise CalcError(f"--days must be a whole number of days, 0 or more, not {days!r}")
    if liq < 1 or warn < 1:
        raise CalcError(
            "a warning or liquidation line below 100% would leave the lender's money unprotected: give e.g. 110%"
        )
    if warn < liq:
        raise CalcError(f"the warning line ({warn:.0%}) must not be below the liquidation line ({liq:.0%})")
    steps = [parse_fraction(m, "--move") for m in moves]
    if any(m < -1 for m in steps):
        raise CalcError("--move: a price cannot fall more than 100%")

    f = e * lev
    b = f - e
    interest = b * per_day * days
    mgmt = b * fee * days / 30
    one_way = f * cost
    total = interest + mgmt + 2 * one_way
    return {
        "own": _yuan(e),
        "borrowed": _yuan(b),
        "position": _yuan(f),
        "leverage": lev,
        "days": days,
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


def calculate_from(params: dict) -> dict:
    """`calculate` from named options as the command line and the web API receive them (`moves`
    or repeated `move`; a missing or empty option takes its default)."""
    names = ("annual_rate", "monthly_rate", "daily_rate", "days", "management_fee", "trade_cost", "warning_line",
             "liquidation_line")  # fmt: skip
    kwargs = {k: params[k] for k in names if params.get(k) is not None}
    moves = params.get("moves") or params.get("move") or DEFAULT_MOVES
    return calculate(params["own"], params.get("leverage"), params.get("ratio"), moves=moves, **kwargs)


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


def _leverage(leverage: float | str | None, ratio: str | None) -> float:
    if (leverage is None) == (ratio is None):
        raise CalcError("give exactly one of --leverage (e.g. 10) or --ratio (own:borrowed, e.g. 1:9)")
    if ratio is not None:
        return parse_ratio(ratio)
    try:
        lev = float(str(leverage).strip().rstrip("倍xX"))
    except ValueError:
        raise CalcError(f"--leverage: {leverage!r} is not a number (position ÷ own capital, e.g. 10)") from None
    if not lev > 1 or lev == float("inf"):
        raise CalcError(
            f"--leverage must be above 1 (position ÷ own capital; 1 means nothing borrowed), not {leverage}"
        )
    return lev


def _daily(annual: float | str | None, monthly: float | str | None, daily: float | str | None) -> float:
    given = [(x, n) for x, n in ((annual, 365), (monthly, 30), (daily, 1)) if x is not None]
    if len(given) > 1:
        raise CalcError("give at most one of --annual-rate, --monthly-rate or --daily-rate")
    if not given:
        return 0.0
    x, days = given[0]
    name = {365: "--annual-rate", 30: "--monthly-rate", 1: "--daily-rate"}[days]
    return _rate(x, name) / days


def _rate(x: float | str, name: str) -> float:
    r = parse_fraction(x, name)
    if r < 0:
        raise CalcError(f"{name} cannot be negative: {x}")
    if r > 1:
        raise CalcError(f"{name} {x} is above 100%: write a percentage (8%) or a fraction (0.08)")
    return r


def _yuan(x: float) -> float:
    return round(x + 0.0, 2)


def licensed_comparison(own: float) -> dict:
    """The same own capital at licensed 融资融券 terms (about 1:1, closing line 130 %)."""
    return calculate(own, LICENSED_LEVERAGE, warning_line=LICENSED_LINE, liquidation_line=LICENSED_LINE, moves=())
