"""The API's description (/openapi.json) as the API answers: every error is a problem object
(RFC 9457, application/problem+json: type, title, status, detail), with the statuses it sends.
FastAPI's own description promised its validation-error list as application/json, a shape this
API never sends."""

from __future__ import annotations

from fastapi import FastAPI

PROBLEM = {
    "title": "Problem",
    "type": "object",
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Unprocessable Content"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string", "example": "an empty query (blank, only punctuation or symbols, …)"},
    },
    "required": ["type", "title", "status", "detail"],
}
WHY = {
    400: "The request could not be read",
    404: "No such source (or entry)",
    413: "Too large: the body, a query, or the number of queries (the detail gives the limit)",
    415: "A body of another media type than the endpoint takes, or sent encoded (Content-Encoding)",
    422: "An input the endpoint refuses: an unknown or repeated parameter, an empty or undecodable query … (the detail says which)",
    429: "Too many requests from this client: retry after the Retry-After header's seconds",
}
_FASTAPIS = ("HTTPValidationError", "ValidationError")  # the 422 shape FastAPI describes, never sent here


def statuses(path: str, method: str) -> list[int]:
    """The error statuses an operation of this API may answer with."""
    if path == "/healthz":  # no parameters, and never rate limited
        return []
    out = [422, 429]
    if path in ("/api/entries", "/api/history") or "{" in path:  # ?source= or a path naming one
        out.append(404)
    if method in ("post", "put", "patch"):
        out += [400, 413, 415]
    elif path == "/api/check":  # up to 1,000 q, each up to 2,000 characters
        out.append(413)
    return sorted(out)


def describe_problems(app: FastAPI) -> None:
    """Make app.openapi() describe the errors as they are sent."""
    made = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = made()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for name in _FASTAPIS:
            schemas.pop(name, None)
        schemas["Problem"] = PROBLEM
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in spec.get("paths", {}).items():
            for method, op in operations.items():
                responses = op.setdefault("responses", {})
                responses.pop("422", None)
                for status in statuses(path, method):
                    responses[str(status)] = {"description": WHY[status], "content": problem}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
