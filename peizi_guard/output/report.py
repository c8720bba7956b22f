"""Human-readable verdicts in Chinese and English: the evidence, then what to do."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..matcher import GOOD_NAME_NOTE, Verdict
from .text import safe
from ..sources import load_sources

HEAD = {
    "listed": "已列入官方名单 LISTED",
    "suspicious": "可疑 SUSPICIOUS",
    "clear": "未发现问题 CLEAR",
}
FIELD = {
    "name": "名称",
    "company": "运营机构",
    "domain": "域名",
    "url": "网址",
    "app": "APP",
    "wechat": "微信",
    "weibo": "微博",
    "miniprogram": "小程序",
}
METHOD = {
    "exact": "规范化后完全一致 exact",
    "exact-part": "名称的一部分完全一致 exact part",
    "company-core": "公司字号相同 same company core",
    "name-inside": "查询中含有此名称 named inside the query",
    "name-core": "去掉配资等行业词后相同 the same name without trade words",
    "formerly-listed": "曾列入名单，现行一期未再列出 on an earlier issue of the list, not the current one",
    "common-account": "与所列APP或微信名相同，但这是常见名称 a common app or WeChat name, as listed",
    "fuzzy": "仅差一字 one character differs",
    "homophone": "同音字 homophone",
    "host": "网址主机相同 same host",
    "domain": "属于所列域名 inside listed domain",
    "path": "共享平台上的所列页面 listed page on a shared host",
    "mirror-domain": "镜像域名 mirror domain",
    "pinyin-domain": "按拼音拼写的域名 domain spelled in pinyin",
    "idn-name": "用所列名称注册的中文域名 Chinese domain spelling a listed name",
}
ADVICE = {
    "listed": "不要签约、不要转账。场外配资合同不受法律保护；只有持牌证券公司可以开展融资融券（杠杆约1:1）。"
    "已受损失请保留证据，向当地证监局或公安机关反映。\n"
    "Do not sign or pay. Only licensed securities companies may lend for stock trading (融资融券, about 1:1).",
    "suspicious": "与名单上的平台高度相似（见证据）。请勿轻信；在证券公司官网或中国证券业协会网站核实其资质。\n"
    "Closely resembles a listed platform (see the evidence): verify the licence before any payment.",
    "offer": "具有配资招揽特征（见上）。请勿轻信；在证券公司官网或中国证券业协会网站核实其资质。\n"
    "Reads as a 配资 offer (see above): verify the licence before any payment.",
    "clear": "官方名单中未发现。这不代表其合法：融资炒股只能通过持牌证券公司的融资融券业务。\n"
    "Not on the official lists. That alone does not make it legal.",
    "clear-own": "官方名单和你导入的名单（LISTS）中均未发现。这不代表其合法：融资炒股只能通过持牌证券公司的融资融券业务。\n"
    "Not on the official lists nor on your own (LISTS). That alone does not make it legal.",
    "former": "曾列入官方名单（见证据），之后的名单未再列出；不再列出不代表其合法，场外配资一律不受法律保护。"
    "不要签约、不要转账。\n"
    "Was on an official list (see the evidence) and is not on its current issue: that does not make it legal. "
    "Do not sign or pay.",
    "listed-good-name": "名单列出的是使用这一名称的平台或网站（见证据）；这一名称也属于持牌机构或大型公司。"
    "只通过其官网公布的网址和电话联系，不要通过名单上平台的网址、APP或联系人签约、转账。\n"
    "The lists name a platform or site that uses this name (see the evidence); the name is also a licensed or large "
    "company's. Deal only through the company's official site, never through the listed one's addresses or contacts.",
    "imitation": "网址冒充持牌机构的域名（见上），是仿冒网站的常见手法。请只通过证券公司公布的官网地址访问，或在中国证券业协会网站核实。\n"
    "The address dresses up as a licensed firm's domain (see above), as fake broker sites do: use only the "
    "address your broker publishes.",
    "mentioned": "文中提到名单上的平台（见证据），但这段文字读来是提醒或报道，不是招揽。与该平台打交道前请务必核实。\n"
    "The text names a listed platform (see the evidence) but reads as a warning or report, not an offer.",
}


def own_list_only(v: Verdict) -> bool:
    """Listed, but on lists the user imported only: never called an official listing."""
    return v.verdict == "listed" and bool(v.matches) and all(m.list == "user" for m in v.matches)


OwnLists = Callable[[], Sequence[str]]  # the ids of the user's own lists, asked only when needed


def advice_for(v: Verdict, own_lists: OwnLists | None = None) -> str:
    """What to do, for what the verdict rests on: a listed or look-alike name, an offer in the
    text, or a listed name only mentioned in a warning. A clear verdict names the user's own
    lists (`own_lists()`) when there are any: they were checked too."""
    if v.verdict == "suspicious" and not v.matches:
        imitation = any(s.signal == "imitates-allowed-domain" for s in v.signals)
        return ADVICE["imitation" if imitation else "offer"]
    if v.verdict == "suspicious" and v.matches and all(m.method == "formerly-listed" for m in v.matches):
        return ADVICE["former"]
    if v.verdict == "listed" and GOOD_NAME_NOTE in v.notes:
        return ADVICE["listed-good-name"]
    if v.verdict == "clear" and v.matches:
        return ADVICE["mentioned"]
    if v.verdict == "clear" and own_lists is not None and (own := own_lists()):
        zh, en = ADVICE["clear-own"].split("\n")
        return zh.replace("LISTS", "、".join(own)) + "\n" + en.replace("LISTS", ", ".join(own))
    return ADVICE[v.verdict]


def source_title(source_id: str, list_kind: str = "official") -> str:
    if list_kind == "user":
        return f"用户名单 your list “{source_id}”"
    src = load_sources().get(source_id)
    return f"{src['publisher'].split(' (')[0]}《{src['title']}》" if src else source_id


def render(v: Verdict, advice: bool = True, own_lists: OwnLists | None = None) -> str:
    return safe_lines(_render(v, advice, own_lists))


def safe_lines(text: str) -> str:
    return "\n".join(safe(line) for line in text.split("\n"))


def _render(v: Verdict, advice: bool, own_lists: OwnLists | None = None) -> str:
    q = " ".join(v.query.split())  # a text's line breaks would split the verdict's line
    q = q if len(q) <= 60 else q[:57] + "…"
    head = "在你导入的名单上 LISTED on your own list" if own_list_only(v) else HEAD[v.verdict]
    lines = [f"{q} — {head} (score {v.score:.2f})"]
    if v.matches:
        lines.append("  证据 evidence:")
        for m in v.matches[:8]:
            lines.append(
                f"   • {source_title(m.source, m.list)} #{m.seq} {m.entry} — {FIELD.get(m.field, m.field)} "
                f"“{m.value}” ({METHOD.get(m.method, m.method)}, {m.score:.2f})"
            )
        if len(v.matches) > 8:
            lines.append(f"   • … {len(v.matches) - 8} more")
    flags = [s for s in v.signals if not s.counter]
    warns = [s for s in v.signals if s.counter]
    if v.probability is not None:
        if flags:
            lines.append("  支持“招揽” for an offer: " + "；".join(_weighed(flags, "+")))
        if warns:
            lines.append("  反对“招揽” against: " + "；".join(_weighed(warns, "")))
    elif flags:
        lines.append("  招揽特征 signals: " + "；".join(f"{s.note}“{s.text}”" for s in flags[:8]))
    lines += [f"  注 note: {n}" for n in v.notes]
    if advice:
        lines += ["  " + line for line in ("建议 advice: " + advice_for(v, own_lists)).splitlines()]
    return "\n".join(lines)


def _weighed(signals: list, sign: str, most: int = 8) -> list[str]:  # noqa: ANN001
    """The first `most` distinct phrases with their weights; a phrase the page repeats is shown
    once, with how often and the weight of all its places."""
    seen: dict[tuple[str, str], list] = {}
    for s in signals:
        seen.setdefault((s.text, s.note), []).append(s.weight)
    return [
        f"“{text}” {note}{f' ×{len(ws)}' if len(ws) > 1 else ''} {sign}{sum(ws):.2f}"
        for (text, note), ws in list(seen.items())[:most]
    ]


def one_line(v: Verdict) -> str:
    best = v.matches[0] if v.matches else None
    why = (
        f"#{best.seq} {best.entry} ({best.method}, {'your list ' if best.list == 'user' else ''}{best.source})"
        if best
        else ",".join(sorted({s.signal for s in v.signals if not s.counter}))
    )
    return safe(f"{v.verdict:<10}  {v.score:.2f}  {v.query}  {why}".rstrip())
