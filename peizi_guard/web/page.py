"""The investor's page: one HTML document, Chinese or English, no script and no external asset.
Pure: what to show in, HTML text out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from ..matcher import Verdict
from ..output.report import FIELD, METHOD, advice_for, own_list_only, source_title

T: dict[str, dict[str, Any]] = {
    "zh": {
        "lang": "zh-CN",
        "title": "配资平台查询",
        "other": ("en", "English"),
        "intro": "签约或转账之前，查一查：平台名称、公司、APP、微信号、网址，或粘贴一段广告文字。"
        "依据中国证监会公布的非法场外配资平台名单和中国证券业协会的黑名单。",
        "box": "平台名称、公司、APP、网址或广告文字",
        "check": "查询",
        "verdict": {"listed": "已列入官方名单", "suspicious": "可疑", "clear": "官方名单中未发现"},
        "clear_own": "官方名单和你导入的名单（LISTS）中均未发现",
        "mentioned": "未发现问题：提到名单上的平台，但不是招揽",
        "own_list": "在你导入的名单上",
        "evidence": "证据",
        "phrases": "招揽特征",
        "against": "反对招揽的迹象",
        "probability": "配资招揽概率",
        "next": "下一步怎么办",
        "advice": {
            "listed": "不要签约，不要转账。已转账的，保留合同、转账记录和聊天记录，向当地证监局反映或向公安机关报案。",
            "suspicious": "与名单上的平台高度相似，或者文字在招揽配资。先核实资质，再考虑任何付款。",
            "clear": "官方名单中未发现。这并不代表它合法：借钱炒股只能通过持牌证券公司的融资融券。",
        },
        "always": [
            "《全国法院民商事审判工作会议纪要》（九民纪要）第86条：除持牌证券公司的融资融券外，场外配资合同无效；"
            "在非法平台上的亏损和被挪用的资金往往难以追回。",
            "核实持牌机构：中国证监会网站“证券公司名录”（www.csrc.gov.cn）、中国证券业协会“信息公示”（www.sac.net.cn）。",
            "举报与求助：证监会服务热线 12386；涉嫌诈骗请拨 110 报警。",
        ],
        "calc": "杠杆计算器",
        "calc_intro": "看看一个配资报价（例如“1:9，月息1.5%”）对你的本金意味着什么。",
        "own": "自有资金（元，可写 10万）",
        "leverage": "杠杆倍数（持仓÷本金）",
        "ratio": "或 本金:借款（如 1:9）",
        "monthly": "月息（如 1.5%）",
        "days": "持有天数",
        "warning": "预警线",
        "liquidation": "平仓线",
        "run": "计算",
        "position": "持仓市值",
        "borrowed": "借入资金",
        "falls": "股价下跌多少就触线",
        "wipeout": "本金亏光",
        "cost": "持有成本（利息、管理费、交易费）",
        "breakeven": "保本所需涨幅",
        "chart": {
            "chart": "权益随股价涨跌变化",
            "x": "股价涨跌",
            "y": "权益占本金",
            "warning": "预警线",
            "liquidation": "平仓线",
        },
        "licensed": "对比：持牌券商融资融券约 1:1 杠杆，维持担保比例约 130% 时平仓，资金由银行第三方存管。",
        "lists": "名单",
        "official_list": "{title}：{count:,} 条，{date} 公布",
        "official_undated": "{title}：{count:,} 条",
        "user_list": "你导入的名单 “{id}”：{count:,} 条",
        "list_sep": "；",
        "error": "出错了",
        "back": "返回查询",
    },
    "en": {
        "lang": "en",
        "title": "Check a 配资 (margin lending) platform",
        "other": ("zh", "中文"),
        "intro": "Before you sign or pay, check a platform name, company, app, WeChat id, web address, or paste "
        "a piece of ad text. Checked against the CSRC list of illegal off-exchange 配资 platforms and the "
        "Securities Association of China's blacklist.",
        "box": "Platform name, company, app, address or ad text",
        "check": "Check",
        "verdict": {
            "listed": "LISTED on an official list",
            "suspicious": "SUSPICIOUS",
            "clear": "Not on the official lists",
        },
        "clear_own": "Not on the official lists nor on your own (LISTS)",
        "mentioned": "No problem found: it names a listed platform, but not as an offer",
        "own_list": "LISTED on your own list",
        "evidence": "Evidence",
        "phrases": "Offer signals",
        "against": "Signs against an offer",
        "probability": "Probability of a 配资 offer",
        "next": "What to do next",
        "advice": {
            "listed": "Do not sign, do not pay. If you have paid, keep the contract, transfer records and chats, "
            "and report to the local CSRC bureau or the police.",
            "suspicious": "Closely resembles a listed platform, or the text solicits 配资. Verify the licence before any payment.",
            "clear": "Not on the official lists. That alone does not make it legal: borrowing to trade shares is "
            "legal only through a licensed securities company's margin trading (融资融券).",
        },
        "always": [
            "Chinese courts hold 配资 contracts void (九民纪要, art. 86), except licensed securities companies' margin "
            "trading; losses and deposits at illegal platforms are hard to recover.",
            "Verify a licensed firm: the CSRC's list of securities companies (www.csrc.gov.cn) and the Securities "
            "Association of China's public records (www.sac.net.cn).",
            "Report or get help: CSRC hotline 12386; for fraud call the police (110).",
        ],
        "calc": "Leverage calculator",
        "calc_intro": "See what an offer such as “1:9, 1.5% a month” does to your own money.",
        "own": "Own capital (yuan, 10万 works)",
        "leverage": "Leverage (position ÷ own)",
        "ratio": "or own:borrowed (e.g. 1:9)",
        "monthly": "Monthly interest (e.g. 1.5%)",
        "days": "Days held",
        "warning": "Warning line",
        "liquidation": "Liquidation line",
        "run": "Calculate",
        "position": "Position",
        "borrowed": "Borrowed",
        "falls": "Price fall that reaches each line",
        "wipeout": "Own capital wiped out",
        "cost": "Cost of holding (interest, fees, trading)",
        "breakeven": "Rise needed to break even",
        "chart": {
            "chart": "Equity against the price move",
            "x": "price move",
            "y": "equity ÷ own capital",
            "warning": "warning",
            "liquidation": "liquidation",
        },
        "licensed": "Compare: licensed margin trading (融资融券) is about 1:1, closes out at about a 130% "
        "maintenance ratio, and the money stays with a custodian bank.",
        "lists": "Lists",
        "official_list": "{title}: {count:,} entries, published {date}",
        "official_undated": "{title}: {count:,} entries",
        "user_list": "your own list “{id}”: {count:,} entries",
        "list_sep": "; ",
        "error": "Error",
        "back": "Back to the check",
    },
}

CSS = """
body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:760px;margin:1.5em auto;
padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.6em}
textarea{width:100%;font-size:1.1em;padding:.4em;box-sizing:border-box}
button{font-size:1.1em;padding:.4em 1.4em;margin-top:.4em}
.verdict{font-size:2.2em;font-weight:bold;padding:.3em .5em;border-radius:6px;margin:.4em 0}
.listed{background:#fde2e1;color:#a61b1b}.suspicious{background:#fff1d6;color:#8a5300}.clear{background:#e3f4e5;color:#1d6b2b}
.q{color:#555;word-break:break-all}.lang{float:right}
table{border-collapse:collapse}td,th{padding:.15em .6em;border-bottom:1px solid #eee;text-align:right}
label{display:inline-block;margin:.2em 1em .2em 0}input{font-size:1em;width:9em}
.error{background:#fde2e1;padding:.5em}.small{color:#666;font-size:.9em}
"""


def page(
    lang: str,
    query: str = "",
    verdict: Verdict | None = None,
    calc: dict | None = None,
    chart: str = "",
    form: dict | None = None,
    error: str = "",
    lists: Sequence[dict] = (),
) -> str:
    """`lists`: the current lists, each {id, kind, published, issue, entry_count} (see lists_line)."""
    t = T[lang]
    other, other_name = t["other"]
    f = {"own": "10万", "leverage": "", "ratio": "", "monthly": "1.5%", "days": "30", "warning": "110%",
         "liquidation": "105%", **(form or {})}  # fmt: skip
    out = [
        _head(t, t["title"]),
        f'<a class="lang" href="/?lang={other}">{other_name}</a><h1>{escape(t["title"])}</h1><p>{escape(t["intro"])}</p>',
        f'<form method="post" action="/?lang={lang}"><textarea name="q" rows="3" maxlength="200000" '
        f'placeholder="{escape(t["box"])}" aria-label="{escape(t["box"])}">{escape(query)}</textarea>'
        f'<br><button type="submit" id="check">{escape(t["check"])}</button></form>',
    ]
    if error:
        out.append(f'<p class="error" id="error">{escape(t["error"])}: {escape(error)}</p>')
    if verdict is not None:
        out.append(_verdict(t, verdict, [x["id"] for x in lists if x.get("kind") == "user"]))
    out.append(_calc_form(t, lang, f))
    if calc is not None:
        out.append(_calc_result(t, calc, chart))
    if lists:
        out.append(f'<p class="small" id="lists">{escape(t["lists"])}: {escape(lists_line(t, lists))}</p>')
    out.append("</body></html>")
    return "".join(out)


def language(value: str | None) -> str:
    """The page's language from ?lang=: Chinese unless it names the other one."""
    return value if value in T else "zh"


def error_page(lang: str, status: int, en: str, zh: str) -> str:
    """A short page for an error the page cannot answer with itself (a body too large, too many
    requests): in the page's language, the Chinese one in Chinese then English, as the page says errors."""
    t = T[lang]
    return (
        _head(t, f"{t['error']} {status} – {t['title']}")
        + f'<h1>{escape(t["title"])}</h1><p class="error" id="error">{escape(t["error"])}: '
        + f"{escape(say(lang, en, zh))}</p>"
        + f'<p><a href="/?lang={lang}">{escape(t["back"])}</a></p></body></html>'
    )


def say(lang: str, en: str, zh: str) -> str:
    """An error as the page says it: English on the English page, Chinese then English on the Chinese one."""
    return en if lang == "en" else f"{zh} / {en}"


def _head(t: dict, title: str) -> str:
    return (
        f'<!doctype html><html lang="{t["lang"]}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body>"
    )


def lists_line(t: dict, lists: Sequence[dict]) -> str:
    """The lists a verdict rests on: official ones by publisher, title and publication date, the
    user's own by the name they were imported under, after the official ones."""
    parts = []
    for x in sorted(lists, key=lambda x: x.get("kind") == "user"):
        count, date = x.get("entry_count") or 0, x.get("published") or x.get("issue") or ""
        if x.get("kind") == "user":
            parts.append(t["user_list"].format(id=x["id"], count=count))
        else:
            key = "official_list" if date else "official_undated"
            parts.append(t[key].format(title=source_title(x["id"]), count=count, date=date))
    return t["list_sep"].join(parts)


def _verdict(t: dict, v: Verdict, own: Sequence[str] = ()) -> str:
    """`own`: the ids of the user's own lists, checked too (a clear answer names them)."""
    q = v.query if len(v.query) <= 200 else v.query[:197] + "…"
    mentioned = v.verdict == "clear" and bool(v.matches)  # a listed name inside a warning or report
    head = t["own_list"] if own_list_only(v) else t["mentioned"] if mentioned else t["verdict"][v.verdict]
    if v.verdict == "clear" and not mentioned and own:
        head = t["clear_own"].replace("LISTS", ("、" if t["lang"] != "en" else ", ").join(own))
    out = [
        f'<section id="result"><div class="verdict {v.verdict}" id="verdict">{escape(head)}</div>',
        f'<p class="q">{escape(q)}</p>',
    ]
    if v.matches:
        out.append(f'<h2>{escape(t["evidence"])}</h2><ul id="evidence">')
        for m in v.matches[:10]:
            out.append(
                f"<li>{escape(source_title(m.source, m.list))} #{m.seq} <b>{escape(m.entry)}</b> — "
                f"{escape(FIELD.get(m.field, m.field))} “{escape(m.value)}” ({escape(METHOD.get(m.method, m.method))}, "
                f"{m.score:.2f})</li>"
            )
        out.append("</ul>")
    flags = [s for s in v.signals if not s.counter]
    against = [s for s in v.signals if s.counter]
    if flags:
        out.append(f'<h2>{escape(t["phrases"])}</h2><ul id="phrases">')
        shown = [(s, s.note_en if t["lang"] == "en" and s.note_en else s.note) for s in flags[:8]]
        out += [f"<li>“{escape(s.text)}” {escape(note)} {s.weight:+.2f}</li>" for s, note in shown]
        out.append("</ul>")
    if against:
        out.append(f'<p class="small">{escape(t["against"])}: ')
        out.append("；".join(f"“{escape(s.text)}”" for s in against[:6]) + "</p>")
    if v.probability is not None:
        out.append(f'<p class="small">{escape(t["probability"])}: {round(v.probability, 3):.2f}</p>')
    if v.notes:
        out.append('<ul class="small" id="notes">' + "".join(f"<li>{escape(n)}</li>" for n in v.notes) + "</ul>")
    advice = t["advice"][v.verdict]
    if mentioned or (v.verdict == "suspicious" and not v.matches) or (v.verdict == "clear" and own):
        zh, _, en = advice_for(v, lambda: own).partition("\n")  # as check says it, in this language
        advice = en if t["lang"] == "en" else zh
    out.append(f"<h2>{escape(t['next'])}</h2><p>{escape(advice)}</p><ul>")
    out += [f"<li>{escape(line)}</li>" for line in t["always"]]
    out.append("</ul></section>")
    return "".join(out)


RATIO = "1:9"  # what the calculator takes when neither leverage nor ratio is typed


def _calc_form(t: dict, lang: str, f: dict) -> str:
    def box(name: str, label: str, hint: str = "") -> str:
        shown = f' placeholder="{escape(hint)}"' if hint else ""
        return f'<label>{escape(label)}<br><input name="{name}" value="{escape(str(f.get(name, "")))}"{shown}></label>'

    return (
        f'<h2 id="calc">{escape(t["calc"])}</h2><p>{escape(t["calc_intro"])}</p>'
        f'<form method="get" action="/#calc"><input type="hidden" name="lang" value="{lang}">'
        + box("own", t["own"])
        + box("leverage", t["leverage"], "10")
        + box("ratio", t["ratio"], RATIO)  # shown, not filled in: typing a leverage is enough
        + box("monthly", t["monthly"])
        + box("days", t["days"])
        + box("warning", t["warning"])
        + box("liquidation", t["liquidation"])
        + f'<br><button type="submit" id="run">{escape(t["run"])}</button></form>'
    )


def _calc_result(t: dict, r: dict, chart: str) -> str:
    rows = [
        (t["position"], f"{r['position']:,.2f}"),
        (t["borrowed"], f"{r['borrowed']:,.2f}"),
        (f"{t['falls']}: {t['warning']}", f"{-r['drop_to_warning']:+.2%}"),
        (f"{t['falls']}: {t['liquidation']}", f"{-r['drop_to_liquidation']:+.2%}"),
        (t["wipeout"], f"{-r['drop_to_wipeout']:+.2%}"),
        (t["cost"], f"{r['total_cost']:,.2f}"),
        (t["breakeven"], f"{r['breakeven_move']:+.2%}"),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<section id="calc-result"><table>{body}</table>{chart}<p>{escape(t["licensed"])}</p></section>'
