"""`glassgrad playground [--port P] [--host H] [--no-browser]`: the playground in a browser.

Serves the playground (glassgrad.playground: a small network learning 2-D points, with the
math of any point's forward and backward pass) on http://HOST:PORT/, by default on
127.0.0.1 (this machine only), and opens it in the default browser. Ctrl+C stops it.
"""

import socket
import sys
import threading

from glassgrad.errors import UserError, require

from .checks import Whole, arg

DEFAULT_PORT = 8765
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def register(subparsers):
    p = subparsers.add_parser(
        "playground", help="train a small network on 2-D points in your browser, with the math",
        description=__doc__.split("\n\n")[1])
    p.add_argument("--port", type=arg(Whole(1, 65535), "--port"), default=DEFAULT_PORT,
                   help=f"the port to serve on (default: {DEFAULT_PORT})")
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to bind (default: 127.0.0.1, this machine only; 0.0.0.0 "
                        "serves everyone who can reach this machine)")
    p.add_argument("--no-browser", action="store_true", help="print the address, do not open a browser")
    p.set_defaults(func=run_playground)


def bind(host, port):
    """A listening socket on host:port, or a UserError of one line (port in use, an
    unknown host, an address not of this machine). Bound here, before the server starts,
    so the refusal comes before anything is served, and handed to uvicorn as it is."""
    if not host.strip():
        raise UserError("--host: expected an address such as 127.0.0.1 or localhost, got an empty name")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise UserError(f"--host: cannot use {host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a TIME_WAIT port is free
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        import errno

        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"--port {port}: already in use on {host}; choose another with --port") from None
        if exc.errno == errno.EACCES:
            raise UserError(f"--port {port}: not allowed to bind it on {host} (ports below 1024 need "
                            "administrator rights); choose another with --port") from None
        raise UserError(f"--host {host}: cannot bind port {port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def url_of(host, port):
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown:  # an IPv6 address goes in brackets
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def run_playground(args):
    require("starlette", "glassgrad playground", "playground")
    uvicorn = require("uvicorn", "glassgrad playground", "playground")
    from glassgrad.playground.app import create_app

    sock = bind(args.host, args.port)
    loopback = args.host in LOOPBACK_NAMES
    app = create_app(allowed_hosts=list(LOOPBACK_NAMES) if loopback else None)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    url = url_of(args.host, args.port)
    if not loopback and args.host not in ("::1",):
        print(f"glassgrad playground: warning: serving on {args.host}: anyone who can reach this "
              "machine can use it", file=sys.stderr)
    print(f"glassgrad playground: serving on {url} (Ctrl+C to stop)", flush=True)
    if not args.no_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def _open_when_started(server, url, wait=10.0):
    """Open the browser once the server answers (so the first page load does not fail)."""
    import time
    import webbrowser

    deadline = time.monotonic() + wait
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if server.started:
        webbrowser.open(url)
