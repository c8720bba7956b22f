"""Pinyin from pypinyin's dictionaries, phrase-aware, and the shipped tables as they regenerate."""
from __future__ import annotations

from importlib import resources

from peizi_guard.matcher import pinyin


def test_the_shipped_tables_are_what_pypinyin_gives_today():
    root = resources.files("peizi_guard")
    assert root.joinpath(pinyin.TABLE).read_text("utf-8") == pinyin.generate()
    assert root.joinpath(pinyin.PHRASES).read_text("utf-8") == pinyin.generate_phrases()


def test_the_shipped_traditional_table_is_what_opencc_gives_today():
    from peizi_guard import normalise

    root = resources.files("peizi_guard")
    assert root.joinpath(normalise.T2S).read_text("utf-8") == normalise.generate_t2s()
    assert normalise.fold("臺灣證券") == "台湾证券" and len(normalise._t2s_table()) > 4000


def test_phrases_are_read_as_phrases():
    assert pinyin.full("银行") == "yinhang"  # character by character: yinxing
    assert pinyin.full("招商银行配资") == "zhaoshangyinhangpeizi"
    assert pinyin.full("重庆长城") == "chongqingchangcheng"
    assert pinyin.full("杜德配资") == "dudepeizi" and pinyin.initials("杜德配资") == "ddpz"
    assert pinyin.full("行情") == "hangqing" and pinyin.full("行") == "xing"
