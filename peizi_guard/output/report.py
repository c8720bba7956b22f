"""Human-readable verdicts in Chinese and English: the evidence, then what to do."""

from __future__ import annotations

from ..matcher import Verdict
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
    "suspicious": "与官方名单高度相似或具有配资招揽特征。请勿轻信；在证券公司官网或中国证券业协会网站核实其资质。\n"
    "Closely resembles a listed platform or solicits 配资: verify the licence before any payment.",
    "clear": "官方名单中未发现。这不代表其合法：融资炒股只能通过持牌证券公司的融资融券业务。\n"
    "Not on the official lists. That alone does not make it legal.",
}


def source_title(source_id: str, list_kind: str = "official") -> str:
    if list_kind == "user":
        return f"用户名单 your list “{source_id}”"
    src = load_sources().get(source_id)
    return f"{src['publisher'].split(' (')[0]}《{src['title']}》" if src else source_id


def render(v: Verdict, advice: bool = True) -> str:
    return safe_lines(_render(v, advice))


def safe_lines(text: str) -> str:
    return "\n".join(safe(line) for line in text.split("\n"))


def _render(v: Verdict, advice: bool) -> str:
    q = v.query if len(v.query) <= 60 else v.query[:57] + "…"
    head = HEAD[v.verdict]
    if v.verdict == "listed" and v.matches and all(m.list == "user" for m in v.matches):
        head = "在你导入的名单上 LISTED on your own list"
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
            lines.append(
                "  支持“招揽” for an offer: " + "；".join(f"“{s.text}” {s.note} +{s.weight:.2f}" for s in flags[:8])
            )
        if warns:
            lines.append("  反对“招揽” against: " + "；".join(f"“{s.text}” {s.note} {s.weight:.2f}" for s in warns[:8]))
    elif flags:
        lines.append("  招揽特征 signals: " + "；".join(f"{s.note}“{s.text}”" for s in flags[:8]))
    lines += [f"  注 note: {n}" for n in v.notes]
    if advice:
        lines += ["  " + line for line in ("建议 advice: " + ADVICE[v.verdict]).splitlines()]
    return "\n".join(lines)


def one_line(v: Verdict) -> str:
    best = v.matches[0] if v.matches else None
    why = (
        f"#{best.seq} {best.entry} ({best.method})"
        if best
        else ",".join(sorted({s.signal for s in v.signals if not s.counter}))
    )
    return safe(f"{v.verdict:<10}  {v.score:.2f}  {v.query}  {why}".rstrip())
