"""The one normalisation module: names, hosts and URLs, used by parsers and matchers alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from itertools import compress
from typing import TypeVar
from urllib.parse import urlsplit

from .lazyre import LazyPattern

R = TypeVar("R")


def cached_below(limit: int, maxsize: int) -> Callable[[Callable[[str], R]], Callable[[str], R]]:
    """Memoise a pure function of one string for arguments of at most `limit` characters (names,
    addresses, the same ones over and over in bulk work); longer ones (pages) are not kept."""

    def wrap(fn: Callable[[str], R]) -> Callable[[str], R]:
        cache: dict[str, R] = {}  # emptied when full: a dict look-up is cheaper than lru_cache's

        @wraps(fn)
        def call(text: str) -> R:
            try:
                return cache[text]
            except KeyError:
                pass
            out = fn(text)
            if len(text or "") <= limit:
                if len(cache) >= maxsize:
                    cache.clear()
                cache[text] = out
            return out

        return call

    return wrap


T2S = "data/t2s.txt"


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, int]:
    """Traditional→simplified, character by character: data/t2s.txt, two lines (the traditional
    characters, their simplified forms) generated from OpenCC's TSCharacters (generate_t2s).
    str.translate is ~30× faster than OpenCC's converter, and names need no phrase-level
    conversion; the shipped lines cost 0.5 ms to read, the dictionary 6 ms to parse."""
    from . import read_data

    trad, simp = read_data(T2S).split("\n")[1:3]
    return str.maketrans(trad, simp)


def generate_t2s() -> str:
    """data/t2s.txt from the TSCharacters dictionary shipped by opencc-python-reimplemented."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("opencc")
    assert spec is not None and spec.submodule_search_locations, "opencc is a dependency"
    path = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "TSCharacters.txt"
    pairs = []
    for line in path.read_text("utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        cands = simp.split()
        if len(trad) == 1 and cands and trad not in cands:  # 乾 (also simplified) stays 乾
            assert len(cands[0]) == 1, line
            pairs.append((trad, cands[0]))
    head = "# generated from OpenCC's TSCharacters (Apache-2.0): traditional, then simplified (python -m peizi_guard.normalise)"
    return "\n".join([head, "".join(t for t, _ in pairs), "".join(s for _, s in pairs)]) + "\n"


# Letters that look like Latin ones in other scripts (Cyrillic, Greek) and 〇 (the zero of 一〇八):
# a name or host spelled with them reads the same to a person, so it is matched the same.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "һ": "h",
        "ӏ": "l",
        "ɑ": "a",
        "ɡ": "g",
        "ο": "o",
        "α": "a",
        "ν": "v",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "κ": "k",
        "ι": "i",
        "ε": "e",
        "η": "n",
        "χ": "x",
        "〇": "0",
        # Japanese forms of Chinese characters (徳配资 is 德配资 to a reader): neither traditional nor simplified
        **dict(
            zip(
                "徳沢広売気楽発経価険図実権証亜悪圧営黒拡歳伝転鉄変戦銭労単総",
                "德泽广卖气乐发经价险图实权证亚恶压营黑扩岁传转铁变战钱劳单总",
            )
        ),
    }
)


# the full-width forms of ASCII and the ideographic space, as NFKC reads them: most of what it
# changes in Chinese text (，：！（）), replaced first so the normaliser runs only when more is left
_ANY_WIDE = re.compile("[\uff01-\uff5e\u3000]")


@lru_cache(maxsize=1)
def _wide() -> dict[str, str]:
    return {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}


@cached_below(256, 65536)
def fold(text: str) -> str:
    """Width, case and script folding: NFKC, traditional→simplified, lower case."""
    text = text or ""
    if len(text) <= 256:  # a name: the plain way is the quickest
        text = unicodedata.normalize("NFKC", text)
        return (text if text.isascii() else text.translate(_t2s_table())).lower()
    # a page: each replaced character is its own full decomposition, so the text keeps its NFKD
    # and, when nothing else is left to normalise, this is its NFKC (1 ms → 0.05 ms)
    narrow = _replace(text, _ANY_WIDE, _wide())
    text = narrow if unicodedata.is_normalized("NFKC", narrow) else unicodedata.normalize("NFKC", text)
    return (text if text.isascii() else _t2s(text)).lower()


def _t2s(text: str) -> str:
    """Traditional→simplified in a page (str.translate looks up every character: 0.1 µs each)."""
    if _ASTRAL.search(text):
        return text.translate(_t2s_table())
    return _replace(text, *_t2s_search())


def _replace(text: str, chars: re.Pattern, table: dict[str, str]) -> str:
    """`text` with each character `chars` finds replaced by its entry in `table`: by str.replace,
    one distinct character at a time, when they are few and none becomes another of them."""
    found = set(chars.findall(text))
    if len(found) > 32 or any(table[c] in table for c in found):
        return text.translate({ord(c): table[c] for c in found})
    for c in found:
        text = text.replace(c, table[c])
    return text


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _t2s_search() -> tuple[re.Pattern, dict[str, str]]:
    """A pattern finding the traditional characters of the Basic Multilingual Plane (a set of
    them is a bitmap to the regex engine; with the others it is 100× slower), and their forms."""
    table = {chr(k): chr(v) for k, v in _t2s_table().items()}
    return re.compile("[" + "".join(c for c in table if c <= "\uffff") + "]"), table


# zero-width and direction marks, soft hyphen, BOM: invisible, so never part of what is read
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
        "\ufeff\u00ad\u180e\u034f\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069",
    )
)


_ANY_INVISIBLE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")


def is_blank(text: str) -> bool:
    """Nothing a reader sees: only spaces and invisible characters (zero-width, BOM …)."""
    return not (text.translate(_INVISIBLE) if _ANY_INVISIBLE.search(text) else text).strip()


_WORD_CHAR = re.compile(r"[^\W_]")  # a letter, digit or ideograph (sre's [^\W_] is str.isalnum)


def has_words(text: str) -> bool:
    """Something to look up: a letter, digit or ideograph, not only spaces, punctuation or symbols."""
    return _WORD_CHAR.search(text) is not None


def clean_text(text: str) -> str:
    """Text as a reader sees it: HTML entities decoded, invisible characters dropped, folded."""
    if "&" in text:
        import html  # html.entities: 1-2 ms a name check need not pay

        text = html.unescape(text)  # (&#8203; is an invisible character too)
    if _ANY_INVISIBLE.search(text):  # a search is 15× cheaper than a translation finding nothing
        text = text.translate(_INVISIBLE)
    return fold(text)


def as_written(text: str, folded: str) -> str | None:
    """Where `folded` (words of `text` after `clean_text` and without whitespace, as the model
    reads them) is written in `text` itself: its traditional characters, capitals, full-width
    forms and spaces as the reader sees them (None when not found, e.g. inside an HTML entity)."""
    if not folded:
        return None
    at = text.find(folded)
    if at >= 0:
        a, b = at, at + len(folded)
    else:
        read, origin = _aligned(text)
        at = read.find(folded)
        if at < 0:
            return None
        a, b = origin[at], origin[at + len(folded) - 1] + 1
    while 0 < a < b and _latin(text[a - 1]) and _latin(text[a]):  # a word of Latin letters whole:
        a -= 1  # "financing", not "ncing"
    while a < b < len(text) and _latin(text[b - 1]) and _latin(text[b]):
        b += 1
    return _SPACE_RUN.sub(" ", text[a:b])


_SPACE_RUN = re.compile(r"\s+")
_READ_AS: dict[str, str] = {}  # a character → what the model reads for it ("" for spaces, invisible ones)


@lru_cache(maxsize=4)  # the texts whose evidence is being quoted: a few phrases each
def _aligned(text: str) -> tuple[str, list[int]]:
    """`text` read character by character as the model reads it, and where each character read
    comes from in `text`."""
    for c in set(text).difference(_READ_AS):
        _READ_AS[c] = "" if c.isspace() or ord(c) in _INVISIBLE else fold(c)
    reads = list(map(_READ_AS.__getitem__, text))
    if max(map(len, reads), default=0) <= 1:  # each character read as one or none: mapped in C
        return "".join(reads), list(compress(range(len(text)), reads))
    origin: list[int] = []
    for i, r in enumerate(reads):
        origin += [i] * len(r)
    return "".join(reads), origin


def _latin(c: str) -> bool:
    return c.isascii() and c.isalnum()


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@cached_below(256, 65536)
def name_key(text: str) -> str:
    """A name with width, case, script, look-alike letters, spaces and punctuation folded away."""
    if "\u2122" in text or "\u2120" in text:  # ™ and ℠ are marks, not the letters TM / SM NFKC makes them
        text = text.replace("\u2122", "").replace("\u2120", "")
    folded = fold(text)
    return _PUNCT.sub("", folded if folded.isascii() else folded.translate(_CONFUSABLES))


# ---- hosts and URLs -------------------------------------------------------

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_NUMERIC_HOST = LazyPattern(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*", re.I)
_DOTS = str.maketrans({"。": ".", "．": ".", "｡": ".", "，": "."})
# a plain address (www.abc123.com, https://abc.com.cn/): read the same by the standard's parser,
# which has nothing to decode, map or number-parse in it (the last label is letters only)
_PLAIN = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,63})/?", re.I)


@cached_below(512, 16384)
def split_url(value: str) -> tuple[str, str]:
    """(host, path) of a URL or bare domain as printed, or ("", "") when there is no host.

    Read as a browser reads it (WHATWG URL standard, through ada-url): backslashes are slashes,
    percent-encoded hosts are decoded, user info is dropped, IDNA applied. The host is lower
    case, ASCII, without port, trailing or doubled dots and without a leading ``www.``, with
    look-alike letters of other scripts folded; the path keeps its query but drops the fragment.
    """
    plain = _PLAIN.fullmatch(value.strip()) if value else None
    if plain and "xn--" not in plain[1].lower():  # punycode is validated by the slow path
        host = clean_host(plain[1])
        if host:
            return host, ""
    return read_url(value)


def read_url(value: str) -> tuple[str, str]:
    """split_url without its fast path for plain addresses (tests compare the two)."""
    text = undefang(unicodedata.normalize("NFKC", (value or "").strip()).translate(_DOTS))
    text = _WHITESPACE.sub("", text)
    if not text:
        return "", ""
    if not text.isascii():
        text = text.translate(_CONFUSABLES)
    if not _SCHEME.match(text):
        text = "http://" + text.lstrip("/\\")
    browser = _as_browser(text)
    if browser is not None:
        return browser
    try:
        parts = urlsplit(text)
        netloc = parts.netloc
    except ValueError:
        return "", ""
    host = netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        return "", ""  # IPv6 literals never name a listed platform
    host = host.split(":", 1)[0]
    host = clean_host(host)
    if not host:
        return "", ""
    if _NUMERIC_HOST.fullmatch(host):  # 0..0 cleaned to 0.0, which a browser reads as 0.0.0.0
        browser = _as_browser(f"http://{host}/")
        if browser and browser[0]:
            host = browser[0]
    path = parts.path or ""
    if parts.query:
        path += "?" + parts.query
    if path == "/":
        path = ""
    return host, path


_WHITESPACE = re.compile(r"\s+")
_DOUBLE_DOTS = re.compile(r"\.{2,}")
_HOST_CHARS = re.compile(r"[^\s/\\?#@:]+")
_ASCII_HOST = re.compile(r"[a-z0-9.-]+")
_TLD = re.compile(r"[a-z]{2,24}|xn--[a-z0-9-]+|中国|中國|公司|网络|網絡")
_LABEL = re.compile(r"[\w-]+")


@lru_cache(maxsize=65536)
def clean_host(host: str) -> str:
    host = _DOUBLE_DOTS.sub(".", host.strip(".").lower())
    if not host or len(host) > 253 or not _HOST_CHARS.fullmatch(host):
        return ""  # DNS names are at most 253 characters
    try:
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
        elif "xn--" in host:
            host.encode("ascii").decode("idna")  # validate punycode
    except (UnicodeError, ValueError):
        return ""
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    if "." not in host or not _ASCII_HOST.fullmatch(host):
        return ""
    return host


def _as_browser(url: str) -> tuple[str, str] | None:
    """(host, path) by the WHATWG parser, or None when it refuses the URL (then the lenient
    reading below is used: official lists print addresses browsers would reject, like a..cn)."""
    from ada_url import parse_url

    try:  # the four parts in one call (each attribute of ada_url.URL is a call of its own)
        u = parse_url(url, attributes=("hostname", "protocol", "pathname", "search"))
    except ValueError:
        return None
    if u["hostname"].startswith("["):
        return "", ""  # IPv6 literals never name a listed platform
    if u["protocol"] not in ("http:", "https:") or not u["hostname"]:
        return None
    host = clean_host(u["hostname"])
    if not host:
        return None
    path = u["pathname"] + u["search"]
    return host, ("" if path == "/" else path)


def host_of(value: str) -> str:
    return split_url(value)[0]


_TLDS = r"(?:com|cn|net|org|top|vip|xyz|cc|info|co|io|me|tv|hk)(?![a-z])"
_DEFANGED = LazyPattern(
    r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)"
    rf"|(?<=[a-z0-9])\s*点\s*(?={_TLDS})",
    re.I,
)
# an address with ideographic or full-width stops for dots (www。ddpz666。com): only a run of
# labels that ends in a top-level domain, so a sentence's full stop stays one
_STOPS_HOST = LazyPattern(rf"(?<![a-z0-9-])(?:[a-z0-9-]+[。｡．.])+{_TLDS}", re.I)
_STOPS = str.maketrans({"。": ".", "｡": ".", "．": "."})


def undefang(text: str) -> str:
    """www[.]ddpz666[.]com, ddpz666点com, ddpz666 点 com, www。ddpz666。com: addresses written so
    that none is a link (blocklists, warnings, ads that dodge filters)."""
    if "[" in text or "(" in text or "{" in text or "点" in text:
        text = _DEFANGED.sub(".", text)
    if _stop_after_letter(text):
        text = _STOPS_HOST.sub(lambda m: m.group().translate(_STOPS), text)
    return text


def _stop_after_letter(text: str) -> bool:
    """A stop (。｡．) right after a Latin letter or digit: the only place an address may use one
    for a dot (a page of Chinese has hundreds of stops, each after a Chinese character)."""
    for stop in "。｡．":
        at = text.find(stop)
        while at > 0:
            if text[at - 1].isascii() and text[at - 1].isalnum():
                return True
            at = text.find(stop, at + 1)
    return False


# a dot with spaces around it, before a common top-level domain that ends the host
_SPACED_DOT = LazyPattern(rf"(?<=[a-z0-9])(?:[ \t]+\.[ \t]*|\.[ \t]+)(?={_TLDS}(?:[/:?#]|[ \t]*$))", re.I)
# a colon (of a scheme), a dot, or what _DOTS or undefang make one: without any, no address
_URL_MARK = re.compile(r"[:.。．｡，\[({点]")


@cached_below(512, 16384)
def looks_like_url(text: str) -> bool:
    """True when a query is a URL or a bare domain rather than a name (a final dot is allowed)."""
    t = unicodedata.normalize("NFKC", text.strip())
    if _URL_MARK.search(t) is None:  # no scheme's colon, and nothing that is or becomes a dot: a name
        return False
    t = undefang(t.translate(_DOTS))
    if _ANY_INVISIBLE.search(t):  # ddpz666\u200b.com: read by browsers (and split_url) without it
        t = t.translate(_INVISIBLE)
    if " " in t or "\t" in t:  # ddpz666 .com, ddpz666. com: a query that dodges link filters
        t = _SPACED_DOT.sub(".", t)
    t = t.lstrip("/")
    if "/" not in t and "?" not in t:
        t = t.rstrip(".")
    if _SCHEME.match(t) or t.lower().startswith("www."):
        return True
    host = t.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if IPV4.fullmatch(host):  # 45.76.1.2, 45.76.1.2:8888/pz
        return True
    labels = host.split(".")
    if len(labels) < 2 or not all(labels[-1:]):
        return False
    tld = labels[-1]
    return bool(_TLD.fullmatch(tld.lower())) and all(_LABEL.fullmatch(lab) for lab in labels if lab)


# Starts only where a run of host characters starts, and never backtracks into a label: linear time
# even on hostile pages (100 kB of letters without a dot).
# An IP address counts in text with its scheme, port or path (a bare 1.2.3.4 may be a version);
# never the end of an IPv6 address (::ffff:45.76.1.2).
_URL_IN_TEXT = LazyPattern(
    r"(?<![a-z0-9.-])(?:https?://)?(?:(?:[a-z0-9-]++\.)++[a-z]{2,}+|(?<![\d.])(?<![0-9a-f]:)(?<!::)\d{1,3}(?:\.\d{1,3}){3}(?!\d)(?!\.\d))"
    r"(?::\d+)?(?:/[^\s\"'<>，。）)]*)?",
    re.I,
)
IPV4 = re.compile(r"(?:25[0-5]|2[0-4]\d|[01]?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|[01]?\d?\d)){3}")  # 010.1.2.3 too


def find_urls(text: str, bare_ips: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, address) of every URL or bare domain written in a folded text; an IP address
    alone (no scheme, port or path) only with `bare_ips` (a query's 网址：45.76.1.2, not a text's
    version 1.2.3.4)."""
    if "." not in text:  # every address the pattern reads has a dot (in its host or IP address)
        return []
    return [
        (m.start(), m.end(), m.group(0))
        for m in _urls_in(text)
        if looks_like_url(m.group(0))
        and (bare_ips or not IPV4.fullmatch(m.group(0)) or text[max(0, m.start() - 3) : m.start()] == "://")
    ]


# where a match of _URL_IN_TEXT may start: the first character of a run of host characters (its
# look-behind); a run starts with a character class, which sre finds by a fast scan in C
_HOST_RUN = LazyPattern(r"[a-z0-9.-]+", re.I)


def _urls_in(text: str) -> Iterator[re.Match]:
    """`_URL_IN_TEXT.finditer(text)`, tried only where a match may start: a run of host characters
    holding a dot, or followed by :// (https://…). In a page of Chinese that is 0.1 ms in 10 kB
    instead of 0.7 ms: the pattern's look-behinds are not tried at every character."""
    after = 0
    for run in _HOST_RUN.finditer(text):
        at = run.start()
        if at < after or text[at] == ".":  # inside the last address; a dot cannot start one
            continue
        if "." not in run.group() and not text.startswith("://", run.end()):  # no host, no http://
            continue
        m = _URL_IN_TEXT.match(text, at)
        if m is not None:
            after = m.end()
            yield m


# ---- names: decorations, separators, company cores ------------------------

_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_BRACKETED = re.compile(r"[【\[(（〔{]([^】\])）〕}]*)[】\])）〕}]")


_LX: list = []


def _lexicon():  # noqa: ANN202 -- the matcher's lexicon, imported on first use (matcher imports this module)
    if not _LX:
        from .matcher.lexicon import lexicon

        _LX.append(lexicon)
    return _LX[0]()


def _strip_decorations(key: str, decorations: tuple[str, ...]) -> str:
    if not (key.endswith(decorations) or key.startswith(decorations)):  # most keys: one test in C
        return key
    changed = True
    while changed and key:
        changed = False
        for d in decorations:
            if key.endswith(d) and len(key) > len(d) + 1:
                key, changed = key[: -len(d)], True
            elif key.startswith(d) and len(key) > len(d) + 1:
                key, changed = key[len(d) :], True
    return key


def name_variants(text: str) -> list[str]:
    """Keys a name is looked up under: the whole name and each part between separators
    (``杜德配资-股票配资平台``), with decorations (官网, 平台, APP, bracketed 官方网站 …) removed."""
    return list(_name_variants(text))  # a list of its own: the kept tuple is shared


@cached_below(256, 16384)
def _name_variants(text: str) -> tuple[str, ...]:
    lx = _lexicon()
    folded = _QUOTES.sub("", fold(text))
    folded = _BRACKETED.sub(
        lambda m: (
            "" if _strip_decorations(name_key(m.group(1)), lx.decorations) in ("", *lx.decorations) else m.group(0)
        ),
        folded,
    )
    parts = [folded] + [p for p in _region_joined(lx.separators.split(folded), lx) if p != folded]
    out: list[str] = []
    for part in parts:
        key = _strip_decorations(name_key(part), lx.decorations)
        if len(key) >= 2 and key not in out:
            out.append(key)
    return tuple(out)


def _region_joined(parts: list[str], lx) -> list[str]:  # noqa: ANN001
    """Parts with a region alone joined to the company after it: 上海 信立投资有限公司 names one
    company, 上海信立投资有限公司, not 信立投资有限公司."""
    if len(parts) < 2:
        return parts
    out = [parts[0]]
    for part in parts[1:]:
        if name_key(out[-1]) in _regions(lx)[0] and name_key(part).endswith(lx.company_suffixes):
            out[-1] += part
        else:
            out.append(part)
    return out


def _regions(lx) -> tuple[frozenset[str], int]:  # noqa: ANN001
    """(every region as written alone: 北京, 北京市, 广东省 …; the longest one's length)."""
    got = _REGION_FORMS.get(id(lx.regions))
    if got is None:
        forms = frozenset(r + e for r in lx.regions for e in ("", "市", "省"))
        got = _REGION_FORMS[id(lx.regions)] = (forms, max(map(len, forms)))
    return got


_REGION_FORMS: dict[int, tuple[frozenset[str], int]] = {}


@cached_below(256, 16384)
def company_core(text: str) -> str:
    """A company name without its legal form, region and trade words: 北京哲杜德科技有限公司 → 哲杜德."""
    lx = _lexicon()
    key = _trunk(name_key(text), lx)
    if key.endswith(lx.company_suffixes):
        for suffix in lx.company_suffixes:
            if key.endswith(suffix):
                key = key[: -len(suffix)]
                break
    words = _affixes(lx.company_words, ("",))
    changed = True
    while changed:
        # what the plain loops over every region and word do, visiting only those at either end
        stripped = _without_regions(key, lx)
        changed, key = stripped != key, stripped
        j = -1
        while (j := words.next(key, j, prefix=False)) >= 0:
            w = lx.company_words[j]
            if key.endswith(w) and len(key) > len(w) + 1:
                key, changed = key[: -len(w)], True
    return key


@cached_below(256, 16384)
def company_base(text: str) -> str:
    """A company name without its legal form and region, its trade words kept: 北京华信投资有限公司
    → 华信投资 (a company named after a platform carries the platform's whole name)."""
    lx = _lexicon()
    key = _trunk(name_key(text), lx)
    for suffix in lx.company_suffixes:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    return _without_regions(key, lx)


BRANCH_ENDS = ("分公司", "营业部", "办事处")
_AFTER_FORM = LazyPattern(r"(.{2,}?(?:股份有限公司|有限责任公司|有限公司)).{0,16}(?:分公司|营业部|办事处)")


def _trunk(key: str, lx) -> str:  # noqa: ANN001
    """A branch's company: 广发证券股份有限公司上海分公司 → 广发证券股份有限公司 (up to its legal
    form), 杜德配资上海分公司 → 杜德配资 (without the branch word and the region before it)."""
    if not key.endswith(BRANCH_ENDS):
        return key
    m = _AFTER_FORM.fullmatch(key)
    if m:
        return m[1]
    trunk = key[:-3]
    forms, longest = _regions(lx)  # only "<company><region>分公司" reads as a branch: the longest region
    for n in range(min(len(trunk) - 2, longest), 0, -1):
        if trunk[-n:] in forms:
            return trunk[:-n]
    return key


def _without_regions(key: str, lx) -> str:  # noqa: ANN001
    """`key` without the regions (北京, 北京市, 广东省 …) at either end, one pass over them."""
    regions = _affixes(lx.regions, ("市", "省", ""))
    j = -1
    while (j := regions.next(key, j, prefix=True)) >= 0:
        for form in (lx.regions[j] + "市", lx.regions[j] + "省", lx.regions[j]):
            if key.startswith(form) and len(key) > len(form) + 1:
                key = key[len(form) :]
            if key.endswith(form) and len(key) > len(form) + 1:
                key = key[: -len(form)]
    return key


class _Affixes:
    """Which of a list of words (with endings added) stand at the start or end of a key."""

    def __init__(self, items: tuple[str, ...], endings: tuple[str, ...]):
        self.starts: dict[str, list[int]] = {}
        self.ends: dict[str, list[int]] = {}
        for i, w in enumerate(items):
            self.starts.setdefault(w, []).append(i)
            for e in endings:
                self.ends.setdefault(w + e, []).append(i)
        self.start_lengths = sorted({len(k) for k in self.starts})
        self.end_lengths = sorted({len(k) for k in self.ends})

    def next(self, key: str, after: int, prefix: bool) -> int:
        """The first index above `after` whose word starts (if `prefix`) or ends the key; -1 if none."""
        best, n = -1, len(key)
        for length in self.end_lengths:
            if length > n:
                break
            for i in self.ends.get(key[-length:], ()):
                if i > after and (best < 0 or i < best):
                    best = i
        if prefix:
            for length in self.start_lengths:
                if length > n:
                    break
                for i in self.starts.get(key[:length], ()):
                    if i > after and (best < 0 or i < best):
                        best = i
        return best


_AFFIXES: dict[tuple, tuple[tuple[str, ...], _Affixes]] = {}


def _affixes(items: tuple[str, ...], endings: tuple[str, ...]) -> _Affixes:
    key = (id(items), endings)  # the lexicon's tuples live as long as the process: no hash of them per call
    got = _AFFIXES.get(key)
    if got is None or got[0] is not items:
        got = _AFFIXES[key] = (items, _Affixes(tuple(items), endings))
    return got[1]


@cached_below(64, 65536)
def strip_generic(key: str) -> str:
    """A name key without its trade words (股票, 配资, 策略 …): 速配资 → 速."""
    for w in _lexicon().generic_words:
        key = key.replace(w, "")
    return key


def is_generic(key: str) -> bool:
    """True for a name made only of trade words (股票配资): never evidence on its own in a longer text."""
    return len(strip_generic(key)) < 2


FORMER_NAME = LazyPattern(r"[（(]\s*(?:曾用名|原名|原)\s*[:：]?\s*([^）)]+?)\s*[)）]")
STATUS_NOTE = LazyPattern(r"[（(]\s*(已注销|已吊销|注销|吊销|已撤销)\s*[)）]")


def company_parts(text: str) -> list[str]:
    """Each company named in a cell as printed: `/`-separated, former names (曾用名) included,
    status notes (已注销) dropped."""
    if "/" not in text and "(" not in text and "（" not in text:  # one company, as most cells are
        return [text.strip()] if text.strip() else []
    former = FORMER_NAME.findall(text)
    rest = STATUS_NOTE.sub("", FORMER_NAME.sub("", text))
    return [p.strip() for p in re.split(r"\s*/\s*", rest) if p.strip()] + former


if __name__ == "__main__":
    import os

    from . import PACKAGE

    with open(os.path.join(PACKAGE, *T2S.split("/")), "w", encoding="utf-8") as fh:
        fh.write(generate_t2s())
    print(f"{T2S}: {len(_t2s_table.__wrapped__())} characters")
