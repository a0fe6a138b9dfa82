"""The source boundary: which entries of a source folder may be read, and how.

A source folder is someone else's: an entry in it can be a symlink to ``/etc/passwd`` or to
trajectory's own ``secret.key``, a FIFO that blocks a reader forever, or a device. Only regular
files that resolve inside the folder are read; every other entry is a failure with a stable
code, so it is quarantined and accounted for:

- ``outside_source``: a symlink (or a chain of them) whose target is not inside the folder;
- ``not_regular``: a FIFO, socket or device, or a link to one (never opened);
- ``unreadable``: a dangling link, or an entry that cannot be examined.

Directories are not inputs and are skipped. The file is opened with ``O_NOFOLLOW`` and checked
again on the open descriptor, so a symlink or FIFO swapped in after the listing is refused too.

In: the folder and one entry of it. Out: :func:`read_entry` → the bytes, a
:class:`~pipeline.errors.ResumeFormatError` to quarantine with, or None for a directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import ResumeFormatError

__all__ = ["TooLarge", "read_entry"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class TooLarge(int):
    """The size of a regular file over the limit (it was not read)."""


def _kind(mode: int) -> str:
    return ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")


def read_entry(root: Path, entry: Path, max_bytes: int | None) -> (
    bytes | TooLarge | ResumeFormatError | None
):
    """One entry of the folder ``root`` (already resolved) → its bytes; :class:`TooLarge` when
    over ``max_bytes``; the error to quarantine it with; None for a directory (not an input).
    """
    name = entry.name
    try:
        info = os.lstat(entry)
        target = entry
        if stat.S_ISLNK(info.st_mode):
            try:
                target = entry.resolve(strict=True)
            except (OSError, RuntimeError):
                return ResumeFormatError(name, "unreadable file (a link to nothing)",
                                         code="unreadable")
            if not target.is_relative_to(root):
                return ResumeFormatError(
                    name, "outside the source folder (a link to a file elsewhere); only files "
                    "inside the folder are read", code="outside_source")
            info = os.stat(target)
        if stat.S_ISDIR(info.st_mode):
            return None
        if not stat.S_ISREG(info.st_mode):
            return ResumeFormatError(name, f"not a regular file (a {_kind(info.st_mode)}); "
                                     "only regular files are read", code="not_regular")
        fd = os.open(target, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as err:
        return ResumeFormatError(name, f"unreadable file ({err.strerror or type(err).__name__})",
                                 code="unreadable")
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):  # swapped for something else since the listing
            return ResumeFormatError(name, f"not a regular file (a {_kind(opened.st_mode)})",
                                     code="not_regular")
        if max_bytes is not None and opened.st_size > max_bytes:
            return TooLarge(opened.st_size)
        try:
            return handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        except OSError as err:
            return ResumeFormatError(name, f"unreadable file ({err.strerror})",
                                     code="unreadable")
