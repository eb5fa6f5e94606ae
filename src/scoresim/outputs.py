"""Where results go: every output directory and file a command creates.

* :func:`output_directory` plans a new results directory before any work: the place must not
  exist (a symbolic link counts, dangling or not), its names must fit the file system, and the
  nearest existing folder must be a folder this process can create entries in (tried, not
  guessed from permission bits).
* :func:`new_directory` creates it whole: files go into a hidden temporary directory beside it,
  renamed into place when everything is written. On any failure the temporary directory and
  the folders created for it are removed, and a failed write (disk full, quota, I/O error)
  becomes a :class:`WriteError` saying what was written and how much space is free.
* :func:`write_file` writes one file atomically (a temporary file beside it, flushed to disk,
  then renamed), after checking that the device has room for it: a result file is either
  complete or absent.

Every problem is an :class:`~scoresim.config.InputError` (exit status 2) naming the place.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .config import InputError

NAME_MAX = 255      # bytes in one path component, when the file system does not say
PATH_MAX = 4096     # bytes in a whole path, when the file system does not say
TEMP_STEM = 40      # characters of the final name kept in a temporary name
SPACE_MARGIN = 4096      # bytes kept free beyond a file's size (a file system block)
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class WriteError(InputError):
    """A result could not be written (disk full, quota, read-only or failing device); what
    was started has been removed. ``reason`` says why in a few words."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


def output_directory(requested: str | None, parent: Path, stem: str, option: str = "--out") -> Path:
    """The directory a command will create: ``requested`` (which must not exist) or a fresh
    ``parent/<stem>-<time>``. The place is checked now, before any work: see
    :func:`check_new_place`."""
    if requested is not None and not str(requested).strip():
        raise InputError(f"{option} {requested!r}: an empty name; give the directory to create")
    out = Path(requested) if requested else fresh_directory(parent / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}")
    check_new_place(out, "directory", option if requested else "")
    return out


def fresh_directory(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... if taken: a default run directory never collides."""
    candidate, n = path, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def check_new_place(path: Path, what: str = "directory", option: str = "--out") -> None:
    """:class:`InputError` unless a new ``what`` can be created at ``path``: nothing there (not
    even a symbolic link), names short enough for the file system, and the nearest existing
    folder a folder where this process can create entries. A directory's missing parents are
    created with it; a file (``what`` other than 'directory') needs its folder to exist."""
    label = f"{option} {path}" if option else str(path)
    hint = f"choose another {option}" if option else "choose another place with --out"
    for part in path.parts:   # first: a name too long makes every other look-up fail
        if len(os.fsencode(part)) > NAME_MAX:
            raise InputError(f"{label[:80]}...: the name {part[:40]!r}... is {len(os.fsencode(part))} bytes long; "
                             f"file systems allow {NAME_MAX}: {hint}")
    if os.path.islink(path):
        target = os.readlink(path)
        state = "" if os.path.exists(path) else ", which does not exist"
        raise InputError(f"{label}: a symbolic link to {target}{state}; results are never written through "
                         f"a link or over anything: {hint}")
    if os.path.lexists(path):
        raise InputError(f"{label}: already exists; results are never overwritten: {hint}")
    anchor = _existing_ancestor(path, label, hint)
    if what != "directory" and anchor != Path(os.path.abspath(path)).parent:
        raise InputError(f"{label}: cannot write the {what}: directory {path.parent} does not exist")
    name_max = _pathconf(anchor, "PC_NAME_MAX", NAME_MAX)
    for part in path.parts:
        if len(os.fsencode(part)) > name_max:
            raise InputError(f"{label}: the name {part[:40]!r}... is {len(os.fsencode(part))} bytes long; this file "
                             f"system allows {name_max}: {hint}")
    full = len(os.fsencode(os.path.abspath(path)))
    path_max = _pathconf(anchor, "PC_PATH_MAX", PATH_MAX)
    if full + TEMP_STEM + 20 > path_max:
        raise InputError(f"{label[:80]}...: the path is {full} bytes long; this file system allows {path_max}: {hint}")
    try:
        probe = tempfile.mkdtemp(prefix=".scoresim-probe-", dir=anchor)
        os.rmdir(probe)
    except OSError as err:
        raise InputError(f"{label}: cannot create the {what}: {_why(err, anchor)}; {hint}") from None


def _existing_ancestor(path: Path, label: str, hint: str) -> Path:
    """The nearest folder above ``path`` that exists; :class:`InputError` if it is not a
    folder or a link on the way leads nowhere."""
    for parent in [*Path(os.path.abspath(path)).parents]:
        if os.path.islink(parent) and not os.path.exists(parent):
            raise InputError(f"{label}: cannot create it: {parent} is a symbolic link to "
                             f"{os.readlink(parent)}, which does not exist; {hint}")
        if os.path.exists(parent):
            if not os.path.isdir(parent):
                raise InputError(f"{label}: cannot create it: {parent} is not a directory; {hint}")
            return parent
    return Path("/")


def _pathconf(path: Path, name: str, default: int) -> int:
    try:
        value = os.pathconf(path, name)
    except (OSError, ValueError):
        return default
    return value if value and value > 0 else default


def _why(err: OSError, where: Path) -> str:
    """Why an operation in ``where`` failed, in words."""
    reason = {errno.EACCES: "no permission to write there", errno.EPERM: "no permission to write there",
              errno.EROFS: "the file system is read-only", errno.ENOSPC: "the device is full",
              errno.EDQUOT: "the disk quota is exhausted", errno.ENAMETOOLONG: "a name is too long",
              errno.EIO: "an input/output error on the device"}.get(err.errno, err.strerror or type(err).__name__)
    return f"{where}: {reason}"


def free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged process may still write on the device of ``folder`` (None:
    unknown)."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def size_text(n: float) -> str:
    """A size in bytes as '12.3 MB' (decimal units)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} bytes"


def _tree_size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def write_error(place: Path, err: OSError, written: int = 0, needed: int | None = None) -> WriteError:
    """The error to report when writing ``place`` failed with ``err``."""
    folder = place.parent if place.parent.exists() else Path(".")
    free = free_bytes(folder)
    if err.errno in FULL:
        need = (f"it needs {size_text(needed)}" if needed is not None
                else f"{size_text(written)} had been written when it filled" if written else "")
        room = f"{size_text(free)} free" if free is not None else ""
        detail = ", ".join(x for x in (need, room) if x) or err.strerror
        reason = f"{place}: not enough space on the device ({detail})"
        return WriteError(f"{reason}; nothing was kept: free some space or write elsewhere with --out", reason)
    reason = f"{place}: cannot write: {_why(err, Path(err.filename or place))}"
    return WriteError(f"{reason}; nothing was kept", reason)


@contextmanager
def new_directory(final: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside ``final``; move it to ``final`` when the block ends
    without error. On any error the temporary directory, and the folders created for it, are
    removed; a failed write becomes a :class:`WriteError`. Refuses an existing ``final``."""
    final = Path(final)
    if os.path.lexists(final):
        raise InputError(f"{final}: already exists; results are never overwritten, choose another --out")
    created = _make_parents(final.parent, final)
    tmp: Path | None = None
    try:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{final.name[:TEMP_STEM]}.", suffix=".partial", dir=final.parent))
        except OSError as err:
            raise InputError(f"{final}: cannot create the directory: {_why(err, final.parent)}") from None
        try:
            yield tmp
            if os.path.lexists(final):
                raise InputError(f"{final}: appeared while running; results are never overwritten")
            tmp.chmod(0o755)
            os.rename(tmp, final)
        except WriteError as err:   # named by the file in the temporary directory: name the result
            raise WriteError(str(err).replace(str(tmp), str(final)),
                             err.reason.replace(str(tmp), str(final))) from None
        except OSError as err:
            raise write_error(final, err, _tree_size(tmp)) from None
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if not final.exists():
            for folder in reversed(created):
                try:
                    folder.rmdir()
                except OSError:
                    break


@contextmanager
def new_files(folder: str | Path) -> Iterator[Path]:
    """Yield a temporary directory inside the existing ``folder``; when the block ends without
    error, move every file written there into ``folder`` (replacing files of the same name),
    so a set of result files arrives all together or not at all. On error nothing is moved
    and a failed write becomes a :class:`WriteError`."""
    folder = Path(folder)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".new-files.", suffix=".partial", dir=folder))
    except OSError as err:
        raise write_error(folder, err) from None
    try:
        try:
            yield tmp
            for name in sorted(os.listdir(tmp)):
                os.replace(tmp / name, folder / name)
        except WriteError as err:
            raise WriteError(str(err).replace(str(tmp), str(folder)),
                             err.reason.replace(str(tmp), str(folder))) from None
        except OSError as err:
            raise write_error(folder, err, _tree_size(tmp)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _make_parents(folder: Path, final: Path) -> list[Path]:
    """Create ``folder`` and the folders above it that are missing; returns those created,
    outermost first."""
    missing = []
    for p in [folder, *folder.parents]:
        if p.exists():
            break
        missing.append(p)
    created = []
    for p in reversed(missing):
        try:
            p.mkdir()
        except FileExistsError:
            continue
        except OSError as err:
            for q in reversed(created):
                try:
                    q.rmdir()
                except OSError:
                    break
            raise InputError(f"{final}: cannot create the directory: {_why(err, p.parent)}") from None
        created.append(p)
    return created


def write_file(path: str | Path, data: bytes | bytearray | memoryview | str, replace: bool = False) -> None:
    """Write ``data`` to ``path`` atomically: a reader sees the old file (or none) or the
    complete new one. The device must have room for it first. ``replace``: an existing file
    may be replaced (a manifest, a rebuilt result); otherwise it is refused."""
    path = Path(path)
    if not replace and os.path.lexists(path):
        raise InputError(f"{path}: already exists; results are never overwritten")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    view = memoryview(raw).cast("B")
    needed = view.nbytes
    free = free_bytes(path.parent)
    if free is not None and needed > 0 and needed + SPACE_MARGIN + needed // 100 > free:
        raise write_error(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), needed=needed)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:TEMP_STEM]}.", suffix=".partial", dir=path.parent)
    except OSError as err:
        raise write_error(path, err, needed=needed) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(view)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        if not replace and os.path.lexists(path):
            raise InputError(f"{path}: appeared while it was written; results are never overwritten")
        os.replace(tmp, path)
    except OSError as err:
        raise write_error(path, err, needed=needed) from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


@contextmanager
def directory_lock(folder: str | Path, what: str) -> Iterator[None]:
    """Hold the write lock of the results directory ``folder`` (an advisory lock on its
    ``.lock`` file, released when the process ends however it ends), or raise
    :class:`InputError` if another process holds it: one writer at a time."""
    folder = Path(folder)
    try:
        fh = open(folder / ".lock", "a+")
    except OSError as err:
        raise InputError(f"{folder}: cannot lock the {what} for writing: {_why(err, folder)}") from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"{folder}: another scoresim process is writing this {what}; wait for it to "
                             "finish (or stop it) and try again") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def is_write_failure(err: BaseException) -> bool:
    """Whether ``err`` (or what caused it) is a failed write: a full device, a quota, a
    read-only or failing device, or SQLite's 'database or disk is full'."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, WriteError):
            return True
        if isinstance(err, OSError) and err.errno in (*FULL, errno.EIO, errno.EROFS):
            return True
        if "disk is full" in str(err) or "disk I/O error" in str(err):
            return True
        err = err.__cause__ or err.__context__
    return False


def failure_reason(err: BaseException) -> str:
    """The first line of a failed write's message (an OSError's strerror, SQLite's text...)."""
    if isinstance(err, WriteError):
        return err.reason
    if isinstance(err, OSError) and err.strerror:
        return f"{err.strerror}" + (f": {err.filename}" if err.filename else "")
    lines = str(err).strip().splitlines()
    return lines[0][:300] if lines else type(err).__name__


__all__ = ["failure_reason", "WriteError", "output_directory", "fresh_directory", "check_new_place", "new_directory",
           "new_files",
           "write_file", "write_error", "directory_lock", "free_bytes", "size_text", "is_write_failure"]
