"""From a source's landing page to the bytes of its list document (the only step that both fetches and looks)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import charset
from .discover import document_format, find_documents, page_has_table
from .formats import attachment_formats
from .fetch import FetchError, Fetcher, FetchResult


@dataclass
class Located:
    status: str  # "document" | "unchanged" (the landing page answered 304)
    document: bytes = b""
    document_url: str = ""
    claimed_format: str = ""  # what the link / Content-Type says; the caller verifies the bytes
    page_url: str = ""
    page_etag: str = ""
    page_last_modified: str = ""
    doc_etag: str = ""
    doc_last_modified: str = ""
    more: list[tuple[str, str]] = field(default_factory=list)  # (url, format) of the page's other attachments
    untried: int = 0  # attachments past MAX_ATTACHMENTS
    unfetched: list[str] = field(default_factory=list)  # attachments not fetched for now (5xx, timeout …): why, each


def _found(page: FetchResult, doc: FetchResult, claimed: str) -> Located:
    return Located(
        status="document",
        document=doc.content,
        document_url=doc.url,
        claimed_format=claimed,
        page_url=page.url,
        page_etag=page.etag,
        page_last_modified=page.last_modified,
        doc_etag=doc.etag,
        doc_last_modified=doc.last_modified,
    )


def _suffixes(formats: list[str]) -> str:
    return "/".join(f".{f}" for f in formats)


def locate(
    source: dict, fetcher: Fetcher, *, url: str | None = None, page_etag: str = "", page_last_modified: str = ""
) -> Located:
    """Fetch the landing page (conditionally) and the list document it leads to."""
    landing = url or source.get("url", "")
    if not landing:
        raise FetchError(f"source {source.get('id', '?')} has no URL")
    page = fetcher.get(landing, etag=page_etag, last_modified=page_last_modified)
    if page.status == 304:
        return Located(
            status="unchanged", page_url=page.url, page_etag=page.etag, page_last_modified=page.last_modified
        )
    served = document_format(page.content, page.content_type, page.url)
    if served:  # the landing URL is the document itself
        return _found(page, page, served)
    html = charset.decode(page.content, page.content_type)[0]
    mode = source.get("document", "attachment")
    if mode == "table":
        if not page_has_table(html):
            raise FetchError(f"no table in the page {page.url}", page.url)
        return _found(page, page, "html")
    if mode != "attachment":
        raise FetchError(f"source {source.get('id', '?')}: unknown document kind {mode!r}")
    formats = source.get("formats") or attachment_formats()
    links = find_documents(html, page.url, formats)
    if not links and page_has_table(html):  # the list published as a table in the page itself
        return _found(page, page, "html")
    if not links:
        raise FetchError(f"no {_suffixes(formats)} attachment linked from {page.url}", page.url)
    first = Located(
        status="document",
        page_url=page.url,
        page_etag=page.etag,
        page_last_modified=page.last_modified,
        more=[(x.url, x.format) for x in links[:MAX_ATTACHMENTS]],
        untried=max(0, len(links) - MAX_ATTACHMENTS),
    )
    failures: list[str] = []
    unfetched: list[str] = []
    found = next_attachment(first, fetcher, failures, unfetched)
    if found is None:
        raise FetchError(attachments_failed(first, failures), page.url)
    return replace(found, unfetched=unfetched)


MAX_ATTACHMENTS = 4  # attachments of one page tried, in page order (the newest list of them is kept)


def next_attachment(
    found: Located, fetcher: Fetcher, failures: list[str], unfetched: list[str] | None = None
) -> Located | None:
    """The page's next attachment that can be fetched (the first, or the one after a notice's 附件1
    that was not the list); why each one that cannot is added to `failures` (and `unfetched`).
    None when none is left."""
    more = found.more
    while more:
        (url, claimed), more = more[0], more[1:]
        try:
            doc = fetcher.get(url)
        except FetchError as exc:
            failures.append(str(exc))
            if unfetched is not None and exc.transient:  # (a 404 is a dead link: passed over for good)
                unfetched.append(str(exc))
            continue
        return replace(
            found,
            document=doc.content,
            document_url=doc.url,
            claimed_format=claimed,
            doc_etag=doc.etag,
            doc_last_modified=doc.last_modified,
            more=more,
        )
    return None


def attachments_failed(found: Located, failures: list[str]) -> str:
    """Why no attachment was the list: each one tried, and how many past MAX_ATTACHMENTS were not."""
    untried = [f"{found.untried} more attachments not tried"] if found.untried else []
    return "; ".join(failures + untried)
