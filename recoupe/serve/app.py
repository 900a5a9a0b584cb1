"""``recoupe serve``: the store as an HTTP API and web pages (OpenAPI at ``/openapi.json``).

Pages are rendered on the server with Jinja2 (autoescaping on: article text
is untrusted) and work offline: no script, and the one stylesheet ships in
the package. Every response carries a Content-Security-Policy that
allows nothing from elsewhere and no inline script. Writes need the token
from ``[serve] token`` (or ``RECOUPE_TOKEN``); without one the API is read-only.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Config
from ..errors import RecoupeError, StoreError
from ..ingest.readers import load_json
from ..model import Article, is_day, to_dict
from ..report.view import article_label, segments
from ..store.base import STORY_ORDERS, StoryQuery
from .library import Library, NotFound

_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_SECURITY_HEADERS = (("Content-Security-Policy", _CSP), ("X-Content-Type-Options", "nosniff"),
                     ("Referrer-Policy", "no-referrer"))
_ARTICLE_FIELDS = ("id", "external_id", "title", "source", "url", "language", "path")
# The input record of the public contract, as the POST body's OpenAPI description.
_RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"}, "html": {"type": "string"}, "id": {"type": "string"},
        "title": {"type": "string"}, "url": {"type": "string"},
        "source": {"type": "string"}, "language": {"type": "string"},
        "published": {"type": "string", "description": "ISO date or datetime"},
    },
}
_POST_SCHEMA: dict[str, Any] = {"oneOf": [
    _RECORD_SCHEMA,
    {"type": "array", "items": _RECORD_SCHEMA},
    {"type": "object", "properties": {"articles": {"type": "array", "items": _RECORD_SCHEMA}},
     "required": ["articles"]},
]}
# Offsets past this are no page of any store: refused (422) before a database sees them.
MAX_OFFSET = 1_000_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int | None, Query(ge=1, le=MAX_OFFSET)]
MinSources = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _Guard:
    """The security headers on every response, bodies refused by their declared size, HEAD
    answered as GET without a body, and any error the app lets through turned into the
    JSON error (with the headers) rather than a bare 500.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's
    BaseHTTPMiddleware passes each request through an extra task and memory
    streams, which under load cost more than reading a page of the story list.
    """

    def __init__(self, app: ASGIApp, limit: int, reject: Callable[[], Response],
                 crash: Callable[[], Response]) -> None:
        self.app, self.limit, self.reject, self.crash = app, limit, reject, crash

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        started = False

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS:
                    headers.append(name, value)
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        length = Headers(scope=scope).get("content-length")
        try:
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                await self.reject()(scope, receive, secured)
            else:
                await self.app(scope, receive, secured)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope.get("path"))
            if started:
                raise  # the answer is on its way: nothing better to send
            await self.crash()(scope, receive, secured)


CONFIG_VARIABLE = "RECOUPE_SERVE_CONFIG"


def app_from_environment() -> FastAPI:
    """The app in each process of ``recoupe serve --workers N``: the parent passes its
    config (file, then command-line options) as JSON in the environment."""
    return create_app(Config.from_mapping(json.loads(os.environ[CONFIG_VARIABLE]),
                                          origin=CONFIG_VARIABLE))


def create_app(config: Config | None = None) -> FastAPI:
    config = config or Config.load()
    token = config.serve.token or os.environ.get("RECOUPE_TOKEN", "")
    library = Library(config)
    too_large = f"request body over {config.serve.max_request_bytes} bytes"

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = config.serve.threads
        yield
        library.close()

    app = FastAPI(title="recoupe", summary="Cross-checked news stories",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=str(resources.files(__package__) / "static")),
              name="static")
    pages = Environment(loader=PackageLoader("recoupe.serve", "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True))
    pages.filters["safe_url"] = safe_url
    pages.globals["label"] = article_label

    def render(name: str, **context: Any) -> str:
        return pages.get_template(name).render(**context)

    def page(name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(render(name, **context))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _error(exc.status, exc.message, request)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(404, str(exc), request)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return _error(503, f"the store cannot be read now: {exc}", request)

    @app.exception_handler(RecoupeError)
    async def recoupe_error(request: Request, exc: RecoupeError) -> Response:
        return _error(400, str(exc), request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return _error(422, f"invalid request: {where}", request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(exc.status_code, str(exc.detail), request)

    def _error(status: int, message: str, request: Request | None = None) -> Response:
        if request is not None and not request.url.path.startswith("/api") and status != 413:
            return HTMLResponse(render("error.html", status=status, message=message),
                                status_code=status)
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)

    app.add_middleware(_Guard, limit=config.serve.max_request_bytes,
                       reject=lambda: _error(413, too_large),
                       crash=lambda: _error(500, "internal error (logged on the server)"))

    def story_query(start: str | None, end: str | None, language: str | None,
                    source: str | None, entity: str | None, storyline: str | None,
                    offset: int, limit: int | None, sort: str = "newest",
                    min_sources: int = 0) -> StoryQuery:
        for name, value in (("start", start), ("end", end)):
            if value and not is_day(value):
                raise ApiError(422, f"{name}: {value!r} is not a date (YYYY-MM-DD)")
        if sort not in STORY_ORDERS:
            raise ApiError(422, f"sort: {sort!r} is not one of {', '.join(STORY_ORDERS)}")
        return StoryQuery(start=start or None, end=end or None, language=language or None,
                          source=source or None, entity=entity or None,
                          storyline=storyline or None, min_sources=min_sources, sort=sort,
                          offset=offset, limit=page_size(limit))

    def page_size(limit: int | None) -> int:
        return min(limit or config.serve.page_size, config.serve.max_page_size)

    # ------------------------------------------------------------------ API

    @app.get("/api/stories", tags=["stories"], response_model=dict[str, Any])
    def api_stories(start: str | None = None, end: str | None = None,
                    language: str | None = None, source: str | None = None,
                    entity: str | None = None, storyline: str | None = None,
                    offset: Offset = 0, limit: Limit = None, sort: str = "newest",
                    min_sources: MinSources = 0,
                    ) -> Response:
        """Stories filtered by date range, language, source, entity, storyline and a least
        number of independent sources (``min_sources``); newest first, or with
        ``sort=coverage`` the stories most independent sources tell, in most languages,
        lately."""
        query = story_query(start, end, language, source, entity, storyline, offset, limit,
                            sort, min_sources)
        rows, total = library.stories(query)
        # The busiest endpoint: plain JSON, without the framework's validation of a dict
        # of strings and lists it has nothing to check in (a fifth of its cost under load).
        return JSONResponse({"total": total, "offset": query.offset, "limit": query.limit,
                             "stories": [to_dict(r) for r in rows]})

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: str) -> dict[str, Any]:
        """A story: articles, summary with citations, timeline, quotes, figures, reuse, events."""
        detail = library.story(story_id)
        return {"story": to_dict(detail.story),
                "articles": [_article_brief(a) for a in detail.articles]}

    @app.get("/api/articles/{article_id}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """An article's clean text, what cleaning removed, and the passages shared with others."""
        article, detail = library.article(article_id)
        marks = []
        if detail is not None:
            for segments in detail.paragraphs.get(article.id, []):
                marks += [{"text": s.text, "kind": s.mark, "note": s.note}
                          for s in segments if s.mark]
        return {**_article_brief(article), "text": article.text,
                "story": detail.story.id if detail else None,
                "removed": [to_dict(r) for r in article.removed], "marked": marks}

    @app.post("/api/articles", tags=["articles"], status_code=201,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": _POST_SCHEMA}}}})
    async def api_ingest(request: Request) -> Response:
        """Analyse input records into the store. Needs ``Authorization: Bearer <token>``.

        Answers with the ids stored (``stored``), those the store already held
        (``already_stored``; ``articles`` is both) and each record rejected with its reason:
        201 when something was stored, 200 when all was there already, 422 when nothing
        could be stored."""
        if not token:
            raise ApiError(403, "the API is read-only: no token is configured ([serve] token)")
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise ApiError(401, "missing or wrong token (Authorization: Bearer <token>)")
        body = bytearray()
        try:
            async for chunk in request.stream():  # a chunked body has no length to check first
                body += chunk
                if len(body) > config.serve.max_request_bytes:
                    raise ApiError(413, too_large)
        except ClientDisconnect:
            raise ApiError(400, "the client went away before sending its whole body") from None
        try:
            data = load_json(body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ApiError(400, f"body is not UTF-8: {exc.reason} at byte {exc.start}") from exc
        except ValueError as exc:
            raise ApiError(400, f"body is not JSON: {exc}") from exc
        records = data.get("articles") if isinstance(data, dict) and "articles" in data else data
        if isinstance(records, dict):
            records = [records]
        if not isinstance(records, list) or not records:
            raise ApiError(400, "body must be a record, a list of records or {\"articles\": [...]}")
        if len(records) > config.serve.max_articles_per_request:
            raise ApiError(413, f"over {config.serve.max_articles_per_request} articles in one request")
        done = await run_in_threadpool(library.ingest, records)
        # 201: something was stored; 200: all of it was already there; 422: nothing could be.
        status = 201 if done.stored else 422 if done.rejected else 200
        return JSONResponse(
            {"stored": done.stored, "already_stored": done.already_stored,
             "articles": done.stored + done.already_stored,
             "rejected": [to_dict(r) for r in done.rejected],
             "notices": [to_dict(n) for n in done.notices]}, status_code=status)

    @app.get("/api/entities", tags=["entities"])
    def api_entities(q: str | None = None, offset: Offset = 0,
                     limit: Limit = None) -> dict[str, Any]:
        size = page_size(limit)
        rows, total = library.entities(q, offset, size)
        return {"total": total, "offset": offset, "limit": size,
                "entities": [to_dict(r) for r in rows]}

    @app.get("/api/entities/{entity_id}", tags=["entities"])
    def api_entity(entity_id: str) -> dict[str, Any]:
        detail = library.entity(entity_id)
        return {"entity": to_dict(detail.entity),
                "stories": [to_dict(s) for s in detail.stories],
                "quotes": [{**to_dict(q), "article": a.id} for q, a in detail.quotes]}

    @app.get("/api/storylines", tags=["storylines"])
    def api_storylines() -> dict[str, Any]:
        return {"storylines": [to_dict(s) for s in library.storylines()]}

    @app.get("/api/storylines/{line_id}", tags=["storylines"])
    def api_storyline(line_id: str) -> dict[str, Any]:
        line, timeline = library.storyline(line_id)
        return {"storyline": to_dict(line), "timeline": [to_dict(e) for e in timeline]}

    @app.get("/api/search", tags=["search"])
    def api_search(q: str = Query(..., min_length=1, max_length=500),
                   limit: int = Query(20, ge=1, le=100)) -> dict[str, Any]:
        """Full text (accents folded) and meaning, fused by rank; entities by name."""
        hits, entities = library.search(q, limit)
        return {"articles": [{**_article_brief(h.article), "story": h.story, "score": h.score,
                              "matched_by": h.by} for h in hits],
                "entities": [to_dict(e) for e in entities]}

    # ------------------------------------------------------------------ pages

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        """The API described from its OpenAPI document, rendered here: FastAPI's Swagger
        page loads its script from a CDN, which an offline machine (and our CSP) refuses."""
        return page("docs.html", spec=app.openapi())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def front(start: str | None = None, end: str | None = None, language: str | None = None,
              source: str | None = None, entity: str | None = None,
              storyline: str | None = None, offset: Offset = 0, sort: str = "coverage",
              min_sources: MinSources = 0) -> HTMLResponse:
        # The front page ranks by coverage: what many independent sources tell, lately.
        query = story_query(start, end, language, source, entity, storyline, offset, None,
                            sort, min_sources)
        rows, total = library.stories(query)
        return page("front.html", rows=rows, total=total, query=query)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str) -> HTMLResponse:
        generation = library.generation
        detail = library.story(story_id)

        def story_html() -> str:
            by_id = {a.id: a for a in detail.articles}
            nums = {a.id: n for n, a in enumerate(detail.articles, start=1)}  # one per source
            return render("story.html", d=detail, s=detail.story, by_id=by_id, nums=nums)

        # The most read page, and the longest to render: rendered once per store state.
        return HTMLResponse(library.memo(("story.html", detail.story.id), story_html, generation))

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str, mark: str | None = None) -> HTMLResponse:
        article, detail = library.article(article_id)
        reuse, by_id = (detail.story.reuse, {a.id: a for a in detail.articles}) if detail else ([], {})
        paragraphs = segments(article, reuse, by_id, _span(mark))
        return page("article.html", a=article, story=detail.story if detail else None,
                    paragraphs=paragraphs)

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(q: str | None = None, offset: Offset = 0) -> HTMLResponse:
        size = page_size(None)
        rows, total = library.entities(q, offset, size)
        return page("entities.html", rows=rows, total=total, q=q or "", offset=offset, size=size)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str) -> HTMLResponse:
        return page("entity.html", d=library.entity(entity_id))

    @app.get("/storylines", response_class=HTMLResponse, include_in_schema=False)
    def storylines_page() -> HTMLResponse:
        return page("storylines.html", lines=library.storylines())

    @app.get("/storylines/{line_id}", response_class=HTMLResponse, include_in_schema=False)
    def storyline_page(line_id: str) -> HTMLResponse:
        line, timeline = library.storyline(line_id)
        rows, _ = library.stories(StoryQuery(storyline=line.id, limit=100))
        return page("storyline.html", line=line, timeline=timeline, rows=rows)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = "") -> HTMLResponse:
        q = q.strip()[:500]
        hits, entities = library.search(q) if q else ([], [])
        return page("search.html", q=q, hits=hits, entities=entities)

    return app


def safe_url(url: str | None) -> str | None:
    """The URL if it is a web address, else None: a ``javascript:`` link never reaches a page."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def _article_brief(a: Article) -> dict[str, Any]:
    out = {k: getattr(a, k) for k in _ARTICLE_FIELDS}
    out["published"] = to_dict(a.published)
    return out


def _span(mark: str | None) -> tuple[int, int] | None:
    if not mark:
        return None
    start, _, end = mark.partition("-")
    # Offsets into a text of at most ingest.max_chars: ten digits is plenty, and Python
    # refuses to read a number of thousands of digits anyway.
    if (not (start.isdigit() and end.isdigit()) or max(len(start), len(end)) > 10
            or int(end) <= int(start)):
        raise ApiError(422, f"mark: {mark!r} is not START-END character offsets")
    return int(start), int(end)


__all__ = ["create_app"]
