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


def test_every_connection_honours_connection_timeout_seconds(hung_url: str) -> None:
    """`connect` itself applies `connection.timeoutSeconds` (the `connect` command passes no
    timeout of its own): against a hung Odoo it gives up after 0.5 s, not the 60 s default."""
    from odoo_outlook.odoo.client import connect
    from odoo_outlook.odoo.errors import OdooUnreachable
    from tests.odoo_sync_helpers import spec

    target = spec(stack(hung_url, timeoutSeconds=0.5))
    assert target.connection is not None
    raised: list[BaseException] = []

    def run() -> None:
        try:
            connect(target.connection, "admin", allow_insecure_http=True)  # type: ignore[arg-type]
        except OdooUnreachable as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)  # 20 times the setting; the default would hold it for 60 s
    assert not thread.is_alive(), "connect ignored connection.timeoutSeconds"
    assert raised and "timed out" in str(raised[0])
