"""The two ways a CLV fit can fail: bad input, or a likelihood the optimiser could not maximise."""

from __future__ import annotations


class CLVError(Exception):
    """Base class, so callers (the CLI, the pipeline) can catch every CLV failure in one place."""


class CLVInputError(CLVError, ValueError):
    """The customer summary cannot be fitted as given; says which column and why."""

    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason
        super().__init__(f"column '{column}': {reason}")


class ConvergenceError(CLVError, RuntimeError):
    """Maximum likelihood did not reach a proper maximum; the estimates must not be used."""
