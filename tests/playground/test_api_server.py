"""`glassgrad playground` for real: uvicorn started by the command in a subprocess on a
free port, asked over HTTP, then stopped; and the command's refusals before it serves
(a port in use, the missing extra)."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("starlette", reason="the playground needs the [playground] extra (starlette)")
pytest.importorskip("uvicorn", reason="the playground needs the [playground] extra (uvicorn)")
httpx = pytest.importorskip("httpx", reason="the test asks the server with httpx (the [test] extra)")

from glassgrad.cli import main  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_command_serves_the_api_on_a_free_port_and_stops():
    port = free_port()
    env = dict(os.environ)
    env.pop("GLASSGRAD_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "glassgrad", "playground", "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(url + "/api/options", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        assert r.status_code == 200 and "xor" in r.json()["datasets"]
        made = httpx.post(url + "/api/session", json={"points": 40, "hidden": [3]}, timeout=30)
        assert made.status_code == 200
        sid = made.json()["session"]
        stepped = httpx.post(f"{url}/api/session/{sid}/step", json={"steps": 5}, timeout=30)
        assert stepped.json()["iteration"] == 5
        bad = httpx.post(url + "/api/session", json={"points": -1}, timeout=30)
        assert bad.status_code == 400 and "points" in bad.json()["error"]
        assert httpx.get(url + "/", timeout=30).status_code == 200
        # bound to loopback: a request naming another host is refused (DNS rebinding)
        assert httpx.get(url + "/api/options", headers={"host": "evil.example"}, timeout=5).status_code == 400
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert f"serving on http://127.0.0.1:{port}/" in out
    assert "Traceback" not in err, err


def test_a_port_in_use_is_refused_in_one_line_before_serving(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        status = main(["playground", "--port", str(port), "--no-browser"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.splitlines() == [f"glassgrad playground: error: --port {port}: already in use on 127.0.0.1; "
                                "choose another with --port"]


@pytest.mark.parametrize("module", ["starlette", "uvicorn"])
def test_the_missing_extra_is_named(module, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, module, None)  # import MODULE now fails
    status = main(["playground", "--port", str(free_port()), "--no-browser"])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and len(err.splitlines()) == 1, err
    assert f'glassgrad playground needs {module}, which is not installed: pip install "glassgrad[playground]"' in err


def test_import_glassgrad_playground_imports_no_web_stack():
    code = ("import sys, glassgrad, glassgrad.playground, glassgrad.playground.session; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_the_browser_is_opened_at_the_url_once_the_server_answers(monkeypatch):
    import webbrowser

    from glassgrad.cli.playground import _open_when_started, url_of

    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)

    class Server:
        started = True

    _open_when_started(Server(), url_of("127.0.0.1", 8765))
    assert opened == ["http://127.0.0.1:8765/"]

    class NeverStarted:
        started = False

    _open_when_started(NeverStarted(), "http://127.0.0.1:1/", wait=0.2)
    assert opened == ["http://127.0.0.1:8765/"]  # a server that never came up: no browser
    assert url_of("::1", 80) == "http://[::1]:80/" and url_of("0.0.0.0", 9) == "http://127.0.0.1:9/"
