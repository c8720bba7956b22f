"""Round nine of the calculator: an amount below one fen is refused (not an internal error, not a
result of 0.00), a comma counts only between groups of three digits, --days and a missing --own are
one bilingual line like every other bad input, and the scenario table shows big figures whole."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from peizi_guard.calc import CalcError, calculate, parse_amount
from peizi_guard.cli import main
from peizi_guard.output.text import width
from peizi_guard.web.app import create_app


def calc_cli(*args):
    return CliRunner().invoke(main, ["calc", *args])


def one_bilingual_line(r, option):
    """Exit 2, nothing on stdout, one line on stderr: Chinese, then ` / `, then English, naming the option."""
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("peizi-guard: error: "), r.stderr
    zh, sep, en = r.stderr.strip().removeprefix("peizi-guard: error: ").partition(" / ")
    assert sep and option in zh and option in en, r.stderr
    assert any("\u4e00" <= c <= "\u9fff" for c in zh.replace("万", "")), r.stderr
    assert "internal error" not in r.stderr and "Usage:" not in r.output


# ---- 3. an amount below 0.01 yuan ---------------------------------------------------------------------


@pytest.mark.parametrize("own", ["0.001", "0.004", "0.009", "0.0000001万"])
def test_an_amount_below_one_fen_is_one_bilingual_line(own):
    for extra in ([], ["--json"]):
        r = calc_cli("--own", own, "--leverage", "10", *extra)
        one_bilingual_line(r, "--own")
        assert "0.01" in r.stderr
    with pytest.raises(CalcError, match="less than 0.01 yuan"):
        calculate(own, leverage=10)


def test_one_fen_itself_is_calculated():
    r = calc_cli("--own", "0.01", "--leverage", "2", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["own"] == 0.01
    assert calc_cli("--own", "0.01", "--leverage", "2").exit_code == 0  # with the licensed comparison
    assert parse_amount("0.000001万") == pytest.approx(0.01)


def test_a_python_number_below_one_fen_is_refused():
    with pytest.raises(CalcError, match="less than 0.01 yuan"):
        calculate(0.001, leverage=10)


def test_the_api_refuses_an_amount_below_one_fen_through_the_shared_parser(shared_db):
    with TestClient(create_app(shared_db, rate_limit=0)) as c:
        api = c.get("/api/calc", params={"own": "0.001", "leverage": "10"})
        assert api.status_code == 422 and "0.01 yuan" in api.text
        page = c.get("/", params={"own": "0.001", "leverage": "10"})
        assert page.status_code == 422 and "0.01" in page.text and "calc-result" not in page.text


# ---- 4. commas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("own", ["1,5万", "1,00", "10,0000", "1,0000", "100,", "1,5", "1,000,00", "1，5万", "12,34.5"])
def test_a_comma_that_does_not_separate_groups_of_three_is_refused(own):
    with pytest.raises(CalcError, match="groups of three digits"):
        parse_amount(own)
    one_bilingual_line(calc_cli("--own", own, "--leverage", "10", "--json"), "--own")


@pytest.mark.parametrize("own, yuan", [
    ("100,000", 100_000), ("1,000,000.50", 1_000_000.5), ("100，000", 100_000), ("１００，０００", 100_000),
    ("10,000万", 1e8), ("1,000", 1_000), ("100000", 100_000), ("1.5万", 15_000),
])  # fmt: skip
def test_commas_between_groups_of_three_still_work(own, yuan):
    assert parse_amount(own) == yuan
    r = calc_cli("--own", own, "--leverage", "10", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["own"] == yuan


# ---- 12. --days (and a missing --own): one bilingual line -----------------------------------------------


@pytest.mark.parametrize("days", ["1.5", "abc", "", "1e3", "30.0", "三十", "99999999999999999999999", "-1", "36501"])
def test_days_that_are_not_a_whole_number_in_range_are_one_bilingual_line(days):
    one_bilingual_line(calc_cli("--own", "10万", "--leverage", "10", "--days", days), "--days")


@pytest.mark.parametrize("days", ["7", "３０", "30天", "0", "36500"])
def test_days_as_written_still_work(days):
    r = calc_cli("--own", "10万", "--leverage", "10", "--days", days, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["days"] == int(days.replace("天", "").replace("３０", "30"))


def test_a_missing_own_is_one_bilingual_line():
    one_bilingual_line(calc_cli("--leverage", "10"), "--own")
    assert "--own AMOUNT" in calc_cli("--help").output


# ---- 13. the scenario table shows big figures whole ------------------------------------------------------


def test_the_scenario_table_shows_big_figures_whole_and_aligned():
    r = calc_cli("--own", "1万亿", "--leverage", "1000", "--move", "1000%", "--move", "-20%")
    assert r.exit_code == 0, r.output
    assert "…" not in r.stdout
    assert "11,000,000,000,000,000.00" in r.stdout and "10,001,000,000,000,000.00" in r.stdout
    assert "-199,000,000,000,000.00" in r.stdout
    head = next(i for i, line in enumerate(r.stdout.splitlines()) if line.startswith("涨跌 move"))
    rows = r.stdout.splitlines()[head : head + 3]
    # each column starts where its heading does
    for heading in ("权益 equity", "盈亏(未扣费) gross", "状态 status"):
        at = width(rows[0][: rows[0].index(heading)])
        for row in rows[1:]:
            prefix = next(row[:i] for i in range(len(row) + 1) if width(row[:i]) >= at)
            assert width(prefix) == at and row[len(prefix) - 1] == " " and row[len(prefix)] != " ", (heading, row)


def test_the_ordinary_table_is_as_the_readme_shows_it():
    r = calc_cli("--own", "10万", "--ratio", "1:9", "--annual-rate", "8%", "--days", "30")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "涨跌 move  持仓市值 position   权益 equity     盈亏(未扣费) gross   盈亏(扣费) net    状态 status" in lines
    assert (
        "-20.00%    800,000.00          -100,000.00     -200.00%             -208.12%          本金亏光 wiped out"
        in lines
    )
    assert "-5.00%     950,000.00          50,000.00       -50.00%              -58.12%           预警 warning" in lines


def test_a_scenarios_move_is_labelled_as_given():
    from click.testing import CliRunner

    from peizi_guard.cli import main

    r = CliRunner().invoke(main, ["calc", "--own", "10万", "--leverage", "10", "--move", "0.001%", "--move", "-99.999%",
                                  "--move", "5%"])
    labels = [line.split()[0] for line in r.output.splitlines() if line[:1] in ("+", "-") and "%" in line.split()[0]]
    assert labels == ["+0.001%", "-99.999%", "+5.00%"], r.output  # were +0.00% and -100.00%
