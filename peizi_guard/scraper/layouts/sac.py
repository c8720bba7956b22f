"""SAC 《非法仿冒证券公司、证券投资咨询公司等机构黑名单》: 序号 | 网站、网页、博客名称 | 违规信息类别 | 发现时间.

The name cell runs names and URLs together (``股发金融http://22888m.com/``), may open with what
the site impersonates (``假冒“广发证券股份有限公司”名义…：广发理财http://…``), may list several
sites (``赛岳恒配资www.a.com, www.b.com; 简配资www.c.com``) and may carry QQ contacts. The
category codes (类别1-1 …) are defined in the rows above the header; rows holding one text
(``含有非法内容的博客``) open a section.
"""

from __future__ import annotations

import re
import unicodedata

from ...normalise import host_of
from ...model import Entry
from .. import fields
from .interface import Layout, Row, cell_text, find_columns, header_row

# column role → alternatives, each a tuple of words the header cell holds (all of them)
COLUMNS = {
    "seq": (("序号",),),
    "name": (("名称", "网站"), ("名称", "博客")),
    "category": (("类别",),),
    "found": (("发现",),),
}
_CODE = re.compile(r"类别\d+(?:-\d+)*")
_SEQ = re.compile(r"\d+\.?")
_URL = re.compile(
    r"(?:https?://|www\.)[\x21-\x7e]+"  # printed with a scheme or www.
    r"|(?<![A-Za-z0-9.@-])[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,6}(?:/[\x21-\x7e]*)?(?![A-Za-z0-9])",
    re.I,
)
_QQ = re.compile(r"[\u4e00-\u9fff]{0,8}QQ群?\s*[:：]\s*(\d{5,12}(?:\s*[、,，/]\s*\d{5,12})*)")
_QQ_INLINE = re.compile(r"加\s*Q\s*(\d{5,12})")  # 请加Q1770201258: kept in the name, also noted
_SEPARATORS = " \t\n,，;；:：、|"
_PREFIX_MARKERS = ("假冒", "仿冒", "冒充", "名义", "非法")
_IMPERSONATE_QUOTED = re.compile(r"(?:假冒|仿冒|冒充)[^“\"]{0,4}[“\"]([^”\"]+)[”\"]")
_IMPERSONATE_BARE = re.compile(r"(?:假冒|仿冒|冒充)(.+?)的?(?:网站|博客|名义|官网|开展)")
_FOUND = re.compile(r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})(?:\s*月)?")
_ISSUE = re.compile(r"(\d{4})\s*年\s*第\s*(\d+)\s*期")
_TITLE = re.compile(r"(非法仿冒[^《》（(]*?黑名单)")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class SacLayout(Layout):
    id = "sac-blacklist"

    def header_index(self, rows: list[Row]) -> int:
        return header_row(rows, COLUMNS)

    def entries(self, rows: list[Row], header: int) -> list[Entry]:
        col = find_columns(rows[header], COLUMNS)
        definitions = category_definitions(rows[:header])
        merged: list[tuple[Row, str]] = []  # (numbered row, its section)
        section = ""
        for row in rows[header + 1 :]:
            texts = [cell_text(c) for c in row]
            if len(row) <= max(col.values()) or len(find_columns(row, COLUMNS)) == len(COLUMNS):
                continue  # short rows; a header repeated on a new page
            seq = _norm(texts[col["seq"]])
            distinct = {t for t in texts if t}
            if _SEQ.fullmatch(seq):
                merged.append(([list(c) for c in row], section))
            elif len(distinct) == 1 and not _URL.search(next(iter(distinct))):
                section = re.sub(r"\s+", " ", distinct.pop()).strip()
            elif merged and not seq and distinct:  # a row continued on the next page (PDF)
                for i, cell in enumerate(row[: len(merged[-1][0])]):
                    merged[-1][0][i] += cell
        return [_entry(r, col, definitions, s) for r, s in merged]

    def metadata(self, text: str) -> dict:
        return document_metadata(text)


def category_definitions(rows: list[Row]) -> dict[str, str]:
    """类别 code → its definition, from the rows above the header (the code's cell, then its text)."""
    out: dict[str, str] = {}
    for row in rows:
        texts = [_norm(cell_text(c)) for c in row]
        codes = [i for i, t in enumerate(texts) if _CODE.fullmatch(t)]
        if not codes:
            continue
        i = codes[-1]
        text = next((cell_text(row[j]) for j in range(i + 1, len(row)) if texts[j] and j not in codes), "")
        if text:
            out.setdefault(texts[i], text.strip())
    return out


def found_month(text: str) -> str:
    """`2019年9月` → `2019-09`; text that states no month is kept as printed."""
    m = _FOUND.search(_norm(text))
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    return text.strip()


def _entry(row: Row, col: dict[str, int], definitions: dict[str, str], section: str) -> Entry:
    site = parse_site(row[col["name"]])
    code = _norm(cell_text(row[col["category"]]))
    extra = {
        "category": code,
        "category_text": definitions.get(code, ""),
        "found": found_month(cell_text(row[col["found"]])),
        "section": section,
    }
    extra.update({k: site[k] for k in ("impersonates", "qq", "note") if site[k]})
    names = site["names"] or site["domains"][:1] or site["urls"][:1]  # no name printed: the host
    return Entry(
        seq=int(_norm(cell_text(row[col["seq"]])).rstrip(".")),
        name=names[0] if names else "",
        aliases=names[1:],
        urls=site["urls"],
        domains=site["domains"],
        region="",
        extra=extra,
    )


def evident_host(url: str) -> str:
    """The host of a URL as printed; a comma typed for a dot (`huifengqianhai,com`) is read as a dot."""
    return host_of(url) or host_of(url.replace(",", "."))


def parse_site(lines: list[str]) -> dict:
    """The name cell → names (as printed), urls (as printed), domains, impersonates, qq, note."""
    text = "\n".join(re.sub(r"[^\S\n]+", " ", s) for s in lines)
    qq = [q for m in _QQ.finditer(text) for q in re.split(r"\s*[、,，/]\s*", m.group(1))]
    qq += [q for q in _QQ_INLINE.findall(text) if q not in qq]
    text = _QQ.sub(" ", text)
    note, impersonates, text = _split_prefix(text)
    groups: list[list] = []  # [name, urls]
    pos = 0
    for m in _URL.finditer(text):
        _add_name(groups, text[pos : m.start()])
        url = _trim_url(m.group(0))
        if not groups:
            groups.append(["", []])
        groups[-1][1].append(url)
        pos = m.start() + len(url)
    _add_name(groups, text[pos:])
    urls = [u for _, us in groups for u in us]
    domains: list[str] = []
    for u in urls:
        h = evident_host(u)
        if h and h not in domains:
            domains.append(h)
    names: list[str] = []
    for g in groups:
        names += [n for n in fields.split_names(re.split(r"\s*、\s*", g[0])) if n not in names]
    return {
        "names": names,
        "urls": urls,
        "domains": domains,
        "impersonates": impersonates,
        "qq": qq,
        "note": note,
    }


def _add_name(groups: list[list], chunk: str) -> None:
    name = chunk.strip(_SEPARATORS)
    if name:
        groups.append([name, []])


def _trim_url(url: str) -> str:
    url = url.rstrip(".,;:!?'\"")
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(".,;:!?'\"")
    return url


def _split_prefix(text: str) -> tuple[str, str, str]:
    """(description, impersonated institution, rest) of a cell that opens with what the site does."""
    first = _URL.search(text)
    head = text[: first.start()] if first else text
    cut = max(head.rfind(":"), head.rfind("："))
    note = ""
    if cut >= 0 and any(w in head[:cut] for w in _PREFIX_MARKERS):
        note, text = head[:cut], text[cut + 1 :]
    elif re.match(r"\s*(?:假冒|仿冒)", head):
        m = _IMPERSONATE_QUOTED.match(head.strip())
        if m:
            note, text = head.strip()[: m.end()], head.strip()[m.end() :] + text[len(head) :]
    note = re.sub(r"\s+", " ", note).strip()
    m = _IMPERSONATE_QUOTED.search(note) or _IMPERSONATE_BARE.search(note)
    impersonates = m.group(1).strip() if m and any(w in note for w in ("假冒", "仿冒", "冒充")) else ""
    return note, impersonates, text


def document_metadata(text: str) -> dict:
    """title, issue (`2019年第1期`, or "" when the issue is not numbered) and published (ISO) date."""
    head = "".join(s.strip() for s in text.splitlines()[:8])  # the title may wrap over lines
    m = _TITLE.search(head) or re.search(r"《([^》]*黑名单)》", text)
    title = m.group(1) if m else ""
    m = _ISSUE.search(text)
    issue = f"{m.group(1)}年第{int(m.group(2))}期" if m else ""
    published = ""
    for y, mo, d in _DATE.findall(text):
        if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31:
            published = f"{y}-{int(mo):02d}-{int(d):02d}"
            break
    return {"title": title, "issue": issue, "published": published}
