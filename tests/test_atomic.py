"""glassgrad.atomic: the one writer of every file and run folder glassgrad writes.

The behaviours tested are the ones a crash, a kill, a concurrent run or a bad target
would break: a reader sees the old file or the new one, never a mix; nothing but the
target changes; what a killed writer left behind is cleaned up by the next write.
"""

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from glassgrad import atomic
from glassgrad.atomic import TargetError, atomic_folder, atomic_open, write_bytes, write_text

SRC = Path(atomic.__file__).resolve().parent


def _temps(folder):
    return sorted(n for n in os.listdir(folder) if atomic.TEMP_MARK in n or atomic.OLD_MARK in n)


# ------------------------------------------------------------------ one file

def test_writes_the_bytes_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "a.bin"
    write_bytes(path, b"first")
    write_bytes(path, b"second, longer")
    write_text(tmp_path / "b.txt", "caf\u00e9\n")
    assert path.read_bytes() == b"second, longer"
    assert (tmp_path / "b.txt").read_bytes() == "caf\u00e9\n".encode("utf-8")
    assert sorted(os.listdir(tmp_path)) == ["a.bin", "b.txt"]


def test_an_exception_mid_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "a.bin"
    write_bytes(path, b"old contents")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_open(path) as f:
            f.write(b"half of the new")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["a.bin"]


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_users_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        write_bytes(tmp_path / "new.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.bin").stat().st_mode) == expected


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "private.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "new"


def test_a_symbolic_link_stays_and_its_file_is_replaced(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def _fifo(tmp_path, name="pipe"):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path = tmp_path / name
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["folder", "named pipe", "/dev/null"])
def test_a_target_that_is_not_a_regular_file_is_refused_untouched(tmp_path, kind):
    if kind == "folder":
        path = tmp_path / "dir"
        path.mkdir()
        expected = "is a folder"
    elif kind == "named pipe":
        path = _fifo(tmp_path)
        expected = "is a named pipe"
    else:
        path = Path(os.devnull)
        if not path.exists() or not stat.S_ISCHR(path.stat().st_mode):
            pytest.skip("no /dev/null character device here")
        expected = "is a character device"
    before = os.stat(path)
    with pytest.raises(TargetError, match=f"refusing to write {path}: it exists and {expected}, not a regular file"):
        write_bytes(path, b"x")
    after = os.stat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind != "/dev/null":
        assert _temps(tmp_path) == []


def test_explain_out_dev_null_is_refused_in_one_line(tmp_path):
    """The issue's case: `glassgrad explain ... --out /dev/null` (as root it replaced the
    device by a regular file). A named pipe stands in where /dev/null is not a device."""
    targets = [_fifo(tmp_path)]
    if Path(os.devnull).exists() and stat.S_ISCHR(os.stat(os.devnull).st_mode):
        targets.append(Path(os.devnull))
    for target in targets:
        before = os.stat(target)
        proc = subprocess.run([sys.executable, "-m", "glassgrad", "explain", "x*y", "--at", "x=1", "y=2",
                               "--out", str(target)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "not a regular file" in lines[0] and str(target) in lines[0]
        after = os.stat(target)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


_WRITER = textwrap.dedent("""
    import sys, time
    from glassgrad.atomic import atomic_open
    with atomic_open(sys.argv[1]) as f:
        f.write(b"x" * 100000)
        f.flush()
        print("writing", flush=True)
        time.sleep(300)
""")


def _start_writer(path):
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    return proc


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    path = tmp_path / "big.bin"
    write_bytes(path, b"old")
    proc = _start_writer(path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    (left,) = _temps(tmp_path)
    assert left.startswith(".big.bin.glassgrad-tmp-") and (tmp_path / left).stat().st_size == 100000
    assert path.read_bytes() == b"old"
    write_bytes(path, b"new")
    assert os.listdir(tmp_path) == ["big.bin"] and path.read_bytes() == b"new"


@pytest.mark.skipif(atomic.fcntl is None, reason="without flock only day-old temporary files are removed")
def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    path = tmp_path / "big.bin"
    proc = _start_writer(path)
    try:
        (theirs,) = _temps(tmp_path)
        write_bytes(path, b"mine")  # a concurrent write must not delete the other's file
        assert _temps(tmp_path) == [theirs] and path.read_bytes() == b"mine"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    write_bytes(path, b"again")
    assert _temps(tmp_path) == []


def test_concurrent_writers_each_leave_a_whole_file(tmp_path):
    path = tmp_path / "shared.bin"
    payloads = [bytes([i]) * (50000 + 1000 * i) for i in range(8)]
    errors = []

    def writer(data):
        try:
            for _ in range(5):
                write_bytes(path, data)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert path.read_bytes() in payloads
    assert os.listdir(tmp_path) == ["shared.bin"]


def test_explain_cost_figure_is_written_atomically(tmp_path):
    pytest.importorskip("matplotlib")
    from glassgrad.explain.cost import measure_costs, plot_costs

    rows = measure_costs(depth=1, widths=[2, 4], repeats=1)
    plot_costs(rows, tmp_path / "cost.png")
    assert (tmp_path / "cost.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(TargetError, match="not a regular file"):
        plot_costs(rows, _fifo(tmp_path, "pipe.png"))  # a figure's name, on a special file
    assert sorted(os.listdir(tmp_path)) == ["cost.png", "pipe.png"]


def test_no_module_writes_files_around_the_atomic_writer():
    """One writer: no other module renames files into place or makes temporary files."""
    offenders = []
    for py in SRC.rglob("*.py"):
        if py.name == "atomic.py":
            continue
        text = py.read_text(encoding="utf-8")
        for needle in ("os.replace(", "os.rename(", "mkstemp(", "NamedTemporaryFile(", "savefig(path"):
            if needle in text:
                offenders.append(f"{py.relative_to(SRC)}: {needle}")
    assert offenders == []


# ------------------------------------------------------------------ a folder

def _write_run(folder, tag, files=("config.json", "model.npz", "history.json")):
    for name in files:
        write_text(Path(folder) / name, f"{tag}:{name}")


def _tags(folder):
    return {(folder / n).read_text().split(":")[0] for n in os.listdir(folder) if n != atomic.RUN_MARKER}


def test_a_folder_is_replaced_as_a_whole(tmp_path):
    run = tmp_path / "run"
    with atomic_folder(run) as temp:
        _write_run(temp, "A", ("config.json", "model.npz", "extra.png"))
    with atomic_folder(run) as temp:
        _write_run(temp, "B")
    assert sorted(os.listdir(run)) == sorted([atomic.RUN_MARKER, "config.json", "model.npz", "history.json"])
    assert _tags(run) == {"B"}  # A's extra.png is gone with the rest of A
    assert os.listdir(tmp_path) == ["run"]


def test_a_failure_while_writing_a_folder_leaves_the_old_one_whole(tmp_path):
    run = tmp_path / "run"
    with atomic_folder(run) as temp:
        _write_run(temp, "A")
    with pytest.raises(OSError, match="No space left"):
        with atomic_folder(run) as temp:
            write_text(temp / "config.json", "B:config.json")
            raise OSError(28, "No space left on device")
    assert _tags(run) == {"A"}
    assert os.listdir(tmp_path) == ["run"]


def test_a_folder_of_the_users_own_files_is_never_replaced(tmp_path):
    home = tmp_path / "Documents"
    home.mkdir()
    (home / "thesis.tex").write_text("years of work")
    with pytest.raises(TargetError, match="holds files glassgrad did not write"):
        with atomic_folder(home):
            pytest.fail("must refuse before yielding")
    assert os.listdir(home) == ["thesis.tex"] and sorted(os.listdir(tmp_path)) == ["Documents"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(TargetError, match="it exists and is not a regular file|exists and is"):
        atomic.check_folder_target(tmp_path / "file")
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_folder(empty) as temp:
        _write_run(temp, "A")
    assert _tags(empty) == {"A"}


def test_concurrent_folder_writers_never_mix(tmp_path):
    run = tmp_path / "run"
    errors = []

    def writer(tag):
        try:
            for _ in range(6):
                with atomic_folder(run) as temp:
                    _write_run(temp, tag)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in "ABCD"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(_tags(run)) == 1
    assert sorted(os.listdir(run)) == sorted([atomic.RUN_MARKER, "config.json", "model.npz", "history.json"])
    assert os.listdir(tmp_path) == ["run"]


def test_the_two_rename_fallback_also_never_mixes(tmp_path, monkeypatch):
    """Where there is no atomic exchange (not Linux), two renames swap the folder in."""
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    test_concurrent_folder_writers_never_mix(tmp_path)
