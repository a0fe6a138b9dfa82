"""CSV safety: cells a spreadsheet would run as a formula, and files replaced atomically.

Resumes are untrusted input and their sentences are quoted in the CSVs recruiters open, so
every text cell that starts like a formula is neutralised with a leading ``'`` (OWASP's list
of prefixes). Every CSV is written to a temporary file beside its target and renamed over it,
so a reader never sees half a file. Used by the export, erasure (which rewrites exported CSVs)
and the bias audit (which reads a shortlist and writes its own CSV).

>>> neutralise("=1+1"), unneutralise("'=1+1"), neutralise("Led it")
("'=1+1", '=1+1', 'Led it')
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: OWASP's list of characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: The most characters a spreadsheet cell holds (Excel, LibreOffice); no cell we write is longer.
MAX_CELL_CHARS = 32_767
#: What ends a cell or a quote that was cut to fit.
TRUNCATED = "… [truncated]"
#: Fields the csv module reads back: far above any cell we write, and above the module's
#: default of 131,072, which files written before cells were capped exceeded.
_READ_FIELD_LIMIT = 2**31 - 1


def neutralise(cell: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula with a single quote.

    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("Led the migration")
    'Led the migration'
    """
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def truncate(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, ending in :data:`TRUNCATED` when cut.

    >>> truncate("Led the migration of 70 services", 20)
    'Led the… [truncated]'
    """
    if len(text) <= limit:
        return text
    return text[:max(0, limit - len(TRUNCATED))] + TRUNCATED


def csv_reader(handle: IO[str]) -> Iterator[list[str]]:
    """``csv.reader(handle)`` that reads fields of any size we may have written (the
    module's default limit of 131,072 characters made long cells unerasable)."""
    if csv.field_size_limit() < _READ_FIELD_LIMIT:
        csv.field_size_limit(_READ_FIELD_LIMIT)
    return csv.reader(handle)


def unneutralise(cell: str) -> str:
    """``"'=x"`` → ``"=x"``: :func:`neutralise` undone, for a cell read back from our CSVs."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_PREFIXES else cell


@contextmanager
def replacing(path: Path, *, binary: bool = False,
              mode_of: Path | None = None) -> Iterator[IO[Any]]:
    """A handle on a temporary file beside ``path`` (UTF-8 text without newline translation,
    or ``binary``) that is renamed over ``path`` when the block ends; on an error the
    temporary file is removed and ``path`` is left as it was. ``mode_of`` names a file whose
    permission bits the new file takes (by default those of a new temporary file, 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if binary
              else os.fdopen(fd, "w", encoding="utf-8", newline="")) as handle:
            yield handle
        if mode_of is not None:
            os.chmod(tmp, mode_of.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` via a temporary file and a rename (UTF-8, no index)."""
    with replacing(path) as handle:
        frame.to_csv(handle, index=False)


def copy_atomic(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` byte for byte, atomically."""
    with replacing(target, binary=True) as handle:
        handle.write(source.read_bytes())
