"""Plain records passed between parsers, storage and matchers."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import DocumentError as DocumentError  # where parsers have always found it


@dataclass(slots=True)  # slots: 100,000 entries per import
class Company:
    name: str
    former_names: list[str] = field(default_factory=list)
    status: str = ""  # e.g. 已注销


@dataclass(slots=True)
class App:
    kind: str  # app | wechat | weibo | miniprogram
    value: str
    label: str = ""  # the label as printed, e.g. 微信公众号


@dataclass(slots=True)
class Entry:
    seq: int
    name: str
    aliases: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # as printed, wraps joined
    domains: list[str] = field(default_factory=list)  # normalised hosts
    apps: list[App] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    region: str = ""
    extra: dict = field(default_factory=dict)  # per-list fields (category, found, section)

    def to_dict(self) -> dict:
        # what asdict gives, without its deep copies (100,000 entries per import)
        return {
            "seq": self.seq,
            "name": self.name,
            "aliases": list(self.aliases),
            "urls": list(self.urls),
            "domains": list(self.domains),
            "apps": [{"kind": a.kind, "value": a.value, "label": a.label} for a in self.apps],
            "companies": [
                {"name": c.name, "former_names": list(c.former_names), "status": c.status} for c in self.companies
            ],
            "region": self.region,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Entry":
        d = dict(d)
        d["apps"] = [App(**a) for a in d.get("apps", [])]
        d["companies"] = [Company(**c) for c in d.get("companies", [])]
        return cls(**d)

    def key(self) -> str:
        """Identity of an entry across issues of the same list: its first address, else its name.
        (Sites keep their address when a list renames them: 银河配资 → 金河配资.)"""
        from .normalise import name_key, split_url

        host, path = split_url(self.urls[0]) if self.urls else ("", "")
        return f"url:{host}{path}" if host else f"name:{name_key(self.name)}"

    def identities(self) -> list[str]:
        """Every key the entry could have been known by: each address's, then its name's (a row
        whose addresses were reordered, or that gained or lost its first one, is the same row)."""
        from .normalise import name_key, split_url

        out = [f"url:{h}{p}" for h, p in map(split_url, self.urls) if h]
        return list(dict.fromkeys([*out, f"name:{name_key(self.name)}"]))


@dataclass
class ParsedDocument:
    entries: list[Entry]
    format: str  # pdf | docx | html | xlsx
    layout: str  # csrc-peizi | sac-blacklist
    title: str = ""
    published: str = ""  # ISO date when the document states it
    issue: str = ""  # e.g. 2019年第1期
    content_date: str = ""  # ISO date its contents reach (SAC: the latest 发现时间), for ordering a series
