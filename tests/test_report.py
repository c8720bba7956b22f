"""The plain-language report says what the verdict rests on (README's examples)."""
from __future__ import annotations

from click.testing import CliRunner

from peizi_guard.cli import main

AD = "您炒股，我出钱！1:10杠杆，当天到账，加微信了解详情。风险提示：股市有风险，投资需谨慎"
WARNING = "警惕“您炒股我出钱”骗局！证监会提醒：场外配资属于非法活动，杜德配资已被列入名单"


def report(db: str, *args: str) -> str:
    r = CliRunner().invoke(main, ["--db", db, "check", *args])
    assert r.exit_code in (0, 1), r.output
    return r.stdout


def test_a_warning_that_names_a_listed_platform_is_not_told_the_name_is_unlisted(db):
    out = report(db, "--text", WARNING)
    assert "CLEAR" in out and "杜德配资" in out  # the mention is evidence
    assert "读来是提醒或报道" in out and "reads as a warning or report" in out
    assert "官方名单中未发现" not in out


def test_an_offer_without_a_listed_name_is_told_it_reads_as_an_offer(db):
    out = report(db, "--text", AD)
    assert "SUSPICIOUS" in out and "具有配资招揽特征" in out and "高度相似" not in out


def test_a_look_alike_name_is_told_it_resembles_a_listed_one(db):
    out = report(db, "杜德配资网")
    assert "SUSPICIOUS" in out and "与名单上的平台高度相似" in out


def test_a_phrase_the_text_repeats_is_shown_once_with_its_count(db):
    out = report(db, "--text", "您炒股，我出钱。" * 8 + "加微信了解详情")
    line = next(x for x in out.splitlines() if "for an offer" in x)
    assert line.count("“您炒股”") == 1 and "×8" in line


def test_words_a_named_feature_found_are_shown_once_with_it(db):
    """The slogan 您炒股我出钱 is a named feature and also n-grams: one entry, never a phrase
    beside it (nor for and against at once: 当天到账)."""
    out = report(db, "--text", "您炒股我出钱。" * 8 + "加微信了解详情")
    line = next(x for x in out.splitlines() if "for an offer" in x)
    assert "“您炒股我出钱” 配资口号 +" in line and out.count("您炒股我出钱”") == 1
    out = report(db, "--text", "您炒股，我出钱！1:10杠杆，当天到账")
    assert out.count("“当天到账”") == 1 and "against" not in out
