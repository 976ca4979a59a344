"""The product's error classes: each carries a one-line message and the exit code the CLI uses."""

from __future__ import annotations

# Exit codes shared by every command: 0 ok, 1 warnings only (doctor), 2 failure or bad input.
EXIT_OK = 0
EXIT_WARN = 1
EXIT_FAIL = 2


class OdooOutlookError(Exception):
    """An expected failure the user can fix; the CLI prints `message` without a traceback."""

    exit_code: int = EXIT_FAIL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OdooOutlookError):
    """The stack configuration is invalid; the message names the key and the fix."""

    def __init__(self, key: str, problem: str, fix: str | None = None) -> None:
        text = f"{key}: {problem}"
        if fix:
            text += f" (fix: {fix})"
        super().__init__(text)
        self.key = key
        self.problem = problem
        self.fix = fix


class ConfigErrors(OdooOutlookError):
    """Several configuration problems found at once; each line names its key."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        # One complete line per problem, so a user fixes them all in one pass.
        super().__init__("\n".join(error.message for error in errors))
