"""The playground's web app: Starlette routes over the sessions (docs/playground.md).

    app = create_app()        # then: uvicorn.run(app, host="127.0.0.1", port=8000)

Every API route speaks JSON. What a user can get wrong is answered with a status and one
line, ``{"error": "..."}``: 400 bad input (config.py, data.py, the request's own fields),
404 unknown session or route, 413 body too large, 429 too many sessions. Anything else is
a bug: the answer is a 500 with one line, and the traceback goes to the server's log
(Starlette's error middleware re-raises it to uvicorn), so the server keeps serving.

The network work (building, training, drawing the boundary, tracing) runs in Starlette's
thread pool, so one tab's training does not stall another's requests; each session's lock
keeps two requests of one tab (Play and a click) from interleaving on one network.
Nothing is written to disk; the user's text (the config, the CSV) is only parsed and
compared, never evaluated.
"""

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import UserError
from . import config as config_module
from . import limits
from .session import Session
from .store import SessionStore, TooManySessions, UnknownSession

STATIC = Path(__file__).parent / "static"

MISSING_PAGE = """<!doctype html><meta charset="utf-8"><title>glassgrad playground</title>
<p>The playground's page (glassgrad/playground/static/index.html) is not installed; the
API answers at <a href="/api/options">/api/options</a>."""


class BodyTooLarge(Exception):
    """The request body is over MAX_BODY_BYTES."""


# ---------------------------------------------------------------------- request helpers
async def _json_body(request, max_bytes):
    """The request's JSON body ({} if empty), read up to ``max_bytes``. JSON's NaN and
    Infinity (which Python would accept) are refused: a config holds finite numbers."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"request body: expected at most {max_bytes} bytes, got {declared}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise BodyTooLarge(f"request body: expected at most {max_bytes} bytes, got more")
    if not body.strip():
        return {}
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise UserError("request body: expected UTF-8 JSON text") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"request body: expected JSON, but {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise UserError("request body: expected JSON nested a few levels deep, got far deeper") from None
    if not isinstance(value, dict):
        raise UserError(f"request body: expected a JSON object, got {type(value).__name__}")
    return value


def _refuse_constant(name):
    raise UserError(f"request body: expected finite numbers, got {name} (JSON has no {name})")


def _steps(body):
    unknown = sorted(set(body) - {"steps"})
    if unknown:
        raise UserError(f"step: unknown field {unknown[0]!r}; expected only 'steps'")
    steps = body.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= limits.MAX_STEPS:
        raise UserError(f"steps: expected a whole number from 1 to {limits.MAX_STEPS}, got {steps!r}")
    return steps


def _example(request):
    """split and index from the query string (?split=train&index=3)."""
    query = request.query_params
    unknown = sorted(set(query) - {"split", "index"})
    if unknown:
        raise UserError(f"explain: unknown parameter {unknown[0]!r}; expected split and index")
    split = query.get("split", "train")
    text = query.get("index")
    if text is None:
        raise UserError("index: expected the example's index (?split=train&index=0), got none")
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise UserError(f"index: expected a whole number from 0, got {text[:40]!r}")
    return split, int(text)


def _one_line(text):
    return " ".join(str(text).split())


def _error(status, text):
    return JSONResponse({"error": _one_line(text)}, status_code=status)


# ---------------------------------------------------------------------- the app
def create_app(store=None, allowed_hosts=None, max_body_bytes=limits.MAX_BODY_BYTES):
    """The playground app. ``store``: a SessionStore (default: a fresh one with the
    limits' capacity); ``allowed_hosts``: Host headers to accept (the command passes the
    loopback names when bound to loopback, so a web page elsewhere cannot reach the server
    by DNS rebinding); ``max_body_bytes``: the largest request body."""
    store = store if store is not None else SessionStore()

    async def session_call(request, method, *args):
        session = store.get(request.path_params["id"])

        def call():
            with session.lock:
                return getattr(session, method)(*args)

        return await run_in_threadpool(call)

    async def index(request):
        page = STATIC / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html")
        return HTMLResponse(MISSING_PAGE)

    async def options(request):
        return JSONResponse({
            "datasets": list(config_module.DATASETS), "activations": list(config_module.ACTIVATIONS),
            "losses": list(config_module.LOSSES), "optimizers": list(config_module.OPTIMIZERS),
            "defaults": config_module.DEFAULTS, "limits": limits.as_dict(),
        })

    async def create(request):
        body = await _json_body(request, max_body_bytes)
        checked = config_module.check_config(body)  # refused before anything is built
        store.room()
        session_id = store.new_id()
        session = await run_in_threadpool(Session, checked, session_id)
        state = await run_in_threadpool(session.state)
        store.add(session)
        return JSONResponse({"session": session_id, "state": state})

    async def state(request):
        if request.method == "DELETE":  # the tab closed or made a new session: free its slot
            store.remove(request.path_params["id"])
            return JSONResponse({"closed": request.path_params["id"]})
        return JSONResponse(await session_call(request, "state"))

    async def step(request):
        steps = _steps(await _json_body(request, max_body_bytes))
        session = store.get(request.path_params["id"])

        def call():
            with session.lock:
                session.step(steps)
                return session.state()

        return JSONResponse(await run_in_threadpool(call))

    async def reset(request):
        await _json_body(request, max_body_bytes)  # read (and size-checked), not used
        session = store.get(request.path_params["id"])

        def call():
            with session.lock:
                session.reset()
                return session.state()

        return JSONResponse(await run_in_threadpool(call))

    async def explain_page(request):
        split, index = _example(request)
        return HTMLResponse(await session_call(request, "explain_html", split, index))

    async def explain_numbers(request):
        split, index = _example(request)
        return JSONResponse(await session_call(request, "explain_json", split, index))

    async def user_error(request, exc):
        return _error(400, exc)

    async def http_error(request, exc):
        text = {404: f"no such page or route: {request.url.path}",
                405: f"method {request.method} is not allowed on {request.url.path}"}.get(exc.status_code, exc.detail)
        return _error(exc.status_code, text)

    async def bug(request, exc):
        # Starlette's error middleware sends this answer, then re-raises: uvicorn logs the traceback
        return _error(500, f"internal error in the glassgrad playground ({type(exc).__name__}); "
                           "this is a bug, not your input: the server's log has the traceback")

    routes = [
        Route("/", index),
        Route("/api/options", options),
        Route("/api/session", create, methods=["POST"]),
        Route("/api/session/{id}", state, methods=["GET", "DELETE"]),
        Route("/api/session/{id}/step", step, methods=["POST"]),
        Route("/api/session/{id}/reset", reset, methods=["POST"]),
        Route("/api/session/{id}/explain", explain_page),
        Route("/api/session/{id}/explain.json", explain_numbers),
    ]
    if STATIC.is_dir():  # the page's files (without them, /static/... is a 404 like any unknown path)
        routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        UserError: user_error,
        UnknownSession: lambda request, exc: _error(404, exc),
        TooManySessions: lambda request, exc: _error(429, exc),
        BodyTooLarge: lambda request, exc: _error(413, exc),
        HTTPException: http_error,
        Exception: bug,
    })
    app.state.store = store
    return app
