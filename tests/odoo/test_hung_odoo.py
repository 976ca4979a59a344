"""A hung Odoo (accepts the connection, never answers): the call gives up after
`--timeout` / `connection.timeoutSeconds`, and a progress line shows while waiting."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.odoo_sync_helpers import run_sync_cli, stack


@pytest.fixture
def hung_url() -> Iterator[str]:
    """A loopback server that accepts connections and reads, but never writes a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("how", ["option", "config"])
def test_hung_odoo_times_out_with_a_progress_line(
    how: str,
    hung_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = stack(hung_url, **({"timeoutSeconds": 1.0} if how == "config" else {}))
    extra = ("--timeout", "1") if how == "option" else ()
    code, _out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, "admin", *extra)
    assert code == 2
    assert "still waiting for Odoo (erp)" in err
    assert "gives up after 1 s" in err
    assert "timed out" in err
