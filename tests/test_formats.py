"""Document formats: sniffing, .docx/.xlsx/HTML tables, zip-bomb and corrupt-file safety.

List content comes from the real documents only: the shipped parse of the CSRC list (rebuilt
into HTML and .xlsx tables) and the SAC .docx fixtures.
"""
from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from peizi_guard.model import DocumentError, Entry
from peizi_guard.scraper.charset import decode
from peizi_guard.scraper.formats import detect, formats
from peizi_guard.scraper.formats.docx import DocxFormat
from peizi_guard.scraper.formats.html import HtmlFormat
from peizi_guard.scraper.formats.xlsx import XlsxFormat
from peizi_guard.scraper.formats.zipsafe import SafeZip
from peizi_guard.scraper.parse import parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAC = FIXTURES / "sac-blacklist-2019-01.docx"
# The CSRC list's header as printed (DATA.md).
CSRC_HEADER = ["序号", "配资平台名称", "网址", "配资APP、微信公众号、小程序名称", "运营机构名称", "运营机构注册地"]


# ---- real rows, rebuilt as table cells --------------------------------------------------------

def csrc_entries() -> list[Entry]:
    path = resources.files("peizi_guard").joinpath("data/builtin/csrc-peizi-2020-07-08.json")
    return [Entry.from_dict(e) for e in json.loads(path.read_text("utf-8"))["entries"]]


def csrc_cells(e: Entry) -> list[list[str]]:
    """One entry as the CSRC document prints it: aliases joined by /, one URL or account a line."""
    companies = [
        c.name + "".join(f"（曾用名：{f}）" for f in c.former_names) + (f"（{c.status}）" if c.status else "")
        for c in e.companies
    ]
    return [
        [str(e.seq)],
        ["/".join([e.name] + e.aliases)],
        list(e.urls),
        list(e.extra.get("notes", [])) + [f"{a.label}：{a.value}" for a in e.apps],
        ["/".join(companies)] if companies else [],
        [e.region] if e.region else [],
    ]


def html_document(entries: list[Entry], charset: str, meta: str = "charset") -> bytes:
    from html import escape

    def row(cells, tag="td"):
        return "<tr>" + "".join(f"<{tag}>{'<br/>'.join(escape(s) for s in c)}</{tag}>" for c in cells) + "</tr>\n"

    head = (f'<meta charset="{charset}">' if meta == "charset"
            else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    page = (f"<!DOCTYPE html>\n<html><head>{head}<title>非法从事场外配资平台名单</title></head><body>\n"
            f"<p>非法从事场外配资平台名单</p>\n<table border=\"1\">\n"
            + row([[h] for h in CSRC_HEADER], "th") + "".join(row(csrc_cells(e)) for e in entries)
            + "</table></body></html>\n")
    return page.encode(charset)


def xlsx_document(entries: list[Entry]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["非法从事场外配资平台名单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.append(CSRC_HEADER)
    for e in entries:
        cells = csrc_cells(e)
        ws.append([e.seq] + ["\n".join(c) or None for c in cells[1:]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return csrc_entries()


@pytest.fixture(scope="module")
def xlsx_bytes(entries) -> bytes:
    return xlsx_document(entries)


# ---- detection ----------------------------------------------------------------------------------

def test_registry_order_puts_zip_formats_before_html():
    assert [f.name for f in formats()] == ["pdf", "docx", "xlsx", "html"]


def test_each_real_document_is_sniffed_by_exactly_one_format(entries, xlsx_bytes):
    docs = {
        "pdf": (FIXTURES / "2020-07-08-illegal-peizi-platforms.pdf").read_bytes(),
        "docx": SAC.read_bytes(),
        "xlsx": xlsx_bytes,
        "html": html_document(entries[:5], "gbk"),
    }
    for name, data in docs.items():
        assert [f.name for f in formats() if f.sniff(data)] == [name]
        assert detect(data).name == name


def test_html_renamed_docx_is_not_docx():
    page = ("<!DOCTYPE html><html><head><title>中国证券业协会</title></head><body>"
            "<table><tr><td>首页</td><td>投资者之家</td></tr></table></body></html>").encode("utf-8")
    assert not DocxFormat().sniff(page)
    assert detect(page, "list.docx").name == "html"
    with pytest.raises(DocumentError, match="no table with the columns"):
        parse_document(page, "list.docx")
    no_table = b"<html><body><h1>404 Not Found</h1></body></html>"
    with pytest.raises(DocumentError, match="HTML page with no list table"):
        parse_document(no_table, "list.docx")


def test_zip_without_document_xml_is_not_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/styles.xml", "<w:styles/>")
    data = buf.getvalue()
    assert not DocxFormat().sniff(data) and not XlsxFormat().sniff(data)
    with pytest.raises(DocumentError):
        parse_document(data, "x.docx")
    with pytest.raises(DocumentError, match="no word/document.xml"):
        DocxFormat().tables(data)


# ---- .docx ----------------------------------------------------------------------------------------

def test_docx_cells_are_paragraph_lines_and_spans_repeat():
    table = DocxFormat().tables(SAC.read_bytes())[0]
    assert all(len(row) == 5 for row in table)  # gridSpan cells repeated: every row is 5 grid columns
    header = next(r for r in table if r[0] == ["序号"])
    assert header[1] == ["非法仿冒机构网站、", "含有非法内容的网页、博客名称"] == header[2]
    row1 = next(r for r in table if r[0] == ["1"])
    assert row1[1] == ["假冒“太平洋证券股份有限公司”网站为：太平洋证券大讲堂",
                       "http://kczb.tonghuazhengxing.cn/v/896uh?tdsourcetag=s_pcqq_aiomsg"]
    # vMerge: 类别1 spans the rows of its sub-categories and is repeated in each
    assert [r[0] for r in table if r[1] and r[1][0].startswith("类别1-")] == [["类别1"]] * 5


def test_docx_text_is_the_running_text_outside_tables():
    text = DocxFormat().text(SAC.read_bytes())
    assert text.splitlines()[:3] == ["非法仿冒证券公司、证券投资咨询公司等", "机构黑名单", "（2019年第1期）"]
    assert "2012年1月-2019年3月" in text
    assert "类别1-1" not in text and "股发金融" not in text  # table content stays out


def test_docx_with_a_dtd_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>')
    with pytest.raises(DocumentError, match="DTD"):
        DocxFormat().tables(buf.getvalue())


def test_truncated_or_damaged_docx_raises_document_error():
    data = SAC.read_bytes()
    for broken in (data[: len(data) // 2], data[:-40], data[:200]):
        with pytest.raises(DocumentError):
            parse_document(broken, "sac.docx")
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 1000  # inside its deflate data
    damaged = data[:start] + bytes(b ^ 0x5A for b in data[start:start + 64]) + data[start + 64:]
    with pytest.raises(DocumentError, match="corrupt or truncated"):
        parse_document(damaged, "sac.docx")


# ---- zip bombs ----------------------------------------------------------------------------------

def zip_with_bomb(base: bytes, member: str, size: int = 200 << 20) -> bytes:
    """`base` with `member` replaced by `size` bytes of zeros (streamed: never held in memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info in src.infolist():
            if info.filename != member:
                zf.writestr(info.filename, src.read(info.filename))
        with zf.open(member, "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return buf.getvalue()


def lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the central directory's uncompressed size of `member`."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46:pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, pos + 24, size)
            return bytes(out)
        pos = out.find(b"PK\x01\x02", pos + 46)
    raise AssertionError(member)


def refused_quickly(data: bytes, hint: str) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(DocumentError):
            parse_document(data, hint)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 5
    assert peak < 32 << 20, f"peak {peak >> 20} MiB"


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return zip_with_bomb(SAC.read_bytes(), "word/document.xml")


@pytest.fixture(scope="module")
def xlsx_bomb(xlsx_bytes) -> bytes:
    return zip_with_bomb(xlsx_bytes, "xl/worksheets/sheet1.xml")


def test_docx_zip_bomb_is_refused(docx_bomb):
    assert DocxFormat().sniff(docx_bomb)
    with pytest.raises(DocumentError, match="zip bomb"):
        DocxFormat().tables(docx_bomb)
    refused_quickly(docx_bomb, "bomb.docx")


def test_xlsx_zip_bomb_is_refused_before_openpyxl(xlsx_bomb):
    assert XlsxFormat().sniff(xlsx_bomb)
    with pytest.raises(DocumentError, match="zip bomb"):
        XlsxFormat().tables(xlsx_bomb)
    refused_quickly(xlsx_bomb, "bomb.xlsx")


def test_bombs_with_lying_sizes_are_refused(docx_bomb, xlsx_bomb):
    refused_quickly(lie_about_size(docx_bomb, "word/document.xml", 4096), "bomb.docx")
    refused_quickly(lie_about_size(xlsx_bomb, "xl/worksheets/sheet1.xml", 4096), "bomb.xlsx")


def test_zip_budget_is_shared_across_reads():
    data = SAC.read_bytes()
    size = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size
    z = SafeZip(data, ".docx", max_total=size + 1000)
    assert len(z.read("word/document.xml")) == size
    with pytest.raises(DocumentError, match="zip bomb"):
        z.read("word/document.xml")


def test_too_many_members_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(2100):
            zf.writestr(f"word/media/{i}.bin", b"")
    with pytest.raises(DocumentError, match="more than"):
        DocxFormat().tables(buf.getvalue())


# ---- .xlsx --------------------------------------------------------------------------------------

def test_xlsx_of_real_csrc_rows_parses_to_the_same_entries(entries, xlsx_bytes):
    doc = parse_document(xlsx_bytes, "list.xlsx")
    assert (doc.format, doc.layout) == ("xlsx", "csrc-peizi")
    assert len(doc.entries) == len(entries) == 258
    assert doc.entries == entries


def test_xlsx_cells_split_on_newlines_and_merges_repeat(xlsx_bytes, entries):
    table = XlsxFormat().tables(xlsx_bytes)[0]
    assert table[0] == [["非法从事场外配资平台名单"]] * 6  # merged title row
    assert table[1] == [[h] for h in CSRC_HEADER]
    e = entries[2]  # the third row, after the title and header rows
    assert table[4][0] == [str(e.seq)] and table[4][2] == e.urls and len(e.urls) > 1
    assert "非法从事场外配资平台名单" in XlsxFormat().text(xlsx_bytes)


def test_damaged_xlsx_raises_document_error(xlsx_bytes):
    for broken in (xlsx_bytes[: len(xlsx_bytes) // 2], xlsx_bytes[:-40]):
        with pytest.raises(DocumentError):
            parse_document(broken, "list.xlsx")


# ---- HTML ---------------------------------------------------------------------------------------

def test_gbk_html_of_real_csrc_rows_parses_to_the_same_entries(entries):
    data = html_document(entries, "gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = parse_document(data, "list.html")
    assert (doc.format, doc.layout) == ("html", "csrc-peizi")
    assert doc.entries == entries


def test_decode_charsets(entries):
    name = entries[0].name + entries[1].companies[0].name
    body = f"<html><body><p>{name}</p></body></html>"
    declared = decode(html_document(entries[:2], "gb2312", meta="http-equiv"))[0]
    assert entries[0].name in declared and entries[1].companies[0].name in declared
    assert decode(b"\xef\xbb\xbf" + body.encode("utf-8"))[0] == body
    assert decode(body.encode("utf-16"))[0] == body
    assert decode(body.encode("gb18030"))[0] == body  # undeclared, not UTF-8: gb18030
    assert decode(body.encode("utf-8"))[0] == body  # undeclared UTF-8
    assert decode(body.encode("gbk"), "text/html; charset=GBK")[0] == body  # HTTP header
    # a page that declares GBK but is UTF-8 is read as UTF-8, not as GB18030 mojibake
    page = '<meta charset="gbk">' + body
    assert decode(page.encode("utf-8")) == (page, "utf-8")


def test_html_cells_split_on_br_p_div_and_spans_repeat(entries):
    e = next(x for x in entries if len(x.urls) > 2)
    page = ("<html><body><table>"
            f"<tr><th rowspan='2'>序号</th><th colspan='2'>{CSRC_HEADER[2]}</th></tr>"
            f"<tr><td><p>{e.urls[0]}</p><div>{e.urls[1]}</div></td><td>{e.urls[2]}\n{e.name}</td></tr>"
            "</table></body></html>").encode("utf-8")
    assert HtmlFormat().sniff(page)
    assert HtmlFormat().tables(page) == [[
        [["序号"], [CSRC_HEADER[2]], [CSRC_HEADER[2]]],
        [["序号"], [e.urls[0], e.urls[1]], [e.urls[2], e.name]],
    ]]


def test_html_sniff_needs_html_and_a_table():
    assert not HtmlFormat().sniff(b"%PDF-1.4 <table>")
    assert not HtmlFormat().sniff(b"PK\x03\x04<html><table>")
    assert not HtmlFormat().sniff(b"<html><body>no list</body></html>")
    assert HtmlFormat().sniff(b"\xef\xbb\xbf  \n<!DOCTYPE html><html><body><TABLE></TABLE></body></html>")
    assert HtmlFormat().sniff("<html><table></table></html>".encode("utf-16"))


def test_the_format_registry_is_the_one_place_that_knows_extensions_and_types():
    from peizi_guard.scraper.discover import document_format, link_format
    from peizi_guard.scraper.formats import attachment_formats, format_of_content_type, format_of_suffix, formats
    from peizi_guard.sources import load_sources

    assert attachment_formats() == ["pdf", "docx", "xlsx"]
    for f in formats():
        for suffix in f.suffixes:
            assert format_of_suffix(suffix.lstrip(".")) == (f.name if f.attachment else "")
        for mime in f.content_types:
            assert format_of_content_type(mime) == (f.name if f.attachment else "")
    assert format_of_suffix("XLSM") == "xlsx" and format_of_suffix("xls") == ""
    assert link_format("http://h/a/名单.XLSX", "", attachment_formats()) == "xlsx"
    assert document_format(b"", "application/pdf; charset=binary") == "pdf"
    for src in load_sources().values():  # every source asks only for formats a parser reads
        assert set(src.get("formats", [])) <= set(attachment_formats()), src["id"]
