"""Reading and writing line-oriented benchmark files, plain or gzip-compressed.

Every benchmark loader goes through :func:`read_lines` so that encoding and
compression problems are reported the same way: as a ``DataError`` naming the
file and, where one is known, the line.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from nsr.errors import DataError


def is_gzip(path: str | Path) -> bool:
    """Whether ``path`` is treated as gzip-compressed (its name ends in ``.gz``).

    Args:
        path: A file path.

    Returns:
        True for ``*.gz`` names.
    """
    return str(path).endswith(".gz")


def _open_binary(path: Path, mode: str) -> IO[bytes]:
    if is_gzip(path):
        return gzip.open(path, mode)  # type: ignore[return-value]
    return open(path, mode)  # noqa: SIM115 - the caller closes it


def read_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Yield the lines of a UTF-8 text file, ``.gz`` files decompressed on the fly.

    Line ends (``\\n`` or ``\\r\\n``) are removed. Lines are decoded one at a
    time, so a bad byte is reported with its line number.

    Args:
        path: A ``.txt`` (or any plain text) file, or a ``.gz`` file.

    Yields:
        ``(line_number, text)`` pairs, line numbers starting at 1.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        DataError: A line is not valid UTF-8, or the gzip stream is corrupt.
    """
    path = Path(path)
    line_number = 0
    with _open_binary(path, "rb") as stream:
        try:
            for line_number, raw in enumerate(stream, start=1):
                yield line_number, _decode(path, line_number, raw)
        except (OSError, EOFError, zlib.error) as error:
            # gzip.BadGzipFile is an OSError; a truncated stream is an EOFError.
            raise DataError(
                str(path), line_number + 1, f"cannot decompress: {error}"
            ) from error


def _decode(path: Path, line_number: int, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.end]
        problem = f"not valid UTF-8 (byte {bad!r} at column {error.start + 1})"
        raise DataError(str(path), line_number, problem) from error
    return text.rstrip("\r\n")


def write_lines(path: str | Path, lines: Iterable[str]) -> None:
    """Write lines as UTF-8 text, each ending in ``\\n``; ``.gz`` names are compressed.

    Parent folders are created as needed.

    Args:
        path: Destination file.
        lines: Text lines without line ends.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open_binary(path, "wb") as stream:
        for line in lines:
            stream.write(line.encode("utf-8") + b"\n")
