"""Errors a person can act on: each names the file, says what is wrong, and carries an exit code."""

from __future__ import annotations

from pathlib import Path

# Exit codes are data, documented in the README and in `ficbook --help`.
EXIT_OK = 0
EXIT_USAGE = 2  # click's own code for a bad command line
EXIT_INPUT = 3  # a story or config file ficbook cannot read
EXIT_BUILD = 4  # the input was fine but a book could not be written
EXIT_PARTIAL = 5  # a batch finished but some stories failed


class FicbookError(Exception):
    """Base error: `path: message`, printed on one line by the CLI."""

    exit_code = EXIT_BUILD

    def __init__(self, path: Path | str | None, message: str) -> None:
        self.path = Path(path) if path is not None else None
        self.message = " ".join(message.split())  # always one line
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path is not None else self.message

    def lines(self) -> list[str]:
        """What the CLI prints, one `ficbook: error:` line each."""
        return [str(self)]

    def __reduce__(self) -> tuple[type[FicbookError], tuple[object, ...]]:
        # An error crosses from a worker process as data: rebuilt from what it was made of.
        return type(self), (self.path, self.message)


class InputError(FicbookError):
    """A story, config or theme file that cannot be read or understood."""

    exit_code = EXIT_INPUT


class BuildError(FicbookError):
    """Reading worked but writing the book failed."""

    exit_code = EXIT_BUILD


def cannot_write(exc: OSError) -> BuildError:
    """A file that could not be written, from the system's error about it."""
    where = exc.filename if isinstance(exc.filename, str) else None
    return BuildError(where, f"cannot write: {exc.strerror or exc}")


class ThemeError(InputError):
    """A theme that is missing, malformed, or whose template fails."""


class ThemeOptionError(ThemeError):
    """A theme option that is not `key=value`, not one the theme has, or of the wrong type: the
    mistake is in the options given (command line or anthology.toml), not in the theme."""


class ConfigError(InputError):
    """An anthology file with problems: every one of them, each `key: reason`."""

    def __init__(self, path: Path | str | None, problems: list[str]) -> None:
        self.problems = [" ".join(p.split()) for p in problems]
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        super().__init__(path, count + "; ".join(self.problems))

    def lines(self) -> list[str]:
        prefix = f"{self.path}: " if self.path is not None else ""
        return [prefix + problem for problem in self.problems]

    def __reduce__(self) -> tuple[type[FicbookError], tuple[object, ...]]:
        return type(self), (self.path, self.problems)
