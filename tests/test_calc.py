"""The leverage calculator: the figures of the standard worked examples, properties, the command."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from peizi_guard.calc import KEYS, CalcError, calculate, parse_amount, parse_fraction, parse_ratio
from peizi_guard.cli import main


def calc_cli(*args):
    return CliRunner().invoke(main, ["calc", *args])


def test_ten_times_leverage_is_wiped_out_by_a_ten_percent_fall():
    r = calculate("10万", 10, moves=["-10%"])
    assert (r["position"], r["borrowed"], r["own"]) == (1_000_000.00, 900_000.00, 100_000.00)
    assert r["drop_to_wipeout"] == pytest.approx(0.1)
    [s] = r["scenarios"]
    assert s["move"] == -0.1 and s["equity"] == 0 and s["status"] == "wiped_out"
    assert s["equity_change_gross"] == pytest.approx(-1.0)


def test_ratio_is_leverage():
    a, b = calculate(100_000, ratio="1:9"), calculate(100_000, leverage=10)
    assert a == b and a["leverage"] == 10
    assert parse_ratio("1：4") == 5 and parse_ratio("1比9") == 10


def test_interest_on_actual_days():
    r = calculate(100_000, 10, annual_rate="8%", days=30)
    assert r["borrowed"] == 900_000 and r["interest"] == 5917.81
    assert calculate(100_000, 10, monthly_rate="1.5%", days=30)["interest"] == 13_500.00  # 月息1.5% on 90万
    assert calculate(100_000, 10, daily_rate="0.05%", days=10)["interest"] == 4_500.00
    assert calculate(100_000, 10)["interest"] == 0  # no rate, no interest


def test_trade_cost_both_ways():
    r = calculate(100_000, 10)
    assert (r["trade_cost_one_way"], r["trade_cost_round_trip"]) == (1_100.00, 2_200.00)
    r = calculate(100_000, 10, annual_rate="8%", days=30, management_fee="0.5%")
    assert r["management_fee"] == 4_500.00
    assert r["total_cost"] == pytest.approx(5917.81 + 4500 + 2200, abs=0.01)
    assert r["breakeven_move"] == pytest.approx((5917.808 + 4500 + 2200) / 1_000_000, rel=1e-6)


def test_three_times_leverage():
    r = calculate("10万", 3, moves=["-10%", "10%"])
    assert (r["position"], r["borrowed"], r["trade_cost_one_way"]) == (300_000.00, 200_000.00, 330.00)
    assert [s["equity_change_gross"] for s in r["scenarios"]] == pytest.approx([-0.30, 0.30])
    assert [s["status"] for s in r["scenarios"]] == ["ok", "ok"]


def test_lines():
    r = calculate(100_000, 10, warning_line="110%", liquidation_line="105%")
    assert r["drop_to_liquidation"] == pytest.approx(0.055)
    assert r["drop_to_warning"] == pytest.approx(0.01)
    statuses = {s["move"]: s["status"] for s in calculate(100_000, 10, moves=["-0.5%", "-3%", "-7%", "-12%"])["scenarios"]}
    assert statuses == {-0.005: "ok", -0.03: "warning", -0.07: "liquidated", -0.12: "wiped_out"}


def test_json_has_exactly_the_keys():
    r = calculate(100_000, 10)
    assert list(r) == KEYS
    assert len(r["scenarios"]) == 9 and r["scenarios"][0]["move"] == pytest.approx(-0.2)
    assert set(r["scenarios"][0]) == {"move", "position_value", "equity", "equity_change_gross", "equity_change_net", "status"}


def test_amounts_and_rates_as_written():
    assert [parse_amount(x) for x in ("100000", "10万", "1.5万", "100,000", "100000元")] == [
        100_000, 100_000, 15_000, 100_000, 100_000]
    assert [parse_fraction(x, "r") for x in ("8%", "1.5%", "0.05%", "0.08", "-10%")] == pytest.approx(
        [0.08, 0.015, 0.0005, 0.08, -0.1])


@pytest.mark.parametrize("kwargs, message", [
    (dict(own=0, leverage=10), "above zero"),
    (dict(own="-5万", leverage=10), "not an amount"),
    (dict(own=100_000, leverage=1), "above 1"),
    (dict(own=100_000, leverage=0.5), "above 1"),
    (dict(own=100_000), "exactly one"),
    (dict(own=100_000, leverage=10, ratio="1:9"), "exactly one"),
    (dict(own=100_000, ratio="1:0"), "above zero"),
    (dict(own=100_000, leverage=10, liquidation_line="95%"), "below 100%"),
    (dict(own=100_000, leverage=10, warning_line="104%"), "must not be below"),
    (dict(own=100_000, leverage=10, annual_rate="8%", monthly_rate="1%"), "at most one"),
    (dict(own=100_000, leverage=10, annual_rate="8"), "above 100%"),
    (dict(own=100_000, leverage=10, days=-1), "0 or more"),
    (dict(own=100_000, leverage=10, moves=["-120%"]), "more than 100%"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(CalcError, match=message):
        calculate(**kwargs)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(own=st.floats(1_000, 1e8), lev=st.floats(1.01, 50), a=st.floats(-1, 1), b=st.floats(-1, 1))
def test_equity_is_linear_in_the_move(own, lev, a, b):
    r = calculate(own, lev, moves=[a, b, (a + b) / 2])
    ea, eb, mid = (s["equity"] for s in r["scenarios"])
    assert mid == pytest.approx((ea + eb) / 2, abs=0.02)
    ga, gb, gm = (s["equity_change_gross"] for s in r["scenarios"])
    assert ga == pytest.approx(lev * a, abs=1e-9) and gm == pytest.approx((ga + gb) / 2, abs=1e-9)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(lev=st.floats(1.01, 50), liq=st.floats(1, 2), extra=st.floats(0, 1))
def test_lines_are_ordered(lev, liq, extra):
    r = calculate(100_000, lev, warning_line=liq + extra, liquidation_line=liq)
    assert r["drop_to_wipeout"] == pytest.approx(1 / lev)
    assert r["drop_to_wipeout"] >= r["drop_to_liquidation"] >= r["drop_to_warning"]


def test_command_json_and_text():
    r = calc_cli("--own", "10万", "--leverage", "10", "--move", "-10%", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["scenarios"][0]["status"] == "wiped_out" and out["position"] == 1_000_000
    r = calc_cli("--own", "100,000", "--ratio", "1:9", "--annual-rate", "8%")
    assert r.exit_code == 0
    assert "5,917.81 元" in r.output and "下跌 10.00%" in r.output and "九民纪要" in r.output
    assert "35.00%" in r.output  # licensed 1:1 at 130 %: a 35 % fall before the line


@pytest.mark.parametrize("args", [
    ["--own", "0", "--leverage", "10"],
    ["--own", "10万", "--leverage", "10", "--ratio", "1:9"],
    ["--own", "10万", "--leverage", "1"],
    ["--own", "10万", "--leverage", "10", "--liquidation-line", "90%"],
    ["--own", "10万", "--leverage", "abc"],
])
def test_command_bad_input_is_one_line(args):
    r = calc_cli(*args)
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and r.output.startswith("peizi-guard: error:")
