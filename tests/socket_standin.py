"""A Slack Socket Mode stand-in: a WebSocket server on 127.0.0.1 speaking Slack's envelope protocol.

Socket Mode is how the app receives slash commands, events and interactions when
`SLACK_APP_TOKEN` is set: the client asks `apps.connections.open` for a URL (the Slack stand-in
answers with `socket.url`), connects, gets `{"type": "hello"}`, then receives envelopes and must
acknowledge each with `{"envelope_id": ..., "payload": ...}`. Tests push envelopes with
`send_envelope(...)` and read the acknowledgement with `wait_ack(...)`.

The URL is plain `ws://` with a path: slack_sdk's builtin client connects without TLS to any
port but 443, and sends `GET <path>?<query>`, so the path must not be empty.

Acknowledgements for envelopes never sent, or sent twice, are recorded in `violations`.
The server runs its own asyncio loop on a thread, so tests stay synchronous.
"""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

ENVELOPE_TYPES = frozenset({"slash_commands", "events_api", "interactive"})


class SocketStandIn:
    """Start with `with SocketStandIn() as socket:`; give `socket.url` to `SlackStandIn(socket_url=...)`."""

    def __init__(self, app_id: str = "A0APP") -> None:
        self.app_id = app_id
        self.violations: list[str] = []
        self._cond = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._sent: set[str] = set()
        self._acks: dict[str, dict[str, Any]] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="socket-standin", daemon=True)
        self._server: Server | None = None

    # --- life cycle --------------------------------------------------------------------------
    def start(self) -> "SocketStandIn":
        self._thread.start()
        self._server = self._run(self._serve())
        return self

    def stop(self) -> None:
        """Closes the server and every connection (clients see close code 1001), then the loop."""
        if self._server is not None:
            self._run(self._close(self._server))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> "SocketStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the stand-in first"
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=stand-in&app_id={self.app_id}"

    # --- what tests do -----------------------------------------------------------------------
    def wait_connected(self, timeout: float = 5.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._connections, timeout):
                raise AssertionError(f"no Socket Mode client connected within {timeout}s")

    def send_envelope(self, type: str, payload: dict[str, Any], envelope_id: str | None = None, *,
                      accepts_response_payload: bool | None = None, retry_attempt: int = 0,
                      retry_reason: str = "", timeout: float = 5.0) -> str:
        """Sends one envelope to the newest connection, as Slack does; returns its envelope_id.

        Slack lets slash commands and interactions answer in the ack (`accepts_response_payload`),
        not events; that is the default here too.
        """
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {sorted(ENVELOPE_TYPES)}")
        self.wait_connected(timeout)
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id, "type": type, "payload": payload,
            "accepts_response_payload": type != "events_api" if accepts_response_payload is None
            else accepts_response_payload,
        }
        if type == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        with self._cond:
            self._sent.add(envelope_id)
            connection = self._connections[-1]
        self._run(connection.send(json.dumps(envelope)), timeout)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's acknowledgement of an envelope: `{"envelope_id": ..., "payload": ...}` (payload optional)."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"envelope {envelope_id} not acknowledged within {timeout}s; "
                                     f"acknowledged: {sorted(self._acks)}; violations: {self.violations}")
            return self._acks[envelope_id]

    # --- the server side ---------------------------------------------------------------------
    def _run(self, coroutine: Any, timeout: float = 5.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _serve(self) -> Server:
        return await serve(self._session, "127.0.0.1", 0)

    @staticmethod
    async def _close(server: Server) -> None:
        server.close()
        await server.wait_closed()

    async def _session(self, connection: ServerConnection) -> None:
        hello = {"type": "hello", "num_connections": 1,
                 "debug_info": {"host": "stand-in", "build_number": 1, "approximate_connection_time": 18060},
                 "connection_info": {"app_id": self.app_id}}
        await connection.send(json.dumps(hello))
        with self._cond:
            self._connections.append(connection)
            self._cond.notify_all()
        try:
            async for message in connection:
                self._received(message)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._connections.remove(connection)
                self._cond.notify_all()

    def _received(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
        except (json.JSONDecodeError, UnicodeDecodeError):
            ack = None
        with self._cond:
            envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
            if envelope_id not in self._sent:
                shape = sorted(ack) if isinstance(ack, dict) else type(ack).__name__
                self.violations.append(f"message from the client acknowledges no sent envelope (keys: {shape})")
            elif envelope_id in self._acks:
                self.violations.append(f"envelope {envelope_id} acknowledged twice")
            else:
                self._acks[envelope_id] = ack
                self._cond.notify_all()
