"""The package's one exception type, for input a user can fix (a file, a flag, a checkpoint).

Every ``MicrogptError`` message says what was wrong and how to fix it; the CLI prints it
without a traceback. Programming errors stay ordinary Python exceptions.
"""

__all__ = ["MicrogptError", "UnknownNameError"]


class MicrogptError(Exception):
    """Bad input from the user: the message names the problem and the fix."""


class UnknownNameError(MicrogptError, KeyError):
    """A node name that is not in the trace (also a ``KeyError``); the message suggests names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""
