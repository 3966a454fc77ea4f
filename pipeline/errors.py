"""The project's error types: every error a user can cause names a file and line."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PipelineError", "InputError", "CatalogError", "ConfigError"]


class PipelineError(Exception):
    """An error the user can fix; ``str()`` is the sentence they read.

    Takes the message, and optionally the file and the 1-based line it is about.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        # One line always: messages from parsers (libxml2, polib) may carry newlines.
        message = " ".join(message.split())
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def fields(self) -> tuple[str, str | None, int | None]:
        """``(message, path, line)``: what a worker process hands back, and the class rebuilds from."""
        return self.message, str(self.path) if self.path is not None else None, self.line

    def __reduce__(self):
        # Rebuilt from its fields in another process (Exception's default would keep the message only).
        return type(self), self.fields()

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class InputError(PipelineError):
    """A source page that cannot be used (unreadable, undecodable, no article)."""


class CatalogError(PipelineError):
    """A .po or .pot file that cannot be parsed or would lose work if written."""


class ConfigError(PipelineError):
    """A missing or invalid ``[tool.pipeline]`` setting."""
