"""`peizi-guard serve`: a JSON API for systems and one page for investors, a thin shell over
`Guard` (one per process, opened at start-up, read-only while serving)."""

from __future__ import annotations

import os
import threading
from urllib.parse import parse_qs

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from .. import version
from ..calc import CalcError, calculate, calculate_from, param, parse_fraction
from ..guard import Guard
from .chart import equity_chart
from .limits import BodyLimit, RateLimit, problem_body
from .page import T, page

MAX_QUERIES = 1_000  # per request
MAX_QUERY = 2_000  # characters of one name or URL
MAX_TEXT = 200 * 1024  # bytes of one text (UTF-8)
RATE_LIMIT = 120  # requests a minute per client
PAGE_FIELDS = {"monthly_rate": "monthly", "warning_line": "warning", "liquidation_line": "liquidation"}  # form names


class CheckRequest(BaseModel):
    queries: list[str] = Field(description=f"Names, companies, apps or URLs, at most {MAX_QUERIES:,}.")


class TextRequest(BaseModel):
    text: str = Field(description="Ad copy or page text, at most 200 kB (UTF-8).")


def create_app(db: str | None = None, rate_limit: int = RATE_LIMIT) -> FastAPI:
    guard = Guard(db)
    guard.index  # noqa: B018 -- opened at start-up: the first request does not pay for it
    app = FastAPIOffline(
        title="peizi-guard",
        version=version(),
        description="Check platforms, URLs and ad text against the official lists of illegal 配资 platforms.",
    )
    state = _State(guard)
    _errors(app)
    _api(app, state)
    _page(app, state)
    app.add_middleware(RateLimit, per_minute=rate_limit)
    app.add_middleware(BodyLimit)
    return app


def app_from_env() -> FastAPI:
    """For uvicorn's workers (`factory=True`): the settings the command put in the environment."""
    return create_app(os.environ.get("PEIZI_GUARD_DB"), int(os.environ.get("PEIZI_GUARD_RATE_LIMIT", RATE_LIMIT)))


class _State:
    """What the pages and the API read, loaded once: the service is read-only, its index fixed at start-up."""

    def __init__(self, guard: Guard):
        self.guard = guard
        self._entries: list[dict] | None = None
        self._lists: list[dict] | None = None
        self._lock = threading.Lock()

    def entries(self) -> list[dict]:
        with self._lock:
            if self._entries is None:
                self._entries = self.guard.entries()
            return self._entries

    def lists(self) -> list[dict]:
        """The current snapshot of each list, with its kind (official | user), for the line under
        every page (read once, not per page)."""
        with self._lock:
            if self._lists is None:
                kinds = {s["id"]: s["kind"] for s in self.guard.sources()}
                self._lists = [
                    {"id": h["source"], "kind": kinds.get(h["source"], "official"), "published": h["published"],
                     "issue": h["issue"], "entry_count": h["entry_count"]}
                    for h in self.guard.history()
                    if h.get("current")
                ]  # fmt: skip
            return self._lists


def _fail(status: int, detail: str) -> HTTPException:
    return HTTPException(status, detail)


def _errors(app: FastAPI) -> None:
    def problem(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
        return JSONResponse(problem_body(status, detail), status, headers, media_type="application/problem+json")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(400, "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return problem(422, f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid")))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        return problem(500, f"internal error ({type(exc).__name__})")


def _api(app: FastAPI, state: _State) -> None:
    guard = state.guard

    def check_all(queries: list[str]) -> list[dict]:
        if not queries:
            raise _fail(422, "give at least one query")
        if len(queries) > MAX_QUERIES:
            raise _fail(413, f"{len(queries):,} queries: at most {MAX_QUERIES:,} in one request")
        for q in queries:
            if not q.strip():
                raise _fail(422, "an empty query")
            if len(q) > MAX_QUERY:
                raise _fail(413, f"a query of {len(q):,} characters: at most {MAX_QUERY:,} (use /api/text for text)")
        return [guard.check(q).to_dict() for q in queries]

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict:
        return {"status": "ok", "version": version(), "entries": len(state.entries())}

    @app.get("/api/check", tags=["check"], summary="Check names and URLs (the objects of `check --json`)")
    def check_get(q: list[str] = Query(default=[], description="A name, company, app or URL; repeat q.")) -> list[dict]:
        return check_all(q)

    @app.post("/api/check", tags=["check"], summary="Check up to 1,000 names and URLs")
    def check_post(body: CheckRequest) -> list[dict]:
        return check_all(body.queries)

    @app.post("/api/text", tags=["check"], summary="Judge ad copy or page text")
    def text(body: TextRequest) -> dict:
        size = len(body.text.encode("utf-8"))
        if size > MAX_TEXT:
            raise _fail(413, f"a text of {size:,} bytes: at most {MAX_TEXT:,}")
        if not body.text.strip():
            raise _fail(422, "text: empty")
        return guard.check_text(body.text).to_dict()

    @app.get("/api/entries", tags=["lists"], summary="Entries of the current lists")
    def entries(
        source: str | None = None,
        q: str | None = Query(default=None, max_length=200, description="Text in a name, alias, company or address."),
        limit: int = Query(default=50, ge=1, le=1000),
        offset: int = Query(default=0, ge=0),
    ) -> dict:
        rows = [e for e in state.entries() if source is None or e["source"] == source]
        if q:
            needle = q.strip().lower()
            rows = [e for e in rows if needle in _haystack(e)]
        return {"total": len(rows), "offset": offset, "limit": limit, "entries": rows[offset : offset + limit]}

    @app.get("/api/entries/{source}/{seq}", tags=["lists"], summary="One entry")
    def entry(source: str, seq: int) -> dict:
        for e in state.entries():
            if e["source"] == source and e["seq"] == seq:
                return e
        raise _fail(404, f"no entry {source} #{seq}")

    @app.get("/api/sources", tags=["lists"], summary="The sources and their snapshots")
    def sources() -> list[dict]:
        return guard.sources()  # JSON-ready, as `sources --json` prints them

    @app.get("/api/history", tags=["lists"], summary="Every snapshot of each source")
    def history(source: str | None = None) -> list[dict]:
        rows = guard.history(source)
        if source and not rows:
            raise _fail(404, f"unknown source: {source}")
        return rows

    @app.get("/api/calc", tags=["calculator"], summary="The leverage calculator (the keys of `calc --json`)")
    def calc(
        own: str,
        leverage: str | None = None,
        ratio: str | None = None,
        annual_rate: str | None = None,
        monthly_rate: str | None = None,
        daily_rate: str | None = None,
        days: int = 30,
        management_fee: str = "0",
        trade_cost: str = "0.11%",
        warning_line: str = "110%",
        liquidation_line: str = "105%",
        move: list[str] = Query(default=[], description="Price moves to show (repeatable)."),
    ) -> dict:
        try:
            return calculate_from(locals(), param)
        except CalcError as exc:
            raise _fail(422, str(exc)) from None


def _haystack(e: dict) -> str:
    return "\n".join([e["name"], *e["aliases"], *e["urls"], *e["domains"], *e["companies"]]).lower()


def _is_text(q: str) -> bool:
    """A pasted ad rather than a name or address: long, several lines, or sentences."""
    return len(q) > 60 or "\n" in q.strip() or (len(q) > 15 and any(p in q for p in "，。！？；,!?"))


def _page(app: FastAPI, state: _State) -> None:
    guard = state.guard

    def render(request: Request, query: str = "") -> HTMLResponse:
        p = request.query_params
        lang = p.get("lang") or "zh"
        lang = lang if lang in T else "zh"
        verdict, error = None, ""
        if query.strip():
            if len(query.encode("utf-8")) > MAX_TEXT:
                error = f"at most {MAX_TEXT:,} bytes"
            else:
                verdict = guard.check_text(query) if _is_text(query) else guard.check(query)
        calc, chart, form = None, "", {}
        if p.get("own"):
            form = {k: p.get(k, "") for k in ("own", "leverage", "ratio", "monthly", "days", "warning", "liquidation")}
            try:
                lev = form["leverage"].strip() or None
                days = int(form["days"] or 30)
                warning, liquidation = form["warning"] or "110%", form["liquidation"] or "105%"
                calc = calculate(
                    form["own"],
                    lev,
                    None if lev else (form["ratio"].strip() or None),
                    monthly_rate=form["monthly"].strip() or None,
                    days=days,
                    warning_line=warning,
                    liquidation_line=liquidation,
                    names=lambda n: PAGE_FIELDS.get(n, n),
                )
                w, liq = parse_fraction(warning, "warning"), parse_fraction(liquidation, "liquidation")
                chart = equity_chart(calc["own"], calc["leverage"], w, liq, T[lang]["chart"])
            except (CalcError, ValueError) as exc:
                error = str(exc)
        html = page(lang, query, verdict, calc, chart, form, error, state.lists())
        return HTMLResponse(html, status_code=200)

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        q = request.query_params.get("q", "")
        return render(request, q[:MAX_TEXT])

    @app.post("/", include_in_schema=False)
    async def home_post(request: Request) -> HTMLResponse:
        body = await request.body()
        try:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            raise _fail(400, "a form of UTF-8 text was expected") from None
        q = (fields.get("q") or [""])[0]
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(render, request, q)
