"""The CSRC list 《非法从事场外配资平台名单》: 序号 | 配资平台名称 | 网址 | 配资APP… | 运营机构名称 | 运营机构注册地."""

from __future__ import annotations

import re

from ...model import Entry
from .. import fields
from .interface import Layout, Row, cell_text, find_columns, header_row

# column role → words its header holds (all of them)
COLUMNS = {
    "seq": (("序号",),),
    "name": (("平台", "名称"),),
    "urls": (("网址",),),
    "apps": (("APP",),),
    "company": (("机构名称",),),
    "region": (("注册地",),),
}


class CsrcLayout(Layout):
    id = "csrc-peizi"

    def header_index(self, rows: list[Row]) -> int:
        return header_row(rows, COLUMNS)

    def entries(self, rows: list[Row], header: int) -> list[Entry]:
        col = find_columns(rows[header], COLUMNS)
        merged: list[Row] = []
        for row in rows[header + 1 :]:
            if len(row) <= max(col.values()):
                continue
            seq = cell_text(row[col["seq"]])
            if re.fullmatch(r"\d+", seq):
                merged.append([list(c) for c in row])
            elif merged and not seq and any(row):  # a row continued on the next page
                for i, cell in enumerate(row):
                    merged[-1][i] += cell
        return [self._entry(r, col) for r in merged]

    @staticmethod
    def _entry(row: Row, col: dict[str, int]) -> Entry:
        names = fields.split_names(row[col["name"]])
        urls, domains = fields.parse_urls(row[col["urls"]])
        apps, notes = fields.parse_accounts(row[col["apps"]])
        extra = {"notes": notes} if notes else {}
        return Entry(
            seq=int(cell_text(row[col["seq"]])),
            name=names[0] if names else "",
            aliases=names[1:],
            urls=urls,
            domains=domains,
            apps=apps,
            companies=fields.parse_companies(row[col["company"]]),
            region=cell_text(row[col["region"]]),
            extra=extra,
        )
