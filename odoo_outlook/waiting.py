"""A line of progress while the tool waits on Odoo, so a hung server is never silent.

While the block runs, a background thread prints `still waiting for Odoo (erp): 5 s so far,
each call gives up after 60 s` to the console, first after `first` seconds, then every `every`
seconds; nothing is printed when the work ends sooner.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console
from rich.text import Text


class StillWaiting:
    """Context manager; `what` names what is waited on (e.g. "Odoo (erp)"), `timeout` the
    per-call limit in seconds shown in the line."""

    def __init__(
        self,
        console: Console,
        what: str,
        timeout: float,
        *,
        first: float = 5.0,
        every: float = 10.0,
    ) -> None:
        self.console = console
        self.what = what
        self.timeout = timeout
        # A short timeout gets its line before it fires.
        self.first = min(first, timeout / 2)
        self.every = every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="still-waiting", daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        delay = self.first
        while not self._done.wait(delay):
            waited = time.monotonic() - self._started
            self.console.print(
                Text(
                    f"still waiting for {self.what}: {waited:.0f} s so far, each call gives up"
                    f" after {self.timeout:g} s (--timeout, connection.timeoutSeconds)"
                ),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            delay = self.every

    def __enter__(self) -> StillWaiting:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()
