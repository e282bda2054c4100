"""The package's exception types, for input a user can fix (a file, a flag, a checkpoint).

Every ``MicrogptError`` message says what was wrong and how to fix it; the CLI prints it
without a traceback. The subclasses say which boundary refused the input (``ConfigError``,
``ArgumentTypeError``, ``DataError``, ``OutputPathError``, ``DivergedError``); catching
``MicrogptError`` catches them all. Programming errors stay ordinary Python exceptions.
"""

__all__ = [
    "MicrogptError",
    "UnknownNameError",
    "ConfigError",
    "ArgumentTypeError",
    "DataError",
    "OutputPathError",
    "DivergedError",
]


class MicrogptError(Exception):
    """Bad input from the user: the message names the problem and the fix."""


class UnknownNameError(MicrogptError, KeyError):
    """A node name that is not in the trace (also a ``KeyError``); the message suggests names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ConfigError(MicrogptError, ValueError):
    """A setting out of range, not finite, or too large (sizes say the limit and the memory)."""


class ArgumentTypeError(MicrogptError, TypeError):
    """An argument of the wrong type given to the API (e.g. a number where a name is due)."""


class DataError(MicrogptError):
    """A dataset that cannot be used: missing, not a regular file, too large, not UTF-8, empty."""


class OutputPathError(MicrogptError):
    """An output path refused before any work: a directory, missing or read-only folder, an
    input of the same run, or an unrelated existing file (``--force`` replaces it)."""


class DivergedError(MicrogptError):
    """Training produced a non-finite loss or weights; the run is rolled back to the last
    finite step (``step``) and stops."""

    def __init__(self, message: str, step: int = 0) -> None:
        super().__init__(message)
        self.step = step
