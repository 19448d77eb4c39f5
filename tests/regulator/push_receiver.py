"""A real webhook receiver on loopback, as a department's system would run one (变更推送 tests and the bench).

It checks every delivery's signature and timestamp with :func:`signature_verify`, answers 500 when told to
(``fail={event_id: times}``), dedupes by ``X-Event-Id`` (delivery is at least once) and records the ids it
accepted, in the order it accepted them, with anything that arrived out of order.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from regulator.disclosure.feed_delivery import signature_verify


class Receiver:
    def __init__(self, *, secret: str = "", fail: dict[int, int] | None = None, delay: float = 0.0):
        self.secret = secret
        self.fail = dict(fail or {})
        self.delay = delay
        self.accepted: list[int] = []
        self.bodies: dict[int, dict] = {}
        self.duplicates: list[int] = []
        self.out_of_order: list[int] = []
        self.rejected_signatures = 0
        self.requests: list[int] = []  # every X-Event-Id received, failures and duplicates included
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall)

            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.handle(self.headers, body)
                if receiver.delay:
                    time.sleep(receiver.delay)  # a slow receiver, so a worker kill lands mid-stream
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/credit"

    def handle(self, headers, body: bytes) -> int:
        if not signature_verify(secret=self.secret, timestamp=headers.get("X-Timestamp", ""), body=body,
                                header=headers.get("X-Signature", "")):
            with self.lock:
                self.rejected_signatures += 1
            return 401
        event_id = int(headers["X-Event-Id"])
        with self.lock:
            self.requests.append(event_id)
            if self.fail.get(event_id, 0) > 0:
                self.fail[event_id] -= 1
                return 500
            if event_id in self.bodies:
                self.duplicates.append(event_id)
                return 200
            if self.accepted and event_id < self.accepted[-1]:
                self.out_of_order.append(event_id)
            self.accepted.append(event_id)
            self.bodies[event_id] = json.loads(body)
        return 200

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
