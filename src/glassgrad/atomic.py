"""Writing a file, or a folder of files, so that no reader ever sees half of it.

Every file glassgrad writes (checkpoints, run folders, figures, worked solutions, datasets)
goes through this module. The recipe for one file ``F`` in folder ``D``:

1. refuse a target that exists and is not a regular file (``--out /dev/null`` must not
   turn the device into a file, nor a folder be replaced);
2. create ``D/.F.glassgrad-tmp-XXXXXXXX`` next to the target (same file system, so the
   rename below is atomic), with the permissions a new file gets from the umask, or the
   permission bits of the file it replaces;
3. write, flush, ``fsync`` (the bytes are on disk before the name points at them);
4. ``os.replace`` the temporary file onto ``F`` (atomic: a reader sees the old file or the
   new one, never a mix), then ``fsync`` the folder so the rename itself survives a crash.

On an exception the temporary file is deleted and ``F`` is left as it was. A writer killed
outright (SIGKILL, power loss) cannot delete its temporary file; the next write to ``F``
finds it by its name and removes it. It can tell an abandoned file from one that another
process is still writing because a writer holds an exclusive lock (``flock``) on its
temporary file until the rename: a file whose lock can be taken has no live writer. (Where
there is no ``flock``, on Windows, only temporary files older than a day are removed.)

A folder (a training run) is written the same way: the new contents are built in a
temporary sibling folder, and only when it is complete is it swapped in for the old
folder (one atomic exchange on Linux, else two renames), so a failed or concurrent run
never leaves a mix of old and new files.
"""

import errno
import io
import os
import stat
import time
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = ["atomic_open", "write_bytes", "write_text", "atomic_folder", "check_file_target",
           "check_folder_target", "TargetError", "RUN_MARKER"]

TEMP_MARK = ".glassgrad-tmp-"
OLD_MARK = ".glassgrad-old-"
RUN_MARKER = ".glassgrad-run"       # the file that says "glassgrad wrote this folder"
_NAME_ROOM = 200                    # leave room for the marks within a 255-byte name
_ABANDONED_AFTER = 24 * 3600        # seconds, only where there is no flock


class TargetError(ValueError):
    """The path to write exists and is not something glassgrad may replace."""


# ------------------------------------------------------------------ checks (no side effects)

def _kind(mode):
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def check_file_target(path):
    """The real path a file write to ``path`` will replace (a symbolic link is followed, so
    the link stays and the file it points to is replaced). Raises TargetError if ``path``
    exists and is not a regular file, FileNotFoundError if its folder does not exist."""
    target = Path(os.path.realpath(os.fspath(path)))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise TargetError(f"refusing to write {os.fspath(path)}: it exists and is {_kind(mode)}, "
                          "not a regular file")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write {os.fspath(path)}: the folder {target.parent} does not exist")
    return target


def check_folder_target(path, marker=RUN_MARKER, known=()):
    """Raise TargetError unless ``path`` can be written as a folder: absent (and its
    nearest existing parent writable), empty, or a folder glassgrad wrote (it holds
    ``marker``, or only files named by the glob patterns ``known``, as an older glassgrad
    wrote them). A folder of the user's own files is never replaced."""
    import fnmatch

    path = os.path.abspath(os.fspath(path))
    if not os.path.lexists(path):
        parent = os.path.dirname(path)
        while not os.path.exists(parent) and os.path.dirname(parent) != parent:
            parent = os.path.dirname(parent)
        if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
            raise TargetError(f"cannot create the folder {path}: {parent} is not a folder you can write to")
        return
    try:  # one look (lstat: a link is not followed), as concurrent writers rename folders
        mode = os.lstat(path).st_mode
    except FileNotFoundError:  # renamed away by a concurrent writer's swap this instant: absent
        return
    if not stat.S_ISDIR(mode):
        what = "a symbolic link" if stat.S_ISLNK(mode) else _kind(mode)
        raise TargetError(f"refusing to write the folder {path}: it exists and is {what}")
    entries = _stable_listing(path)
    if entries is None:  # swapped away by a concurrent writer this instant: absent
        return
    ours = marker in entries or all(any(fnmatch.fnmatchcase(e, k) for k in known) for e in entries)
    if not ours:
        raise TargetError(f"refusing to replace the folder {path}: it holds files glassgrad did not write "
                          f"(no {marker} in it); give a new or empty folder")
    if not os.access(os.path.dirname(path), os.W_OK | os.X_OK):
        raise TargetError(f"cannot replace the folder {path}: its parent folder is not writable")


def _stable_listing(path, tries=20):
    """The names in the folder at ``path``, or None if there is none. A concurrent writer
    may swap the folder away while it is being listed and then delete it, so a listing
    counts only if ``path`` still names the same folder afterwards; otherwise look again."""
    for _ in range(tries):
        try:
            before = os.stat(path)
            entries = os.listdir(path)
            after = os.stat(path)
        except FileNotFoundError:
            return None
        if (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino):
            return entries
    raise TargetError(f"cannot check the folder {path}: other writers keep replacing it")


# ------------------------------------------------------------------ one file

def _temp_prefix(target, mark=TEMP_MARK):
    return f".{target.name[:_NAME_ROOM]}{mark}"


def _lock(fd, wait):
    """Take the exclusive lock on an open file; False if another process holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _same_file(path, fd):
    try:
        a, b = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _abandoned(path):
    """Open ``path`` and report whether no live writer holds it (then it may be removed)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    if os.path.isdir(path):
        flags |= getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if fcntl is None:
            return fd if time.time() - os.fstat(fd).st_mtime > _ABANDONED_AFTER else None
        if _lock(fd, wait=False) and _same_file(path, fd):
            return fd  # still locked by us: the caller removes the name, then closes
    except OSError:
        pass
    os.close(fd)
    return None


def remove_abandoned(target, mark=TEMP_MARK):
    """Delete what killed writers left next to ``target``; returns the names removed."""
    target = Path(target)
    prefix = _temp_prefix(target, mark)
    removed = []
    try:
        entries = [e for e in os.scandir(target.parent) if e.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in entries:
        fd = _abandoned(entry.path)
        if fd is None:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                _rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _new_temp(target, make):
    """Create and lock a fresh temporary name next to ``target``; returns (fd, path).
    ``make(path)`` creates it and returns an fd. The name is checked again once the lock is
    held: a cleaner that locked the new file first (between creation and locking) has
    removed it, and a new name is tried (likewise for a folder removed between its
    creation and its opening)."""
    prefix = _temp_prefix(target)
    for _ in range(100):
        temp = target.parent / (prefix + os.urandom(4).hex())
        try:
            fd = make(temp)
        except FileNotFoundError:  # a folder made, then removed by a cleaner before it was opened
            continue
        _lock(fd, wait=True)
        if _same_file(temp, fd):
            return fd, temp
        os.close(fd)
    raise OSError(f"could not create a temporary file next to {target}")


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # not every system can fsync a folder
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_open(path, text=False, encoding="utf-8"):
    """Open ``path`` for writing (binary, or text with ``text=True``) through a temporary
    file: on a clean exit the data is flushed, fsynced and renamed onto ``path``; on an
    exception ``path`` is left as it was and the temporary file is deleted."""
    target = check_file_target(path)
    remove_abandoned(target)
    try:
        keep_mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        keep_mode = None
    # Mode 0o666 lets the umask decide, as for any new file (tempfile.mkstemp gives 0o600).
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd, temp = _new_temp(target, lambda p: os.open(p, flags, 0o666))
    try:
        raw = os.fdopen(fd, "wb")  # from here on, closing the file object closes fd
        if keep_mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, keep_mode)
        with (io.TextIOWrapper(raw, encoding=encoding, newline="") if text else raw) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            os.replace(temp, target)  # while the lock is held: nobody removes it meanwhile
        _fsync_folder(target.parent)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def write_bytes(path, data):
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path) as f:
        f.write(data)


def write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically (UTF-8, newlines as given)."""
    with atomic_open(path, text=True, encoding=encoding) as f:
        f.write(text)


# ------------------------------------------------------------------ a folder

_RENAME_EXCHANGE = 2


def _exchange(a, b):
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where
    the system or file system cannot, FileNotFoundError if ``b`` does not exist."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err == errno.ENOENT:
        raise FileNotFoundError(err, os.strerror(err), os.fspath(b))
    return False


def _swap_in(new, target):
    """Put the folder ``new`` at ``target``; returns the paths now holding old contents
    (to delete). Retries when a concurrent writer swaps its folder in meanwhile."""
    olds = []
    for _ in range(100):
        try:
            if _exchange(new, target):
                return olds + [new]
            old = target.parent / (_temp_prefix(target, OLD_MARK) + os.urandom(4).hex())
            os.rename(target, old)  # the two-rename fallback: target is briefly absent
            olds.append(old)
        except FileNotFoundError:
            pass
        try:
            os.rename(new, target)
            return olds
        except OSError as exc:  # another writer put its folder there first: go again
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    raise OSError(f"could not swap the new folder into {target}: too many concurrent writers")


@contextmanager
def atomic_folder(path, marker=RUN_MARKER, known=()):
    """Yield a fresh temporary folder next to ``path`` to write the new contents into; on
    a clean exit it replaces ``path`` as a whole (the old folder is deleted only after the
    new one is in place), on an exception it is deleted and ``path`` is left as it was.

    ``path`` must be absent, empty, or a folder glassgrad wrote (holding ``marker``, which
    is written into every new folder, or only files matching ``known``): a folder of
    someone's own files is never replaced.
    """
    target = Path(os.path.abspath(os.fspath(path)))
    check_folder_target(target, marker, known)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(target)
    remove_abandoned(target, OLD_MARK)

    def make(p):
        os.mkdir(p, 0o777)
        return os.open(p, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))

    fd, temp = _new_temp(target, make)
    try:
        try:
            yield temp
            write_text(temp / marker, "written by glassgrad; replaced as a whole by the next run\n")
            for entry in os.scandir(temp):
                if entry.is_file(follow_symlinks=False):
                    _fsync_file(entry.path)
            _fsync_folder(temp)
            check_folder_target(target, marker, known)  # the user may have filled it meanwhile
            olds = _swap_in(temp, target)
            _fsync_folder(target.parent)
        except BaseException:
            _rmtree(temp)
            raise
    finally:
        os.close(fd)
    for old in olds:
        _rmtree(old)


def _fsync_file(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rmtree(path):
    import shutil  # imported here: `import glassgrad` stays quick

    shutil.rmtree(path, ignore_errors=True)
