"""Reading HINT's JSON files fast: records -> ``Example``s, errors with record index.

A file (``expr_{train,val,test}.json``, optionally ``.gz``) is a JSON array of
records ``{"id", "expr", "head", "res", "res_all"[, "eval"]}``. An ``Example`` has
``inputs`` = the characters of ``expr``, ``target`` = ``res`` and ``meta`` =
``{"id", "head", "res_all"[, "eval"]}`` with ``head``/``res_all`` as int tuples.

The official dump layout (``json.dump``'s default separators, fields in that
order) is matched by one regular expression, and ``head``/``res_all`` are decoded
only when a record's meta is read: the 998,000 training records load in about
4 s, where ``json.load`` alone takes about 7 s before any ``Example`` exists.
Any other layout falls back to ``json`` with full validation. Both paths accept
the same records and report problems as ``DataError(path, i, ...)``, ``i`` the
0-based record index.
"""

from __future__ import annotations

import gc
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from benchmarks.hint_expr import LEAVES, OPERATORS
from nsr.errors import DataError
from nsr.types import Example

__all__ = ["load_json"]

_TOKENS = "".join(sorted(set(LEAVES) | set(OPERATORS) | {"(", ")"}))
_INTS = r"-?\d+(?:, -?\d+)*"
_RECORD = re.compile(
    r'\{"id": "([^"\\]*)", "expr": "([' + re.escape(_TOKENS) + r']+)", '
    r'"head": \[(' + _INTS + r')\], "res": (-?\d+), "res_all": \[(' + _INTS + r")\]"
    r'(?:, "eval": "([^"\\]*)")?\}'
)


class _RecordMeta(Mapping[str, Any]):
    """A record's meta; ``head`` and ``res_all`` are decoded on first access."""

    __slots__ = ("_eval", "_head", "_id", "_res_all")

    def __init__(
        self, id_: str, head: str | tuple, res_all: str | tuple, eval_: str
    ) -> None:
        self._id, self._head, self._res_all, self._eval = id_, head, res_all, eval_

    def __getitem__(self, key: str) -> Any:
        if key == "id":
            return self._id
        if key == "head":
            if isinstance(self._head, str):
                self._head = tuple(map(int, self._head.split(",")))
            return self._head
        if key == "res_all":
            if isinstance(self._res_all, str):
                self._res_all = tuple(map(int, self._res_all.split(",")))
            return self._res_all
        if key == "eval" and self._eval:
            return self._eval
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(
            ("id", "head", "res_all", "eval")
            if self._eval
            else ("id", "head", "res_all")
        )

    def __len__(self) -> int:
        return 4 if self._eval else 3

    def __repr__(self) -> str:
        return repr(dict(self))


def _read_bytes(path: Path, limit: int | None) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = _gunzip(raw, limit)
        except zlib.error as error:
            raise DataError(str(path), None, f"cannot decompress: {error}") from error
    return raw if limit is None else _cut(raw, limit)


def _gunzip(raw: bytes, limit: int | None, chunk: int = 1 << 20) -> bytes:
    """Decompress every gzip member; with a limit, stop once it holds enough records."""
    parts, closing = [], 0
    while raw:
        decompressor = zlib.decompressobj(31)
        step = len(raw) if limit is None else chunk
        for start in range(0, len(raw), step):
            piece = decompressor.decompress(raw[start : start + step])
            parts.append(piece)
            if limit is not None:
                closing += piece.count(b"}")
                if closing > limit:
                    return b"".join(parts)
            if decompressor.eof:
                break
        if not decompressor.eof:
            raise zlib.error("the gzip stream is truncated")
        raw = decompressor.unused_data + raw[start + step :]
    return b"".join(parts)


def _cut(data: bytes, limit: int) -> bytes:
    """The array prefix holding the first ``limit`` records (each ends with its only '}')."""
    end = -1
    for _ in range(limit):
        end = data.find(b"}", end + 1)
        if end < 0:
            return data
    return data[: end + 1] + b"]" if limit else b"[]"


def load_json(
    path: str | Path, *, limit: int | None = None, max_ops: int | None = None
) -> list[Example]:
    """Read a HINT JSON file (``.json`` or ``.json.gz``).

    Args:
        path: The file.
        limit: Read only the first ``limit`` records (decompressing only as much
            of the file as they need).
        max_ops: Keep only expressions with at most this many operators.

    Returns:
        The examples in file order.

    Raises:
        FileNotFoundError: The file is missing.
        DataError: Naming the file and the 0-based record index: bytes that are
            not UTF-8, text that is not JSON, a record with a missing or
            ill-typed field, an unknown token, or ``head``/``res_all`` lengths
            that differ from the expression's.
    """
    path = Path(path)
    data = _read_bytes(path, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        index = data.count(b"{", 0, error.start) - 1
        raise DataError(
            str(path),
            index,
            f"record {index}: bytes are not UTF-8 (offset {error.start})",
        ) from error
    collecting = gc.isenabled()
    gc.disable()  # a million small objects: collection passes would double the time
    try:
        records = _fast_records(text)
        if records is None:
            records = _checked_records(path, text)
        else:
            _check_lengths(path, records)
        if (
            max_ops is not None
        ):  # binary operators only: tokens = 2 * ops + 1 + parentheses
            records = [
                r
                for r in records
                if (len(r[1]) - 2 * r[1].count("(") - 1) // 2 <= max_ops
            ]
        return [
            Example(tuple(expr), int(res), _RecordMeta(id_, head, res_all, eval_))
            for id_, expr, head, res, res_all, eval_ in records
        ]
    finally:
        if collecting:
            gc.enable()


def _fast_records(text: str) -> list[tuple] | None:
    """Records of a file in the official dump layout, or None for any other text."""
    text = text.strip()
    if text == "[]":
        return []
    if not (text.startswith("[{") and text.endswith("}]")):
        return None
    records = _RECORD.findall(text)
    n = len(records)
    if text.count("{") != n or text.count("}") != n or text.count("}, {") != n - 1:
        return None
    return records


def _check_lengths(path: Path, records: list[tuple]) -> None:
    for index, (_, expr, head, _, res_all, _) in enumerate(records):
        if head.count(",") + 1 != len(expr) or res_all.count(",") + 1 != len(expr):
            raise DataError(
                str(path),
                index,
                f"record {index}: head/res_all length "
                f"differs from the {len(expr)} tokens of {expr!r}",
            )


def _checked_records(path: Path, text: str) -> list[tuple]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        index = text.count("{", 0, error.pos) - 1
        raise DataError(
            str(path),
            max(index, 0),
            f"record {max(index, 0)}: not valid JSON "
            f"({error.msg} at line {error.lineno} column {error.colno})",
        ) from error
    if not isinstance(items, list):
        raise DataError(str(path), None, "expected a JSON array of records")
    return [_checked(path, index, item) for index, item in enumerate(items)]


def _checked(path: Path, index: int, item: Any) -> tuple:
    def bad(problem: str) -> DataError:
        return DataError(str(path), index, f"record {index}: {problem}")

    if not isinstance(item, dict):
        raise bad(f"expected an object, found {type(item).__name__}")
    for key in ("id", "expr", "head", "res", "res_all"):
        if key not in item:
            raise bad(f"missing field {key!r}")
    expr, eval_ = item["expr"], item.get("eval", "")
    if not isinstance(item["id"], str) or not isinstance(eval_, str):
        raise bad("'id' and 'eval' must be strings")
    if not isinstance(expr, str) or not expr or any(t not in _TOKENS for t in expr):
        raise bad(f"'expr' must be a non-empty string over {_TOKENS!r}: {expr!r}")
    if not _is_int(item["res"]):
        raise bad(f"'res' must be an integer: {item['res']!r}")
    for key in ("head", "res_all"):
        values = item[key]
        if (
            not isinstance(values, list)
            or not all(map(_is_int, values))
            or len(values) != len(expr)
        ):
            raise bad(
                f"{key!r} must be {len(expr)} integers, one per token: {values!r}"
            )
    return (
        item["id"],
        expr,
        tuple(item["head"]),
        item["res"],
        tuple(item["res_all"]),
        eval_,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
