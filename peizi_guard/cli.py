"""Command line: thin wiring over peizi_guard.api. Exit codes: 0 ok/clear, 1 flagged or failed, 2 bad input."""

from __future__ import annotations

import atexit
import gc

# A command is a short process. Its imports make tens of thousands of objects and no garbage, so
# the cycle collector is paused while they run (~3 ms), and at exit everything is frozen: the
# collector's passes during shutdown would free memory the process is about to give back (~7 ms).
_COLLECTING = gc.isenabled()
gc.disable()
atexit.register(gc.freeze)
try:
    import contextlib
    import json
    import os
    import sys
    from collections.abc import Iterator
    from datetime import date

    import click

    from . import SCAN_LIMITS, api
    from .output import report
    from .db.engine import LOCKED, locked, mask
    from .errors import first_line
    from .guard import Guard, public_entry
    from .output.text import table
finally:
    if _COLLECTING:
        gc.enable()

EXIT_FLAGGED, EXIT_USAGE = 1, 2
EXIT_PIPE = 141  # the reader of the output went away (| head): 128 + SIGPIPE, as shells report it


class Failure(click.ClickException):
    """A one-line error with an exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]  # click reads it per instance

    def show(self, file=None) -> None:  # noqa: ANN001
        click.echo(mask(f"peizi-guard: error: {self.format_message()}"), err=True)


def _date(ctx, param, value):  # noqa: ANN001
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if param is not None and param.name == "published" and day > date.today():
        raise click.BadParameter(f"{value} is in the future: a document is published by the day it is imported")
    if param is not None and param.name == "as_of":
        from .guard import future

        if why := future(day):
            raise click.BadParameter(why + " (leave --as-of out)")
    return day


def _jsonl(objs) -> None:  # noqa: ANN001
    for o in objs:
        click.echo(json.dumps(o, ensure_ascii=False))


def _failed_line(as_json: bool, source: str, message: str) -> None:
    """With --json, a change that failed still gives its line, as refresh --json does."""
    if as_json:
        _jsonl([{"source": source, "status": "failed", "ok": False, "message": mask(message)}])


INDEX_JOBS = "Processes indexing a list of 20,000 entries or more (0: one per core, at most 4)."


def env_option(name: str, envvar: str, default: int, kind: click.IntRange, help: str, *more: str):  # noqa: A002, ANN201
    """A whole-number option an environment variable can set too; its help names the variable,
    and a bad value from the variable is an error naming the variable, not the option."""
    return click.option(
        name,
        *more,
        type=_EnvInt(kind.min, kind.max, envvar),
        default=default,
        envvar=envvar,
        show_default=True,
        help=f"{help} [env {envvar}]",
    )


class _EnvInt(click.IntRange):
    def __init__(self, lo: int | None, hi: int | None, envvar: str) -> None:
        super().__init__(lo, hi)
        self.envvar = envvar

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            if (
                ctx is None
                or param is None
                or ctx.get_parameter_source(param.name) != click.core.ParameterSource.ENVIRONMENT
            ):
                raise
            what = "a port number" if self.envvar == "PEIZI_GUARD_PORT" else "a whole number"
            span = f" {self.min}–{self.max}" if self.max is not None else f" ≥ {self.min}"
            raise Failure(f"{self.envvar}={value!r} must be {what}{span}") from None


def jobs_option(help: str):  # noqa: A002, ANN201
    """--jobs / -j / PEIZI_GUARD_JOBS, shared by check --file, scan, import and refresh."""
    return env_option("--jobs", "PEIZI_GUARD_JOBS", 0, click.IntRange(*SCAN_LIMITS["jobs"]), help, "-j")


def cluster_options(f):  # noqa: ANN001, ANN201
    """--cluster and --workers, shared by check and scan."""
    f = env_option(
        "--workers", "PEIZI_GUARD_CLUSTER_WORKERS", 2, click.IntRange(1, 256), "Workers of --cluster local."
    )(f)
    return click.option(
        "--cluster",
        metavar="ADDRESS",
        help="Run on a Dask cluster: tcp://host:8786, or 'local' (needs the dask extra).",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="PEIZI_GUARD_DB",
    metavar="PATH|URL",
    help="Database file or SQLAlchemy URL [env PEIZI_GUARD_DB; default: a file in the user data dir].",
)
@click.version_option(
    package_name="peizi-guard",  # click's own words, given here: its translation look-up costs 2 ms a start
    message="%(prog)s, version %(version)s",
    help="Show the version and exit.",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Check platforms, URLs and ads against the official lists of illegal 配资 (margin financing) platforms.

    The CSRC list of illegal off-exchange 配资 platforms and the SAC blacklist of fake broker and
    illegal advisory sites ship with the tool and work offline; `refresh` updates them.

    Exit status: 0 clear / done, 1 something listed or suspicious (or a refresh that failed),
    2 a usage error or bad input, 3 an internal error (PEIZI_GUARD_DEBUG=1 shows its traceback),
    130 interrupted, 141 the reader of the output went away (| head). Each command's --help says
    which it uses.
    """
    ctx.obj = {"db": _db_given(ctx, db)}


def _db_given(ctx: click.Context, db: str | None) -> str | None:
    """--db as given; a blank one is an error, not the default database or a file named " " (a
    blank PEIZI_GUARD_DB is left to the database's opening: a --db after the command overrides it)."""
    if db is None or db.strip():
        return db
    if ctx.get_parameter_source("db") == click.core.ParameterSource.ENVIRONMENT:
        return None
    raise Failure("--db is blank: give a database file or URL (or leave --db out for the default)")


def _known_source(db: str | None, source: str | None) -> None:
    try:
        api.known_source(db, source)
    except api.UnknownSource as exc:
        raise Failure(str(exc)) from None


@contextlib.contextmanager
def _handled(handler, *signals: int) -> Iterator[None]:  # noqa: ANN001
    """`handler` for `signals` while the block runs, the handlers before it restored after; off
    the main thread (a library caller's) they are left as they are."""
    import signal

    try:
        before = {sig: signal.signal(sig, handler) for sig in signals}
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for sig, was in before.items():
            signal.signal(sig, was)


def _within(context):  # noqa: ANN001, ANN202
    """A decorator running the command inside `context()` (a context manager) from its first moment."""
    import functools

    def wrap(command):  # noqa: ANN001, ANN202
        @functools.wraps(command)
        def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            with context():
                return command(*args, **kwargs)

        return run

    return wrap


def _term_interrupts() -> contextlib.AbstractContextManager:
    """SIGTERM (timeout, cron, systemd) ends a command that changes the lists as Ctrl-C does:
    its transaction rolled back or its change stored, and said (exit 130), never a silent death."""
    import signal

    def interrupt(signum, frame) -> None:  # noqa: ANN001
        raise KeyboardInterrupt

    return _handled(interrupt, signal.SIGTERM)


_interrupted_by_term = _within(_term_interrupts)


@main.command("list")
@click.option("--source", metavar="ID", help="Only this source (e.g. csrc-peizi).")
@click.option("--as-of", callback=_date, metavar="DATE", help="The lists as they stood on this date.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one entry per line.")
@click.pass_obj
def list_cmd(obj: dict, source: str | None, as_of: date | None, as_json: bool) -> None:
    """List the entries of the lists (official ones and your own).

    Exit status: 0 listed; 2 an unknown source or a date before the lists.
    """
    _known_source(obj["db"], source)
    rows = api.entries(obj["db"], source, as_of)
    if as_of and not rows:
        which = source or "any list"
        raise Failure(f"nothing listed on {as_of.isoformat()}: before the first snapshot of {which}")
    if source and not rows:
        click.echo(f"peizi-guard: {source} is an empty list", err=True)
    if as_json:
        _jsonl(public_entry(e) for e in rows)
        return
    body = [
        [
            e["source"],
            str(e["seq"]),
            "/".join([e["name"]] + e["aliases"]),
            " ".join(e["domains"]),
            "/".join(c["name"] for c in e["companies"]),
        ]
        for e in rows
    ]
    click.echo(table([["SOURCE", "SEQ", "NAME", "DOMAINS", "COMPANY"]] + body, [13, 4, 24, 36, 40]))


@main.command()
@click.argument("seq", type=int)
@click.option("--source", metavar="ID", help="Source of the entry (default: any).")
@click.option("--json", "as_json", is_flag=True, help="JSON lines.")
@click.pass_obj
def show(obj: dict, seq: int, source: str | None, as_json: bool) -> None:
    """Show one entry by its number (序号) in the list.

    Exit status: 0 shown; 2 no such entry or source.
    """
    _known_source(obj["db"], source)
    found = api.find_entry(obj["db"], seq, source)
    if not found:
        raise Failure(f"no entry {seq}" + (f" in {source}" if source else ""))
    if as_json:
        _jsonl(public_entry(e) for e in found)
        return
    for e in found:
        click.echo(f"[{e['source']} #{e['seq']}] {e['name']}")
        for label, values in (
            ("别名 aliases", e["aliases"]),
            ("网址 URLs", e["urls"]),
            ("域名 domains", e["domains"]),
            ("账号 accounts", [f"{a['label'] or a['kind']}: {a['value']}" for a in e["apps"]]),
            ("运营机构 companies", [_company(c) for c in e["companies"]]),
            ("注册地 region", [e["region"]] if e["region"] else []),
            ("其他 notes", [f"{k}: {v}" for k, v in e.get("extra", {}).items()]),
        ):
            if values:
                click.echo(f"  {label}: " + "; ".join(map(str, values)))


def _company(c: dict) -> str:
    s = c["name"]
    if c["former_names"]:
        s += f" (曾用名 {'/'.join(c['former_names'])})"
    if c["status"]:
        s += f" ({c['status']})"
    return s


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one source per line.")
@click.pass_obj
def sources(obj: dict, as_json: bool) -> None:
    """Every source (the official lists and your own) and its snapshots, the current one marked.

    Exit status: 0.
    """
    rows = api.sources(obj["db"])
    if as_json:
        _jsonl(rows)
        return
    for src in rows:
        what = "你导入的名单 your own list" if src.get("kind") == "user" else f"{src['publisher']}  《{src['title']}》"
        click.echo(f"{src['id']}  {what if src['title'] else '本地名单 a local list'}")
        for snap in src["snapshots"]:
            click.echo(
                f"  snapshot {snap['id']}: "
                + (f"published {snap['published']}" if snap["published"] else f"dated {snap['order_date']}")
                + ", "
                f"fetched {snap['fetched_at']}, "
                f"{snap['entry_count']} entries, {snap['format']}, sha256 {snap['sha256'][:12]}"
                + ("  (current)" if snap.get("current") else "")
            )


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--source", required=True, metavar="ID", help="Source id, e.g. csrc-peizi or sac-blacklist.")
@click.option("--published", callback=_date, metavar="DATE", help="Publication date (YYYY-MM-DD).")
@click.option("--force", is_flag=True, help="Accept a document that would shrink the current list.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@jobs_option(INDEX_JOBS)
@click.pass_obj
@_interrupted_by_term
def import_cmd(
    obj: dict, file: str, source: str, published: date | None, force: bool, as_json: bool, jobs: int
) -> None:
    """Ingest a local copy of an official document (PDF, .docx, .xlsx or HTML), or your own list.

    Your own list (a bank's or platform's blocklist) is a .csv or .jsonl file with the columns
    name (required: a row without one stops the import, naming its line), company, urls,
    aliases, note, imported under a SOURCE name of your choosing and marked as yours in every
    verdict. In a cell, urls are separated by | ; ； , ， or spaces, aliases by | ; or ； only;
    JSON lines may give lists (of companies too). Importing an earlier version of your file
    makes it the current list again. Official sources cannot be changed this way.

    Documents are ordered by publication (date, else issue and the months their findings
    reach), never by arrival: an older one joins the history and leaves the current list as it
    is. One that would shrink the current list (under half of its rows, or removing more than
    it keeps) is refused unless --force.

    Exit status: 0 stored, unchanged or current again; 2 a file that cannot be read or is no
    list, a refused shrink, or an official source named for your own list.
    """
    from .refresh import history_note

    try:
        res = api.import_file(obj["db"], file, source, published, force=force, jobs=jobs)
    except api.DocumentError as exc:
        said = str(exc) if str(exc).startswith(f"{file}: ") else f"{file}: {exc}"  # (a file not read names itself)
        _failed_line(as_json, source, said)
        raise Failure(said) from None
    except Exception as exc:  # the database failed (locked, damaged): run() says it in one line
        _failed_line(as_json, source, _damaged(exc) or first_line(exc, type(exc).__name__))
        raise
    note = history_note(res)
    count = f"{res.count} {'entry' if res.count == 1 else 'entries'}"
    for w in res.warnings:  # rows or cells of a user's list that cannot be used
        click.echo(f"peizi-guard: warning: {_shown(file)}: {w}", err=True)
    if as_json:
        _jsonl(
            [
                {
                    "warnings": res.warnings,
                    "source": res.source,
                    "status": res.status,
                    "ok": True,  # as refresh --json and the failure lines say it
                    "snapshot": res.snapshot_id,
                    "entries": res.count,
                    "added": len(res.added),
                    "removed": len(res.removed),
                    "changed": len(res.changed),
                    "kept": res.kept,
                    "current": res.current,
                    "message": note,
                }
            ]
        )
    elif res.status == "unchanged":
        click.echo(
            f"{source}: unchanged (this document is snapshot {res.snapshot_id}, {count})"
            + (f"; {note}" if note else "")
        )
    else:  # added, or reverted (a user list's earlier version again: the note says so)
        click.echo(
            f"{source}: snapshot {res.snapshot_id}, {count} "
            f"(added {len(res.added)}, removed {len(res.removed)}, changed {len(res.changed)}, kept {res.kept})"
            + (f"; {note}" if note else "")
        )


@main.command()
@click.argument("source")
@click.argument("snapshot", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
@_interrupted_by_term
def revert(obj: dict, source: str, snapshot: int, as_json: bool) -> None:
    """Make an earlier SNAPSHOT of SOURCE the current list again (`history` shows the ids).

    The revert is kept as an event in the history; the list stays reverted until a document
    newer than the one it replaced arrives.

    Exit status: 0 reverted; 2 an unknown source or snapshot, or the current one already.
    """
    try:
        snap = api.revert(obj["db"], source, snapshot)
    except api.DocumentError as exc:
        known = [s["id"] for s in api.sources(obj["db"])]
        message = str(exc) if source in known else f"unknown source: {source} (have {', '.join(known)})"
        _failed_line(as_json, source, message)
        raise Failure(message) from None
    except Exception as exc:  # the database failed (locked, damaged): run() says it in one line
        _failed_line(as_json, source, _damaged(exc) or first_line(exc, type(exc).__name__))
        raise
    if as_json:
        # the names import and refresh use (snapshot, entries, status) beside the snapshot's own
        _jsonl(
            [
                dict(
                    snap,
                    source=source,
                    event="revert",
                    status="reverted",
                    ok=True,
                    snapshot=snap["id"],
                    entries=snap["entry_count"],
                )
            ]
        )
    else:
        click.echo(
            f"{source}: snapshot {snap['id']} ({snap['entry_count']} entries, dated "
            f"{snap['published'] or snap['order_date']}) is the current list again "
            f"(added {snap['added']}, removed {snap['removed']}, changed {snap['changed']}, kept {snap['kept']})"
        )


@main.command()
@click.argument("source_ids", nargs=-1, metavar="[SOURCE]...")
@click.option("--url", metavar="URL", help="Fetch this landing page (or document) instead of the source's own.")
@click.option("--force", is_flag=True, help="Accept a document that would shrink the current list.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow loopback, private and link-local addresses (tests, intranets); never a cloud metadata address.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(1, 86400),
    default=600,
    show_default=True,
    help="Seconds the whole refresh may take.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one per source.")
@jobs_option(INDEX_JOBS)
@click.pass_obj
@_interrupted_by_term
def refresh(obj: dict, source_ids, url, force, allow_private, deadline, as_json, jobs) -> None:  # noqa: ANN001
    """Fetch the official publications and store any new version (all sources by default).

    Each source is applied in one transaction or not at all. Exit status 0 when every source
    succeeded or was unchanged, 1 otherwise, 2 for a usage error (an unknown source).
    """
    if url and not url.lower().startswith(("http://", "https://")):
        raise Failure(f"--url must be an http(s) address: {url}")
    if url:
        from urllib.parse import urlsplit

        try:
            host = urlsplit(url).hostname
        except ValueError as exc:  # http://[::1 …
            raise Failure(f"--url is not an address: {url} ({exc})") from None
        if not host:
            raise Failure(f"--url names no host: {url}")
    from .sources import load_sources

    unknown = [s for s in source_ids if s not in load_sources()]
    if unknown:
        raise Failure(f"unknown source {unknown[0]!r}: refresh knows {', '.join(load_sources())}")
    if url and len(source_ids) != 1:
        raise Failure("--url is one source's page: name that source (peizi-guard refresh SOURCE --url URL)")
    outcomes = api.refresh(
        obj["db"], list(source_ids), url=url, force=force, allow_private=allow_private, deadline=deadline, jobs=jobs
    )
    for o in outcomes:  # a password given in --url is shown as ***
        if as_json:
            click.echo(mask(json.dumps(o.to_dict(), ensure_ascii=False)))
        elif o.status == "added":
            click.echo(
                f"{o.source}: new snapshot {o.snapshot}, {o.entries} entries "
                f"(added {o.added}, removed {o.removed}, changed {o.changed}, kept {o.kept})"
                + (f"; {o.message}" if o.message else "")
            )
        elif o.status == "unchanged":
            click.echo(f"{o.source}: unchanged" + (f" ({o.message})" if o.message else ""))
        else:
            click.echo(mask(f"{o.source}: {o.status}: {o.message}"), err=True)
        if o.unfetched and not as_json:
            click.echo(
                mask(f"peizi-guard: warning: {o.source}: an attachment could not be fetched ({'; '.join(o.unfetched)}): "
                     "it may be a newer list; the next refresh reads the page whole and tries it again"),
                err=True,
            )  # fmt: skip
    sys.exit(0 if all(o.ok for o in outcomes) else EXIT_FLAGGED)


@main.command()
@click.argument("source", required=False)
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one snapshot per line.")
@click.pass_obj
def history(obj: dict, source: str | None, as_json: bool) -> None:
    """Every stored version of the lists, with what each added and removed.

    Exit status: 0; 2 an unknown source.
    """
    rows = api.history(obj["db"], source)
    if source and not rows:
        raise Failure(f"unknown source or no snapshots: {source}")
    if as_json:
        _jsonl(rows)
        return
    body = [
        [
            r["source"],
            str(r["id"]) + ("*" if r.get("current") else ""),
            r["published"] or r["order_date"],
            r["fetched_at"],
            r["issue"],
            str(r["entry_count"]),
            f"+{r['added']}",
            f"-{r['removed']}",
            f"~{r['changed']}",
        ]
        if r["event"] == "snapshot"
        else [r["source"], str(r["id"]), "revert", r["at"], "", "", *_revert_counts(r)]
        for r in rows
    ]
    click.echo(
        table(
            [["SOURCE", "SNAP", "PUBLISHED", "FETCHED", "ISSUE", "ROWS", "ADDED", "REMOVED", "CHANGED"]] + body,
            [13, 5, 10, 19, 12, 5, 6, 7, 7],
        )
    )
    click.echo("(* the current list; PUBLISHED is the publication date, else the month the findings reach)")


def _revert_counts(r: dict) -> list[str]:
    """A revert's counts against the list it replaced (blank for one recorded before they were)."""
    if r.get("added") is None:
        return ["", "", ""]
    return [f"+{r['added']}", f"-{r['removed']}", f"~{r['changed']}"]


@main.command()
@click.argument("source")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def diff(obj: dict, source: str, old: int | None, new: int | None, as_json: bool) -> None:
    """What changed between two snapshots of SOURCE (default: the current list against the one
    before it; after a revert, or an earlier version of your list imported again: the newest
    snapshot against the list now current).

    Exit status: 0; 2 an unknown source or snapshot, or a source with one snapshot (nothing to
    compare yet).
    """
    if (old is None) != (new is None):
        raise Failure("give both OLD and NEW snapshot ids, or neither")
    try:
        d = api.diff(obj["db"], source, old, new)
    except api.DocumentError as exc:
        raise Failure(str(exc)) from None
    if as_json:
        click.echo(json.dumps(d, ensure_ascii=False))
        return
    changed = d.get("changed", [])
    click.echo(
        f"{source}: snapshot {d['old']} → {d['new']}: +{len(d['added'])} -{len(d['removed'])} ~{len(changed)} "
        f"={d['kept']}"
    )
    for sign, rows in (("+", d["added"]), ("-", d["removed"])):
        for e in rows:
            click.echo(f"  {sign} #{e['seq']} {e['name']}  {' '.join(e['urls'])}")
    for c in changed:  # the same entry (its first address), printed otherwise
        old_e, new_e = c["old"], c["new"]
        click.echo(f"  ~ #{old_e['seq']} {old_e['name']} → #{new_e['seq']} {new_e['name']}  {' '.join(new_e['urls'])}")
        for field, before, after in _changes(old_e, new_e):
            click.echo(f"      {field}: {before} → {after}")


_BOOKKEEPING = {"key", "first_seen", "last_seen", "seq", "source", "list"}  # not what the list says


def _changes(old: dict, new: dict) -> list[tuple[str, str, str]]:
    """(field, before, after) of what a list now prints otherwise about an entry (extra fields
    such as the found date by their own names)."""

    def flat(e: dict) -> dict:
        return {**{k: v for k, v in e.items() if k != "extra"}, **e.get("extra", {})}

    a, b = flat(old), flat(new)

    def shown(v) -> str:  # noqa: ANN001
        if isinstance(v, list):  # companies and accounts by their names, others as listed
            v = "、".join(str(x.get("name") or x.get("value") or x) if isinstance(x, dict) else str(x) for x in v)
        text = json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v)
        return text if len(text) <= 60 else text[:57] + "…"

    fields = sorted((a.keys() | b.keys()) - _BOOKKEEPING)
    return [(k, shown(a.get(k, "")), shown(b.get(k, ""))) for k in fields if a.get(k) != b.get(k)]


def _term_stops() -> contextlib.AbstractContextManager:
    """SIGTERM (timeout, cron, systemd) stops a scan as Ctrl-C does, and neither interrupts the
    storing of a batch of results (scan.SHIELD): what is done is stored and written alike, so
    --resume neither repeats nor loses a row."""
    import signal

    from .scan import SHIELD

    def stop(signum, frame) -> None:  # noqa: ANN001
        SHIELD.stop()

    return _handled(stop, signal.SIGTERM, signal.SIGINT)


_stopped_by_term = _within(_term_stops)  # the command, stopped by SIGTERM as by Ctrl-C from its first moment


@main.command()
@click.argument("file", metavar="FILE|-")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "csv"]),
    help="A table for people, JSON lines or CSV for pipelines [default: by -o FILE's extension "
    "(.csv; .jsonl, .ndjson, .json), else table].",
)
@click.option("--output", "-o", metavar="FILE", help="Write results here instead of stdout.")
@env_option(
    "--concurrency",
    "PEIZI_GUARD_CONCURRENCY",
    16,
    click.IntRange(*SCAN_LIMITS["concurrency"]),
    "Pages fetched at once.",
    "-c",
)
@click.option(
    "--timeout",
    type=click.FloatRange(*SCAN_LIMITS["timeout"]),
    default=10.0,
    show_default=True,
    help="Seconds allowed per URL, redirects and body included.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(*SCAN_LIMITS["max_bytes"]),
    default=2_000_000,
    show_default=True,
    help="Bytes of each page read and judged.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow loopback, private and link-local addresses (tests, intranets); never a cloud metadata address.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Skip URLs scanned within --max-age and since the lists last changed; append to -o FILE.",
)
@click.option("--max-age", default="24h", show_default=True, metavar="AGE", help="With --resume: 30m, 24h, 7d ….")
@click.option("--encoding", metavar="CODEC", help="Encoding of FILE (default: BOM, UTF-8, else detected).")
@jobs_option("Processes fetching and judging, sharing --concurrency (0: one per core, at most 8, from 100 URLs).")
@cluster_options
@click.pass_obj
@_stopped_by_term
def scan(
    obj: dict,
    file,
    fmt,
    output,
    concurrency,
    timeout,
    max_bytes,
    allow_private,
    resume,
    max_age,  # noqa: ANN001
    encoding,
    jobs,
    cluster,
    workers,
) -> None:
    """Fetch and judge ad landing URLs in bulk (one per line, or a CSV with a `url` column;
    blank lines and lines starting with '# ' are skipped).

    Each URL is checked as an address first (a listed domain is reported even when the site is
    down), then fetched safely — redirects one hop at a time, no private addresses — and its
    visible text judged like `check --text`. A page that could not be judged (404, refused,
    timeout, not HTML, empty …) is "unchecked", with the reason, unless its address is flagged.
    Results are stored in the database; --resume keeps those judged against the current lists.
    Exit status: 1 anything listed or suspicious (with --resume, a kept result too), else 2
    anything unchecked (or a usage error), else 0; 130 interrupted.
    """
    from .output import WRITERS
    from .scan import ScanOptions, line_rows, parse_age, written_results

    try:
        age = parse_age(max_age)
    except ValueError as exc:
        raise Failure(f"--max-age: {exc}") from None
    from click.core import ParameterSource

    if not resume and click.get_current_context().get_parameter_source("max_age") == ParameterSource.COMMANDLINE:
        raise Failure("--max-age says which earlier results --resume keeps: give --resume too")
    if cluster is not None:
        _cluster_address(cluster)
    files, numbered, left_out = _scan_inputs(file, cluster is not None, encoding)
    output = None if output == "-" else output  # (standard output, as everywhere else, not a file named -)
    _not_an_input(output, files, "URLs", obj["db"])
    several = len(files) > 1
    urls = [url for _, _, url in numbered]
    if not urls:
        raise Failure(f"{file}: no URLs found")
    opts = ScanOptions(
        concurrency=concurrency,
        timeout=timeout,
        max_bytes=max_bytes,
        allow_private=allow_private,
        resume=resume,
        max_age=age,
        jobs=jobs,
    )
    guard = Guard(obj["db"])
    try:
        guard.index  # the database is read before -o is opened: a bad one leaves the file as it was
    except api.NoLists as exc:
        raise Failure(str(exc)) from None
    api.check_writable(guard.url, "scan stores its results in it")  # before any page is fetched
    fmt = fmt or _format_of(output)
    folder = None
    if cluster is not None and output and (output.endswith(os.sep) or os.path.isdir(output)):
        from .cluster import PartFiles

        folder = PartFiles(output, append=resume)  # one JSON-lines file per partition
    written: list[dict] = []
    if resume and output and not folder:
        _same_format(output, fmt)  # first: a file refused is left as it was
        held = _whole_rows(output)
        written = written_results(held.decode("utf-8", "replace"), fmt)  # weighed as stored results
    stream = _scan_output(output, resume, fmt == "csv") if output and not folder else sys.stdout
    writer = WRITERS[fmt](stream)
    numbers = line_rows(numbered, several)  # result -> a row for each input line of its URL

    def emit(result: dict) -> None:
        for row in numbers(result):
            writer.write(row)

    show_bar = sys.stderr.isatty() and (output is not None or not sys.stdout.isatty())
    bar = click.progressbar(length=len(urls), label="scanning", file=sys.stderr) if show_bar else None
    try:
        if bar:
            bar.__enter__()
        tick = bar.update if bar else (lambda n: None)
        if cluster is not None:
            summary = _scan_on_cluster(guard, urls, opts, emit, numbers, folder, tick, cluster, workers)
        else:
            summary = guard.scan(urls, opts, emit=emit, progress=tick, written=written)
    except api.NoLists as exc:
        raise Failure(str(exc)) from None
    finally:
        if bar:
            bar.__exit__(None, None, None)
        writer.close()
        if output:
            stream.close()
    summary.total += left_out
    summary.skipped += left_out
    v = summary.verdicts
    done = sum(v.values())
    left = summary.total - summary.skipped - done
    kept = ", ".join(f"{k} {summary.kept[k]}" for k in ("listed", "suspicious", "clear") if summary.kept.get(k))
    click.echo(
        f"scanned {done} of {summary.total} URLs in {summary.seconds:.1f} s ({summary.skipped} skipped"
        + (f"; kept from the last {max_age}: {kept}" if kept else "")
        + (f"; unchecked before, tried again: {summary.retried}" if summary.retried else "")
        + f"): listed {v['listed']}, suspicious {v['suspicious']}, clear {v['clear']}, unchecked {v['unchecked']}"
        + (f" — interrupted: {left} not scanned; --resume carries on" if summary.interrupted else ""),
        err=True,
    )
    status = summary.exit_status
    sys.exit(2 if status == 0 and left_out else status)


OUTPUT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def _format_of(path: str | None) -> str:
    """The output format -o FILE's extension names (scan's --format names), else table."""
    return OUTPUT_FORMATS.get(os.path.splitext(path or "")[1].lower(), "table")


def _scan_inputs(spec: str, cluster: bool, encoding: str | None) -> tuple[list[str], list[tuple[str, int, str]], int]:
    """The input files (with --cluster, those of a folder or glob), their (file, line, URL)
    triples, and how many lines or rows were left out."""
    files = [spec]
    if cluster:
        from .cluster import ClusterError, input_files

        try:
            files = input_files(spec)
        except ClusterError as exc:
            raise Failure(str(exc)) from None
    numbered: list[tuple[str, int, str]] = []
    left_out = 0
    for f in files:
        found, problems = _scan_input(f, encoding)
        numbered += [(f, n, url) for n, url in found]
        left_out += problems
    return files, numbered, left_out


def _same_format(path: str, fmt: str) -> None:
    """scan --resume appends to -o FILE: only in the format the file has."""
    from .output.csv import COLUMNS
    from .output.table import HEADER
    from .scan import appended_format

    try:
        with open(path, "rb") as fh:
            line = fh.readline()
    except OSError:
        return  # missing (created) or unreadable (opening it says why)
    first = line.decode("utf-8-sig", "replace").rstrip("\r\n")  # (a CSV starts with a BOM)
    if first and not line.endswith(b"\n"):  # its only line, unfinished: cut if a row of ours was being written
        begun = {"jsonl": first.lstrip().startswith("{"), "csv": ",".join(COLUMNS).startswith(first)}
        if not begun.get(fmt, HEADER.startswith(first) or first.startswith(HEADER)):
            raise Failure(
                f"-o {path} holds one unfinished line that no scan wrote: --resume appends to a scan's results"
            )
        return
    has = appended_format(first, COLUMNS) if first else fmt
    if has != fmt:
        hint = "write to another file" if has == "csv with other columns" else f"give --format {has}"
        raise Failure(f"-o {path} holds {has}, not {fmt}: --resume appends in the file's format ({hint})")


def _whole_rows(path: str) -> bytes:
    """What -o FILE holds, after cutting off a last row written only in part (the scan was killed
    while writing it): --resume appends whole rows after whole rows. Empty when the file is
    missing (created) or unreadable (opening it says why)."""
    try:
        with open(path, "r+b") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                data = data[: data.rfind(b"\n") + 1]
                fh.truncate(len(data))
            return data
    except OSError:
        return b""


def _scan_input(path: str, encoding: str | None) -> tuple[list[tuple[int, str]], int]:
    """The (line, URL) pairs of one scan input and how many lines or rows were left out (each
    reported on stderr)."""
    from .scan import numbered_urls

    decoded = _read(path, encoding)
    name = _shown(path)
    try:
        urls, problems = numbered_urls(decoded.lines)
    except ValueError as exc:
        raise Failure(f"{name}: {exc}") from None
    for problem in problems:
        click.echo(f"peizi-guard: warning: {name}: {problem}", err=True)
    return urls, len(decoded.problems) + len(problems)


def _scan_output(path: str, append: bool, bom: bool = False):  # noqa: ANN202
    """scan's -o FILE, appended to with --resume. Line-buffered: a result stored in the database
    is in the file too, even when the scan is killed (--resume then skips it). `bom`: a CSV file
    starts with a UTF-8 byte order mark, so that a spreadsheet reads its Chinese as UTF-8."""
    try:
        return open(path, "a" if append else "w", encoding=_CSV_CODEC if bom else "utf-8", newline="", buffering=1)
    except OSError as exc:
        raise Failure(f"{path}: {exc.strerror}") from None


def _shown(path: str) -> str:
    """A user's file as messages name it."""
    return "stdin" if path == "-" else path


def _scan_on_cluster(guard, urls, opts, emit, numbers, folder, tick, address, workers):  # noqa: ANN001, ANN202
    from . import cluster as dc
    from .scan import db_done_recently, db_store

    try:
        dc.require()
        shipped = dc.ship(guard.url)
        client = dc.connect(address, workers)
    except dc.ClusterError as exc:
        raise Failure(str(exc)) from None
    try:
        with api.sessions(guard.url) as factory:
            return dc.scan_on_cluster(
                client,
                shipped,
                urls,
                opts,
                emit=emit,
                store=db_store(factory),
                done_recently=db_done_recently(factory, opts.max_age),
                progress=tick,
                parts_out=(
                    lambda rows: folder.write([json.dumps(x, ensure_ascii=False) for r in rows for x in numbers(r)])
                )
                if folder
                else None,
            )
    finally:
        dc.close(client)


def _read(path: str, encoding: str | None = None, whole: bool = False):  # noqa: ANN202
    """A user's file decoded (see peizi_guard.inputs); each line left out is reported on stderr.
    `whole`: a text, whatever the length of its lines (a saved page may be one line of 1 MB)."""
    from .inputs import MAX_LINE, InputError, read

    if path != "-" and (os.path.isdir(path) or (any(c in path for c in "*?[") and not os.path.exists(path))):
        raise Failure(f"{path}: a folder or glob of files needs --cluster (without it, give each file: --file a.txt)")
    try:
        decoded = read(path, encoding, max_line=2**62 if whole else MAX_LINE)
    except InputError as exc:
        raise Failure(str(exc)) from None
    name = _shown(path)
    for problem in decoded.problems[:5]:
        click.echo(f"peizi-guard: warning: {name}: {problem}", err=True)
    if len(decoded.problems) > 5:  # a binary file: not 77 lines of the same warning
        more = len(decoded.problems) - 5
        click.echo(f"peizi-guard: warning: {name}: … {more} more lines left out (is it a text file?)", err=True)
    return decoded


@main.command()
@click.argument("queries", nargs=-1)
@click.option(
    "--file",
    "-f",
    "files",
    multiple=True,
    metavar="FILE",
    help="One query per line ('-' for stdin; '# ' starts a comment line); may be repeated.",
)
@click.option("--text", "texts", multiple=True, metavar="TEXT", help="Judge a piece of ad copy or page text.")
@click.option(
    "--text-file", "text_files", multiple=True, metavar="FILE", help="Judge the text in FILE ('-' for stdin)."
)
@click.option(
    "--as", "kind", type=click.Choice(["name", "url"]), help="Treat every QUERY and --file line as this kind."
)
@click.option("--as-of", callback=_date, metavar="DATE", help="Answer as the lists stood on this date.")
@click.option(
    "--encoding", metavar="CODEC", help="Encoding of --file / --text-file (default: BOM, UTF-8, else detected)."
)
@click.option(
    "--json", "as_json", is_flag=True, help="JSON lines, one object per query (so too -o FILE.jsonl, .ndjson or .json)."
)
@jobs_option("Processes for --file (0: one per core, at most 4, from 5,000 queries; else 1).")
@cluster_options
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    help="Write here, not to stdout (.csv: CSV; .jsonl, .ndjson, .json: JSON lines); with --cluster a "
    "directory gets one JSON-lines file per partition.",
)
@click.pass_obj
def check(
    obj: dict, queries, files, texts, text_files, kind, as_of, encoding, as_json, jobs, cluster, workers, output
) -> None:  # noqa: ANN001
    """Is a platform name, company, app / WeChat account, URL or ad text listed, suspicious or clear?

    \b
    Examples:
      peizi-guard check 杜德配资
      peizi-guard check https://www.ddpz666.com/
      peizi-guard check --file names.txt --json
      peizi-guard check --text "您炒股我出钱，1:10杠杆，当天到账"

    Up to three queries are reported in full; more, one line each (--json: one object each).

    Exit status: 0 all clear, 1 anything listed or suspicious, 2 usage error, bad input or
    input lines that could not be read (reported on stderr with their numbers).
    """
    as_json = as_json or _format_of(output) == "jsonl"
    if cluster is not None:
        _cluster_address(cluster)
        if len(files) != 1 or queries or texts or text_files or as_of:
            raise Failure(
                "--cluster checks one --file only (one query per line; a directory or glob of files works too)"
            )
        _check_on_cluster(obj["db"], files[0], kind, encoding, as_json, cluster, workers, output)
    if kind and not (queries or files):
        raise Failure("--as applies to QUERY arguments and --file lines; --text is always judged as text")
    from .guard import SHOWS_NOTHING, shows_nothing, undecoded

    for what, value in [*(("QUERY", q) for q in queries), *(("--text", t) for t in texts)]:
        problem = undecoded(value, name=what == "QUERY")
        if problem:  # a GBK terminal's name would be checked as another name, and come out clear
            raise Failure(f"{what} {problem}; or save it in a file and give --file with --encoding")
    if any(map(shows_nothing, [*queries, *texts])):
        raise Failure(f"nothing to check in a QUERY or --text that is {SHOWS_NOTHING}")
    _not_an_input(output, [*files, *text_files], "queries", obj["db"])
    items = [(q, kind) for q in queries]
    skipped = 0
    empty = []  # --file inputs without a query
    if files:
        from .inputs import is_comment  # (imported by _read too: not on a one-query check's path)
    for f in files:
        decoded = _read(f, encoding)
        skipped += len(decoded.problems)
        found = []
        for n, line in decoded.lines:
            if shows_nothing(line) or is_comment(line):
                continue
            problem = undecoded(line, name=kind != "text") or (LONE_CR if "\r" in line.rstrip("\r") else "")
            if problem:  # never checked as another name
                click.echo(f"peizi-guard: warning: {_shown(f)}: line {n}: {problem}; skipped", err=True)
                skipped += 1
                continue
            found.append((line.strip(), kind))
        empty += [] if found else [_shown(f)]
        items += found
    items += [(t, "text") for t in texts]
    blank = []  # --text-file inputs without text
    for f in text_files:
        decoded = _read(f, encoding, whole=True)
        skipped += len(decoded.problems)
        if not shows_nothing(decoded.text):
            items.append((decoded.text, "text"))
        else:
            blank.append(_shown(f))
            skipped += 1
    if (empty or blank) and not items:
        why = []
        if empty:
            why.append(
                f"no queries in {', '.join(empty)} (one a line; blank lines, lines of only punctuation and '# ' comments are skipped)"
            )
        if blank:
            why.append(f"no text in {', '.join(blank)}")
        raise Failure("nothing to check: " + "; ".join(why))
    if not items:
        raise Failure("nothing to check: give a QUERY, --file, --text or --text-file (see --help)")
    for name in empty:
        click.echo(f"peizi-guard: warning: {name}: no queries in it; nothing checked from it", err=True)
    for name in blank:
        click.echo(f"peizi-guard: warning: {name}: no text in it; nothing judged", err=True)
    guard = Guard(obj["db"], as_of=as_of)
    try:
        guard.index
    except api.NoLists as exc:
        raise Failure(str(exc)) from None
    from .bulk import check_all, jobs_for

    flagged = False
    render = _json_line if as_json else report.one_line if len(items) > 3 else report.render
    if render is report.render and as_of is None:  # a clear answer names the user's own lists, checked too
        import functools

        render = functools.partial(report.render, own_lists=functools.cache(lambda: api.user_lists(obj["db"])))
    as_csv = not as_json and _format_of(output) == "csv"
    out = _open_output(output, bom=as_csv)
    if as_csv:  # -o results.csv: a CSV, as scan writes one
        from .output.csv import check_header, check_row

        render = check_row
        out.write(check_header() + "\n")
    for verdict, line in check_all(guard, items, render, jobs_for(jobs, len(items))):
        flagged |= verdict != "clear"
        out.write(line + "\n")
    out.flush()
    sys.exit(EXIT_FLAGGED if flagged else EXIT_USAGE if skipped else 0)


LONE_CR = (
    "holds a carriage return (\\r) inside it: lines end at a line feed, so lines ending in a lone \\r "
    "(Excel for Mac) read as one; save the file with LF or CRLF line ends"
)


# what SQLite and peizi-guard keep beside a database file: its WAL, journal, lock, index and the
# index's temporary files while it is written (<db>.index.<pid>.<thread>.tmp, ….w<pid>.part)
_BESIDE = r"-wal|-shm|-journal|-setup\.lock|\.index(?:\.\d+\.\d+\.tmp(?:\.w\d+\.part)?)?"


def _not_an_input(output: str | None, inputs: list[str], what: str, db: str | None) -> None:
    """-o naming one of the input files would overwrite it before it is read, and naming the
    database (or its journal, WAL or index beside it) would destroy every list stored: refused."""
    if not output or output == "-":
        return
    import re

    from .db.engine import sqlite_path

    path = sqlite_path(api.resolve_url(db))
    if path:
        mine, base = os.path.realpath(output), os.path.realpath(path)
        beside = mine.startswith(base) and re.fullmatch(_BESIDE, mine[len(base) :]) is not None
        if (
            mine == base
            or beside
            or (os.path.exists(output) and os.path.exists(path) and os.path.samefile(output, path))
        ):
            raise Failure(f"-o {output} is the database (or a file it keeps beside it): write the results elsewhere")
    if not os.path.isfile(output):
        return
    for f in inputs:
        if f != "-" and os.path.isfile(f) and os.path.samefile(output, f):
            raise Failure(f"-o {output} is the list of {what} itself: write the results elsewhere")


def _cluster_address(address: str) -> None:
    """A --cluster address that cannot be one is a usage error, before anything is read."""
    from .cluster import address_problem

    problem = address_problem(address)
    if problem:
        raise Failure(problem)


_CSV_CODEC = "utf-8-sig"  # a CSV file starts with a BOM: Excel in a Chinese locale reads it as UTF-8, not GBK


def _open_output(path: str | None, bom: bool = False):  # noqa: ANN202
    if not path or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding=_CSV_CODEC if bom else "utf-8", newline="")
    except OSError as exc:
        raise Failure(f"{path}: {exc.strerror}") from None


def _check_on_cluster(db, file, kind, encoding, as_json, address, workers, output) -> None:  # noqa: ANN001
    """check --file on Dask: partitions of lines in flight, answers written in input order."""
    from . import cluster as dc

    try:
        files = dc.input_files(file)
        _not_an_input(output, files, "queries", db)
        dc.require()
        shipped = dc.ship(api.resolve_url(db))
        lines = dc.stream_lines(files, encoding)
        parts = dc.partitions(((q, kind) for q in lines), dc.CHECK_PARTITION)
        suffix = ".jsonl" if as_json else ".txt"
        folder = (
            dc.PartFiles(output, suffix=suffix)
            if output and (output.endswith(os.sep) or os.path.isdir(output))
            else None
        )
        out = None if folder else _open_output(output)
        client = dc.connect(address, workers)
    except api.NoLists as exc:
        raise Failure(str(exc)) from None
    except dc.ClusterError as exc:
        raise Failure(str(exc)) from None
    render = _json_line if as_json else report.one_line
    flagged, done = False, 0
    progress = dc.Progress("checked", sys.stderr)
    try:
        shipped_f = client.scatter(shipped, broadcast=True)
        for answers in dc.in_order(client, dc.check_partition, parts, shipped_f, render):
            flagged |= any(v != "clear" for v, _ in answers)
            if folder is not None:
                folder.write([line for _, line in answers])
            elif out is not None:
                out.write("".join(line + "\n" for _, line in answers))
            done += len(answers)
            progress.update(done)
    except dc.ClusterError as exc:
        raise Failure(str(exc)) from None
    finally:
        progress.close()
        dc.close(client)
        if out is not None:
            out.flush()
    sys.exit(EXIT_FLAGGED if flagged else 0)


@main.command()
@click.option(
    "--own", metavar="AMOUNT", help="Own capital in yuan (required): 100000, 10万, 1.5万, 100,000; at least 0.01."
)
@click.option("--leverage", metavar="L", help="Position ÷ own capital, e.g. 10.")
@click.option("--ratio", metavar="E:B", help="Own : borrowed as ads write it; 1:9 is leverage 10.")
@click.option("--annual-rate", metavar="RATE", help="Interest a year on the borrowed money (8% or 0.08).")
@click.option("--monthly-rate", metavar="RATE", help="Interest a month (月息), e.g. 1.5%.")
@click.option("--daily-rate", metavar="RATE", help="Interest a day (日息), e.g. 0.05%.")
@click.option(
    "--days", default="30", show_default=True, metavar="N", help="Days the position is held (a whole number)."
)
@click.option("--management-fee", default="0", metavar="RATE", help="Management fee a month on the borrowed money.")
@click.option(
    "--trade-cost",
    default="0.11%",
    show_default=True,
    metavar="RATE",
    help="Trading cost per side on the traded value.",
)
@click.option("--warning-line", default="110%", show_default=True, metavar="P", help="Warning line, assets ÷ borrowed.")
@click.option(
    "--liquidation-line", default="105%", show_default=True, metavar="P", help="Liquidation line, assets ÷ borrowed."
)
@click.option(
    "--move", "moves", multiple=True, metavar="M", help="A price move to show (repeatable; default -20% … +20%)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def calc(
    own,
    leverage,
    ratio,
    annual_rate,
    monthly_rate,
    daily_rate,
    days,
    management_fee,
    trade_cost,
    warning_line,
    liquidation_line,
    moves,
    as_json,
) -> None:  # noqa: ANN001
    """What a leveraged (配资) offer does to your money: lines, costs, scenarios. No database needed.

    \b
    Examples:
      peizi-guard calc --own 10万 --ratio 1:9 --monthly-rate 1.5%
      peizi-guard calc --own 100000 --leverage 10 --annual-rate 8% --days 30 --json
      peizi-guard calc --own 5万 --leverage 5 --move -10% --move 10%

    Exit status: 0 done, 2 bad input.
    """
    from .calc import CalcError, calculate_from, parse_fraction
    from .output.calc import render

    try:
        r = calculate_from(locals())
        lines = parse_fraction(warning_line, "--warning-line"), parse_fraction(liquidation_line, "--liquidation-line")
    except CalcError as exc:
        raise Failure(str(exc)) from None
    click.echo(json.dumps(r, ensure_ascii=False) if as_json else render(r, *lines))


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (anything but loopback only when given).",
)
@env_option("--port", "PEIZI_GUARD_PORT", 8765, click.IntRange(1, 65535), "Port to listen on.")
@env_option("--workers", "PEIZI_GUARD_WORKERS", 1, click.IntRange(1, 64), "Processes serving requests.")
@env_option(
    "--rate-limit",
    "PEIZI_GUARD_RATE_LIMIT",
    120,
    click.IntRange(min=0),
    "Requests a minute per client address and worker (0: no limit).",
)
@click.pass_obj
def serve(obj: dict, host: str, port: int, workers: int, rate_limit: int) -> None:
    """A web page for investors and a JSON API for systems (read-only; refresh stays a CLI job).

    \b
    Examples:
      peizi-guard serve                      # http://127.0.0.1:8765/  (API docs at /docs)
      peizi-guard serve --workers 4 --port 8080
      curl -sG --data-urlencode 'q=杜德配资' http://127.0.0.1:8765/api/check

    Exit status: 0 stopped (Ctrl-C); 2 a port in use, a host that does not resolve or a bad option.
    """
    try:
        import uvicorn

        from .web.app import create_app
        from .web.listen import ListenError, check_listen
    except ImportError as exc:
        raise Failure(
            f"serve needs FastAPI and uvicorn ({exc.name} is missing): pip install fastapi uvicorn fastapi-offline"
        ) from None
    try:
        check_listen(host, port)  # before anything is printed: a port in use or a host that does not resolve
    except ListenError as exc:
        raise Failure(str(exc)) from None
    guard = Guard(obj["db"])
    try:
        guard.index  # seeds an empty database once, before any worker starts
    except api.NoLists as exc:
        raise Failure(str(exc)) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"peizi-guard: warning: listening on {host}, not only this machine", err=True)
    click.echo(f"peizi-guard: serving http://{host}:{port}/ (API docs /docs; Ctrl-C stops)", err=True)
    if obj["db"]:
        os.environ["PEIZI_GUARD_DB"] = obj["db"]
    os.environ["PEIZI_GUARD_RATE_LIMIT"] = str(rate_limit)
    if workers == 1:
        app = create_app(obj["db"], rate_limit)
        uvicorn.run(app, host=host, port=port, log_level="warning")
    else:
        uvicorn.run(
            "peizi_guard.web.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning"
        )


def _sub_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:  # after the command name, as before it (`check --db x.db …`)
        ctx.ensure_object(dict)["db"] = _db_given(ctx, value)


for _cmd in main.commands.values():
    if _cmd.name != "calc":  # a calculator: no lists
        _cmd.params.append(
            click.Option(
                ["--db"],
                metavar="PATH|URL",
                expose_value=False,
                callback=_sub_db,
                help="Database file or SQLAlchemy URL (also before the command).",
            )
        )


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False), made once


def _json_line(v) -> str:  # noqa: ANN001
    return _ENCODE(v.to_dict())


def run() -> None:
    """Console entry point: every error is one line, never a traceback (PEIZI_GUARD_DEBUG=1 shows it)."""
    try:
        _run()
    except BrokenPipeError:  # the reader went away while an error was said (2>&1 | head): not a verdict
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):  # what is left to flush at exit goes nowhere, quietly
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):
                pass
        sys.exit(EXIT_PIPE)


_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click 8.2 on; 8.1 shows the help itself


def _run() -> None:
    for stream in (sys.stdout, sys.stderr):  # a narrow terminal encoding (gbk, ascii) shows ?, never dies
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        rv = main.main(standalone_mode=False)
        sys.exit(rv if isinstance(rv, int) else 0)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, api.IndexInterrupted):
            click.echo("peizi-guard: interrupted while the index was written: the lists as changed are stored; "
                       "the next check makes the index again", err=True)  # fmt: skip
        else:
            click.echo("peizi-guard: interrupted", err=True)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:  # scan stopped: its results are stored and written, its files closed
            _exit_now(130)
        if exc.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):  # click: a closed pipe
            sys.exit(EXIT_PIPE)
        raise
    except _NO_ARGS as exc:  # no command at all: the help, as --help shows it
        click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message(), err=True)
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # one line, as every other error (click's own takes four)
        where = exc.ctx.command_path if exc.ctx is not None else "peizi-guard"
        click.echo(f"peizi-guard: error: {exc.format_message()} (see {where} --help)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except api.DbError as exc:
        click.echo(mask(f"peizi-guard: error: {exc}"), err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_PIPE)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("PEIZI_GUARD_DEBUG"):
            raise
        damage = _damaged(exc)
        if damage:
            click.echo(f"peizi-guard: error: {damage}", err=True)
            sys.exit(EXIT_USAGE)
        msg = first_line(exc)
        click.echo(mask(f"peizi-guard: internal error: {type(exc).__name__}: {msg}"), err=True)
        sys.exit(3)


def _exit_now(code: int) -> None:
    """Exit without waiting for fetch threads still blocked in a read (up to --timeout), and
    without a second Ctrl-C's traceback from joining them."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _damaged(exc: BaseException) -> str:
    """What to tell the user when `exc` comes from a damaged or read-only database file ("" otherwise)."""
    import sqlite3

    from .errors import exception_chain

    if locked(exc):
        return f"{LOCKED}: try again when it is done"
    for seen in exception_chain(exc):
        text = first_line(seen)
        if isinstance(seen, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
            return (
                f"the database file is damaged ({text}): restore a copy, or rescue what is readable "
                "with `sqlite3 FILE .recover`"
            )
        if isinstance(seen, sqlite3.OperationalError) and "readonly database" in text:
            return "the database is read-only: this command changes it (the others read it as it is)"
        if isinstance(seen, sqlite3.OperationalError) and "unable to open database file" in text:
            return (
                "cannot open the database file (unable to open database file): check its permissions and its folder's"
            )
    return ""
