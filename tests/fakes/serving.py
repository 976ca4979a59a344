"""Serve a fake's `socketserver` server in a thread that stops at once when asked.

`socketserver.BaseServer.serve_forever` notices `shutdown()` only at its next poll (every
`poll_interval` seconds), so each stop of a fake cost up to that interval; a suite that starts
over a thousand fakes spent tens of seconds waiting there. Here the serving thread waits on the
listening socket and on a wake-up socket pair together: `stop()` writes one byte and the thread
returns immediately, and an idle fake uses no CPU (no polling at all).

Requests are handled by the server's own `handle_request()` (public `socketserver` API), only
once its listening socket is readable, so it never blocks.
"""

from __future__ import annotations

import selectors
import socket
import socketserver
import threading


class ServingThread:
    """Runs `server.handle_request()` for each incoming connection until `stop()`."""

    def __init__(self, server: socketserver.BaseServer, name: str) -> None:
        self.server = server
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def start(self) -> ServingThread:
        self._thread.start()
        return self

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.server, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_reader in ready:
                    return
                self.server.handle_request()

    def stop(self) -> None:
        """Stop serving (connections already accepted finish in their own threads), close
        the listening socket."""
        self._wake_writer.send(b"\0")
        self._thread.join(timeout=5)
        self.server.server_close()
        self._wake_reader.close()
        self._wake_writer.close()
