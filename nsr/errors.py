"""Typed errors shared by every package; each names what went wrong and where."""

from __future__ import annotations


class NSRError(Exception):
    """Base class of every error nsr raises on purpose."""


class DataError(NSRError):
    """A data file is malformed; names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


class ConfigError(NSRError):
    """A configuration or task spec names an unknown field or holds a bad value."""


class RegistryError(NSRError):
    """A primitive could not be registered or looked up."""


class ProgramParseError(NSRError):
    """Program text is malformed; carries the character position."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        self.text, self.position, self.problem = text, position, problem
        pointer = " " * position + "^"
        super().__init__(f"{problem} at position {position}\n  {text}\n  {pointer}")


class TypeCheckError(NSRError):
    """A program is ill-typed; the message gives the reason."""


class PrimitiveError(NSRError):
    """A primitive raised or was applied outside its domain."""

    def __init__(self, name: str, args: tuple, problem: str) -> None:
        self.name, self.arguments, self.problem = name, args, problem
        shown = ", ".join(_short(a) for a in args)
        super().__init__(f"primitive {name}({shown}): {problem}")


class BudgetExceeded(NSRError):
    """An execution or search ran out of its step, time or memory budget."""


class CheckpointError(NSRError):
    """A checkpoint is missing, corrupt, truncated or of an incompatible format."""


class ResumeError(NSRError):
    """A run cannot continue as asked: it would train on other data, or overwrite a run."""


class UnknownTokenError(NSRError):
    """An input token was never seen in training and no unknown-symbol path is declared."""


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
