"""`peizi-guard serve`: a JSON API for systems and one page for investors, a thin shell over
`Guard` (one per process, opened at start-up, read-only while serving, following the lists when
`import` or a `refresh` cron job changes them)."""

from __future__ import annotations

import email.message
import inspect
import os
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import Scope

from .. import version
from ..calc import CalcError, calculate, calculate_from, param, parse_fraction
from ..db.engine import mask
from ..guard import SHOWS_NOTHING, Guard, shows_nothing, undecoded
from ..matcher.match import no_name_alone
from ..matcher.query import reads_as_text, strip_question
from ..matcher.suffix import registrable
from ..normalise import fold, looks_like_url, name_key, name_variants, split_url
from .chart import equity_chart
from .limits import BodyLimit, RateLimit, page_lang, problem_body
from .page import RATIO, T, error_page, language, page, say
from .spec import describe_problems

MAX_QUERIES = 1_000  # per request
MAX_QUERY = 2_000  # characters of one name or URL
MAX_TEXT = 200 * 1024  # bytes of one text (UTF-8)
EMPTY = SHOWS_NOTHING  # what Guard refuses as nothing to check
RATE_LIMIT = 120  # requests a minute per client
FOLLOW_EVERY = 2.0  # seconds between looks at whether another process changed the lists
FORM = ("application", "x-www-form-urlencoded")  # the media type of the page's form, the one it takes
PAGE_FIELDS = {"monthly_rate": "monthly", "warning_line": "warning", "liquidation_line": "liquidation"}  # form names


def _text_only(value: str) -> str:
    """A string that is text: JSON's "\\ud800" (a lone surrogate) is a 422 naming the field, not
    a crash when the answer is encoded."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        at = f"U+{ord(value[exc.start]):04X} at character {exc.start + 1}"
        raise PydanticCustomError("lone_surrogate", f"a lone surrogate ({at}) is not text") from None
    return value


Text = Annotated[str, AfterValidator(_text_only)]


class _Body(BaseModel):
    """A JSON body: a key the endpoint does not take is a 422 naming it, as a query parameter is
    (`as_of` would otherwise answer for today's lists)."""

    model_config = ConfigDict(extra="forbid")  # /openapi.json says so too

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(cls.model_fields))
            if unknown:
                raise PydanticCustomError("unknown_key", _unknown("key", unknown, list(cls.model_fields)))
        return data


class CheckRequest(_Body):
    queries: list[Text] = Field(description=f"Names, companies, apps or URLs, at most {MAX_QUERIES:,}.")


class TextRequest(_Body):
    text: Text = Field(description="Ad copy or page text, at most 200 kB (UTF-8).")


def create_app(db: str | None = None, rate_limit: int = RATE_LIMIT, follow_every: float = FOLLOW_EVERY) -> FastAPI:
    guard = _SharedGuard(db)
    guard.index  # noqa: B018 -- opened at start-up: the first request does not pay for it
    app = FastAPIOffline(
        title="peizi-guard",
        version=version(),
        description="Check platforms, URLs and ad text against the official lists of illegal 配资 platforms.",
        redirect_slashes=False,  # /api/check/ is 404: its redirect named whatever Host the request gave
    )
    state = _State(guard, follow_every)
    _errors(app)
    describe_problems(app)
    _api(app, state)
    _page(app, state)
    app.add_middleware(RateLimit, per_minute=rate_limit)
    app.add_middleware(BodyLimit)
    app.add_middleware(HeadAsGet)  # outermost: a 413 or 429 has no body either
    return app


class HeadAsGet:
    """ASGI middleware: HEAD is answered as GET without the body (the same status and headers,
    Content-Length too), wherever GET is (uptime monitors probe /healthz with HEAD); a path
    without GET answers HEAD as it answers GET (405 naming its methods)."""

    def __init__(self, app: Callable[..., Awaitable[None]]):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headless(msg: dict) -> None:
            if msg["type"] == "http.response.body":
                if msg.get("more_body"):
                    return
                msg = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(msg)

        await self.app({**scope, "method": "GET"}, receive, headless)


def app_from_env() -> FastAPI:
    """For uvicorn's workers (`factory=True`): the settings the command put in the environment."""
    db = os.environ.get("PEIZI_GUARD_DB") or None  # set but empty counts as unset, as everywhere
    return create_app(db, int(os.environ.get("PEIZI_GUARD_RATE_LIMIT", RATE_LIMIT)))


class _SharedGuard(Guard):
    """The Guard the request threads share: its index is got and dropped (by `follow`) under one
    lock, so a thread always gets a whole index and keeps it until its answer is done."""

    def __init__(self, db: str | None):
        super().__init__(db)
        self._index_lock = threading.Lock()

    @property
    def index(self):  # noqa: ANN201
        with self._index_lock:
            return super().index

    def follow(self, every: float = FOLLOW_EVERY) -> bool:
        with self._index_lock:
            return super().follow(every)


class _State:
    """What the pages and the API read: the Guard, and what is read once per version of the lists
    (the entries, the source ids, the line of lists under every page). `follow()`, at the start of
    each request that answers from the lists, drops all of it when another process changed them."""

    def __init__(self, guard: Guard, every: float = FOLLOW_EVERY):
        self.guard, self.every = guard, every
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()  # the line of lists reads the cached sources inside it

    def follow(self) -> None:
        with self._lock:
            if self.guard.follow(self.every):
                self._cache.clear()
                self.guard.index  # noqa: B018 -- the new lists now: follow looks only at a loaded index

    def _cached(self, name: str, read: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._cache:
                self._cache[name] = read()
            return self._cache[name]

    def entries(self) -> list[dict]:
        return self._cached("entries", self.guard.entries)

    def search(self, q: str) -> list[dict]:
        """The entries `q` is found in: in a name, alias, company (or its former name), address,
        app or account (微信号 gh_…), each read as names are matched (traditional or simplified,
        full width, case, spaces and punctuation folded away: 杜德配資, ＤＤＰＺ, 杜德 配资).
        An address is also looked for by its host (https://www.ddpz666.com/ as ddpz666.com), a name
        also without its decorations (宝利配資官网 as 宝利配资), and each part of it between separators
        (杜德配资-股票配资平台) as a whole value, as `check` looks a name up."""
        within, whole = _needles(q)
        read, name = name_key, "keys"
        if not within:  # only punctuation ("." or "-"): in the values as written, width and script folded
            within, read, name = [fold(q).strip()], fold, "folded"
        # each entry with its values read, together: `follow` may drop the lists between two looks
        pairs = self._cached(name, lambda: [(e, _haystack(e, read)) for e in self.entries()])
        lines = [f"\n{k}\n" for k in whole]
        return [e for e, values in pairs if any(n in values for n in within) or any(k in values for k in lines)]

    def sources(self) -> dict[str, str]:
        """Each source's id and kind (official | user), read once per version of the lists."""
        return self._cached("sources", lambda: {s["id"]: s["kind"] for s in self.guard.sources()})

    def known(self, source: str | None, name_them: bool = False) -> None:
        """404 for a source the database does not have; `name_them` adds the ones it has, as the
        CLI says it (the entries and the history keep the shorter answer their tests pin)."""
        have = self.sources()
        if source is not None and source not in have:
            listing = f" (have {', '.join(have)})" if name_them else ""
            raise _fail(404, f"unknown source: {source}{listing}")

    def lists(self) -> list[dict]:
        """The current snapshot of each list, with its kind (official | user), for the line under
        every page."""
        return self._cached("lists", self._read_lists)

    def _read_lists(self) -> list[dict]:
        kinds = self.sources()
        return [
            {"id": h["source"], "kind": kinds.get(h["source"], "official"), "published": h["published"],
             "issue": h["issue"], "entry_count": h["entry_count"]}
            for h in self.guard.history()
            if h.get("current")
        ]  # fmt: skip


def _fail(status: int, detail: str) -> HTTPException:
    return HTTPException(status, detail)


def _errors(app: FastAPI) -> None:
    def problem(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
        detail = detail.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate, as \\ud800
        return JSONResponse(problem_body(status, detail), status, headers, media_type="application/problem+json")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed(app, request.scope)}
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):  # GBK sent as JSON:
            return problem(422, "the body is not UTF-8: JSON is sent in UTF-8")  # another encoding, as the page's 422
        return problem(exc.status_code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(400, "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return problem(422, f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid")))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        what = type(exc).__name__
        lang = page_lang(request.scope)
        if lang:  # the page's crash is a page too
            return HTMLResponse(error_page(lang, 500, f"internal error ({what})", f"内部错误（{what}）"), 500)
        return problem(500, f"internal error ({what})")


def _allowed(app: FastAPI, scope: Scope) -> str:
    """Every method the path takes (Starlette names only those of the first route at the path),
    HEAD with GET."""
    methods: set[str] = set()
    for route in app.router.routes:
        if route.matches(scope)[0] != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    if "GET" in methods:  # HeadAsGet answers HEAD wherever GET is
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _media(kind: str) -> tuple[str, str]:
    """A Content-Type's type and subtype, lower case ("" and "" when none is given)."""
    if not kind:
        return "", ""
    message = email.message.Message()
    message["content-type"] = kind
    return message.get_content_maintype(), message.get_content_subtype()


def _given(kind: str) -> str:
    """A Content-Type as an error names it: its media type, without parameters."""
    return kind.split(";")[0].strip() or "none given"


def _json_body(request: Request) -> None:
    """A body of another media type (a form, plain text) is 415, not a validation error about it."""
    kind = request.headers.get("content-type", "")
    main, sub = _media(kind)
    if main != "application" or not (sub == "json" or sub.endswith("+json")):
        raise HTTPException(415, f"the body must be JSON (content-type: application/json), not {_given(kind)}",
                            {"Accept": "application/json"})  # fmt: skip


async def _keys_once(request: Request) -> None:
    """A JSON key given twice ({"queries": […], "queries": […]}) is a 422, as a repeated query
    parameter is: the parser would keep the last one silently."""
    import json

    def pairs(items: list) -> dict:
        again = sorted({k for k, n in Counter(k for k, _ in items).items() if n > 1})
        if again:
            raise _fail(422, _repeated(again, (), "key"))
        return dict(items)

    try:
        json.loads(await request.body(), object_pairs_hook=pairs)
    except ValueError:  # not JSON: the framework's own 422 says so
        pass


def _only(*names: str, body: bool = False, many: Sequence[str] = ()):  # noqa: ANN202
    """A query parameter the endpoint does not take is a 422, never silently ignored (as_of=…
    would otherwise answer for today's lists, anual_rate=… compute with no interest), and so is one
    that takes one value given more than once (own=10000&own=500000 would answer for the last).
    Every endpoint of the API has one; `body`: the endpoint's input is its JSON body; `many`: the
    parameters it takes again and again (`q` of GET /api/check, `move` of /api/calc)."""

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - set(names))
        if unknown:
            raise _fail(422, _unknown("parameter", unknown, names, "only a JSON body" if body else ""))
        given = Counter(k for k, _ in request.query_params.multi_items() if k not in many)
        again = sorted(k for k, n in given.items() if n > 1)
        if again:
            raise _fail(422, _repeated(again, many))

    return check


def _repeated(names: list[str], many: Sequence[str], what: str = "parameter") -> str:
    """The 422 for parameters (or JSON keys) given more than once that take one value."""
    which = f"{what} {names[0]}" if len(names) == 1 else f"{what}s {', '.join(names)}"
    takes = "it takes one value" if len(names) == 1 else "each takes one value"
    only = f" (only {', '.join(many)} may be repeated)" if many else ""
    return f"{which} given more than once: {takes}{only}"


def _unknown(what: str, unknown: list[str], names: Sequence[str], instead: str = "") -> str:
    """The 422 for parameters or body keys an endpoint does not take (the first ten, each cut short)."""
    plain = [n.encode("utf-8", "backslashreplace").decode("utf-8") for n in unknown[:10]]  # "\\ud800" as such
    shown = [n if len(n) <= 40 else n[:39] + "…" for n in plain] + ["…"] * (len(unknown) > 10)
    takes = ", ".join(names) or f"no query {what}s" + (f", {instead}" if instead else "")
    return f"unknown {what} {', '.join(shown)}: this endpoint takes {takes}"


def _api(app: FastAPI, state: _State) -> None:
    guard = state.guard
    json_body = [Depends(_json_body), Depends(_only(body=True)), Depends(_keys_once)]

    def check_all(queries: list[str]) -> list[dict]:
        if not queries:
            raise _fail(422, "give at least one query")
        if len(queries) > MAX_QUERIES:
            raise _fail(413, f"{len(queries):,} queries: at most {MAX_QUERIES:,} in one request")
        for q in queries:
            if len(q) > MAX_QUERY:
                raise _fail(413, f"a query of {len(q):,} characters: at most {MAX_QUERY:,} (use /api/text for text)")
            if problem := undecoded(q, name=True):  # (first: ?q=%FF is no empty query)
                raise _fail(422, f"a query {problem}")
            if shows_nothing(q):
                raise _fail(422, f"an empty query ({EMPTY})")
        state.follow()
        return [guard.check(q).to_dict() for q in queries]

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict:
        state.follow()
        return {"status": "ok", "version": version(), "entries": state.guard.index.entries}  # no list read

    @app.get(
        "/api/check",
        tags=["check"],
        summary="Check names and URLs (the objects of `check --json`)",
        dependencies=[Depends(_only("q", many=["q"]))],
    )
    def check_get(q: list[str] = Query(default=[], description="A name, company, app or URL; repeat q.")) -> list[dict]:
        return check_all(q)

    @app.post("/api/check", tags=["check"], summary="Check up to 1,000 names and URLs", dependencies=json_body)
    def check_post(body: CheckRequest) -> list[dict]:
        return check_all(body.queries)

    @app.post("/api/text", tags=["check"], summary="Judge ad copy or page text", dependencies=json_body)
    def text(body: TextRequest) -> dict:
        state.follow()
        size = len(body.text.encode("utf-8"))
        if size > MAX_TEXT:
            raise _fail(413, f"a text of {size:,} bytes: at most {MAX_TEXT:,}")
        if shows_nothing(body.text):
            raise _fail(422, f"text: empty ({EMPTY})")
        return guard.check_text(body.text).to_dict()

    @app.get(
        "/api/entries",
        tags=["lists"],
        summary="Entries of the current lists",
        dependencies=[Depends(_only("source", "q", "limit", "offset"))],
    )
    def entries(
        source: str | None = None,
        q: str | None = Query(
            default=None,
            max_length=200,
            description="Text in a name, alias, company, address, app or WeChat id, folded as names are matched; "
            "an address also by its host, a name also without its decorations (官网, APP …).",
        ),
        limit: int = Query(default=50, ge=1, le=1000),
        offset: int = Query(default=0, ge=0),
    ) -> dict:
        if q and (problem := undecoded(q, name=True)):  # GBK bytes: "not found" would be wrong
            raise _fail(422, f"q {problem}")
        state.follow()
        source = source or None
        state.known(source)
        rows = state.search(q) if q else state.entries()
        rows = [e for e in rows if source is None or e["source"] == source]
        return {"total": len(rows), "offset": offset, "limit": limit, "entries": rows[offset : offset + limit]}

    @app.get("/api/entries/{source}/{seq}", tags=["lists"], summary="One entry", dependencies=[Depends(_only())])
    def entry(source: str, seq: int) -> dict:
        state.follow()
        state.known(source, name_them=True)
        for e in state.entries():
            if e["source"] == source and e["seq"] == seq:
                return e
        raise _fail(404, f"no entry {source} #{seq}")

    @app.get("/api/sources", tags=["lists"], summary="The sources and their snapshots", dependencies=[Depends(_only())])
    def sources() -> list[dict]:
        return [{**s, "snapshots": _public(s["snapshots"])} for s in guard.sources()]  # as `sources --json`

    @app.get(
        "/api/history",
        tags=["lists"],
        summary="Every snapshot of each source",
        dependencies=[Depends(_only("source"))],
    )
    def history(source: str | None = None) -> list[dict]:
        state.follow()
        state.known(source or None)
        return _public(guard.history(source or None))

    def calc(
        own: str,
        leverage: str | None = None,
        ratio: str | None = None,
        annual_rate: str | None = None,
        monthly_rate: str | None = None,
        daily_rate: str | None = None,
        days: str = "30",
        management_fee: str = "0",
        trade_cost: str = "0.11%",
        warning_line: str = "110%",
        liquidation_line: str = "105%",
        move: list[str] = Query(default=[], description="Price moves to show (repeatable)."),
    ) -> dict:
        given = {k: None if isinstance(v, str) and not v.strip() else v for k, v in locals().items()}
        given["move"] = [m for m in move if m.strip()]  # ?move= alone: the default moves
        try:  # an empty parameter (?days=, as a form left blank sends it) takes its default
            return calculate_from(given, param)
        except CalcError as exc:
            raise _fail(422, exc.en) from None  # systems read the English, as ever

    app.get(
        "/api/calc",
        tags=["calculator"],
        summary="The leverage calculator (the keys of `calc --json`)",
        dependencies=[Depends(_only(*inspect.signature(calc).parameters, many=["move"]))],  # named once
    )(calc)


def _days(text: str) -> int:
    """The form's days held (30 when left empty), read as `calc --days` reads them (３０, 30天)."""
    from ..calc import parse_days

    return parse_days(text or "30", "days")


def _public(snapshots: list[dict]) -> list[dict]:
    """Snapshots as the API shows them: a local file's origin by its name, not the operator's folders."""
    return [{**s, "origin": _origin(s["origin"])} if s.get("origin") else s for s in snapshots]


def _origin(origin: str) -> str:
    """A URL (its password as ***) or a shipped document as it is; a local path by its file name."""
    if origin.lower().startswith(("http://", "https://", "builtin:")):
        return mask(origin)
    return re.split(r"[\\/]", origin)[-1]


def _haystack(e: dict, read: Callable[[str], str]) -> str:
    """What the entries' search looks in, each value read by `read` (normalise's name_key or
    fold), a line each (a needle never holds a line break: it is not found across two)."""
    companies = [n for c in e["company_details"] for n in (c["name"], *c.get("former_names", ()))]
    values = [e["name"], *e["aliases"], *e["urls"], *e["domains"], *companies, *(a["value"] for a in e["apps"])]
    return "\n" + "\n".join(read(v) for v in values) + "\n"  # a line break either side: a whole value is "\nkey\n"


def _needles(q: str) -> tuple[list[str], list[str]]:
    """What the entries' search of `q` looks for, as name keys: those found anywhere in a value
    (`q`'s own; an address's host; a name without its decorations), and those that must be a whole
    value, as `check` looks them up: each part of a name between separators, and a name without its
    decorations that is no name on its own inside others (trade words alone: 配资平台 is no search
    for every 配资, 炒股配资官网 finds the entry 炒股配资). A part that is no name is not looked for."""
    key = name_key(q)
    if not key:
        return [], []
    if looks_like_url(q):  # by its host and its domain (m.ddpz666.com), not as the name key of httpswww…
        host = split_url(q)[0]
        hosts = [name_key(h) for h in dict.fromkeys([host, registrable(host) if host else ""]) if h]
        return [key] + [h for h in hosts if h != key], []
    asked = strip_question(q)  # 杜德配资靠谱吗: the name asked about, as `check` reads it
    if asked != q.strip() and name_key(asked):
        q, key = asked, name_key(asked)
    variants = name_variants(q)
    first, parts = variants[:1], variants[1:]  # the whole name without its decorations comes first
    within = [key] + [v for v in first if v != key and not no_name_alone(v)]
    whole = [v for v in first if no_name_alone(v)] + [v for v in parts if not no_name_alone(v)]
    return within, [v for v in whole if v not in within]


def _page(app: FastAPI, state: _State) -> None:
    guard = state.guard

    def render(request: Request, query: str = "", again: int = 1) -> HTMLResponse:
        state.follow()
        p = request.query_params
        lang = language(p.get("lang"))
        verdict, error = None, ""
        if again > 1:  # ?q=a&q=b: never one of them answered as if it were all
            error = say(
                lang,
                f"q given {again} times: the page checks one query (GET /api/check takes several)",
                f"q 出现了 {again} 次：本页一次核查一项（GET /api/check 可一次查多项）",
            )
        elif query.strip():
            if len(query.encode("utf-8")) > MAX_TEXT:
                error = say(lang, f"the text is over {MAX_TEXT:,} bytes", f"文字超过 {MAX_TEXT:,} 字节")
            elif undecoded(query, name=not reads_as_text(query)):
                error = say(
                    lang,
                    "the text holds characters that could not be decoded: send UTF-8",
                    "内容含有无法解码的字符：请用 UTF-8",
                )
            elif shows_nothing(query):
                error = say(
                    lang,
                    f"nothing to check: {EMPTY}",
                    "没有可查的内容：空白、只有标点符号，或不显示任何文字的网页源代码",
                )
            else:
                verdict = guard.check_text(query) if reads_as_text(query) else guard.check(query)
        calc, chart, form = None, "", {}
        if p.get("own"):
            form = {k: p.get(k, "") for k in ("own", "leverage", "ratio", "monthly", "days", "warning", "liquidation")}
            try:
                lev = form["leverage"].strip() or None
                ratio = form["ratio"].strip() or (None if lev else RATIO)  # the box's hint, when neither is typed
                days = _days(form["days"])
                warning, liquidation = form["warning"] or "110%", form["liquidation"] or "105%"
                calc = calculate(
                    form["own"],
                    lev,
                    ratio,  # both typed: the error check and the API give
                    monthly_rate=form["monthly"].strip() or None,
                    days=days,
                    warning_line=warning,
                    liquidation_line=liquidation,
                    names=lambda n: PAGE_FIELDS.get(n, n),
                )
                w, liq = parse_fraction(warning, "warning"), parse_fraction(liquidation, "liquidation")
                chart = equity_chart(calc["own"], calc["leverage"], w, liq, T[lang]["chart"])
            except ValueError as exc:  # CalcError: the Chinese page says it in both languages
                error = exc.en if isinstance(exc, CalcError) and lang != "zh" else str(exc)
        html = page(lang, query, verdict, calc, chart, form, error, state.lists())
        # an input the page refuses is answered as the API answers it: the page, with its error, and a 4xx
        status = 200 if not error else 413 if len(query.encode("utf-8")) > MAX_TEXT else 422
        return HTMLResponse(html, status_code=status)

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        qs = request.query_params.getlist("q")
        return render(request, qs[0][:MAX_TEXT] if len(qs) == 1 else "", again=len(qs))

    @app.post("/", include_in_schema=False)
    async def home_post(request: Request) -> HTMLResponse:
        lang = language(request.query_params.get("lang"))
        body = await request.body()
        kind = request.headers.get("content-type", "")
        if (kind or body) and _media(kind) != FORM:  # multipart, JSON …: refused, never read as no query
            form = "/".join(FORM)
            en = f"the form must be sent as {form} (what the page's form sends), not {_given(kind)}"
            zh = f"表单须以 {form} 格式提交（即本页表单的格式），而不是 {_given(kind)}"
            return HTMLResponse(error_page(lang, 415, en, zh), 415, {"Accept": form})
        try:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
        except (UnicodeDecodeError, ValueError):  # the page's own error, as a page
            return HTMLResponse(error_page(lang, 400, "a form of UTF-8 text was expected", "表单应为 UTF-8 文字"), 400)
        qs = fields.get("q") or [""]
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(render, request, qs[0] if len(qs) == 1 else "", len(qs))
