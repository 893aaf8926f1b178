"""A local SMTP sink (aiosmtpd) in a thread of this process: it records every message it
accepts (Message-ID, To) and can be slow, hold messages until released, or refuse first tries.

Used by tests/jobs and bench/mail_bench.py; nothing here talks to a real mail server.
"""
import asyncio
import email
import threading
from types import SimpleNamespace

from aiosmtpd.controller import Controller

from bench.common import free_port

SETTLE = 0.01  # seconds between looks at the gate while holding a message


class SmtpSink:
    """An SMTP server on 127.0.0.1:<free port> (``.port``), started with ``with SmtpSink(...)``.

    - ``delay``: seconds spent on each message before accepting it (settable while running);
    - ``hold=True``: every message waits until :meth:`release` (or until ``open_at`` messages
      are being held at once, which shows that many connections were sending together);
    - ``refuse_first=True``: each Message-ID's first attempt gets ``451`` (try again later);
    - ``reject``: addresses whose messages always get ``550`` (no such mailbox).

    ``received`` lists SimpleNamespace(message_id, to) per accepted message, ``refused`` the same
    per refusal; ``holding`` is set once a message is held.
    """

    def __init__(self, delay=0.0, hold=False, open_at=None, refuse_first=False, reject=()):
        self.delay, self.open_at, self.refuse_first, self.reject = delay, open_at, refuse_first, set(reject)
        self.received, self.refused, self.held = [], [], []
        self.gate, self.holding = threading.Event(), threading.Event()
        if not hold:
            self.gate.set()
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self.gate.set()
        self._controller.stop()
        return False

    def release(self):
        """Let every held message (and every later one) through."""
        self.gate.set()

    def message_ids(self):
        """The Message-ID of every accepted message, in order (repeats included)."""
        with self._lock:
            return [message.message_id for message in self.received]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        """Refuse, hold, wait, then record one message."""
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        message = SimpleNamespace(message_id=parsed["Message-ID"], to=parsed["To"], rcpt=list(envelope.rcpt_tos))
        with self._lock:
            if message.to in self.reject:
                self.refused.append(message)
                return "550 5.1.1 No such mailbox"
            if self.refuse_first and message.message_id not in {m.message_id for m in self.refused}:
                self.refused.append(message)
                return "451 4.3.0 Try again later"
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.open_at and self.in_flight >= self.open_at:
                self.gate.set()
        try:
            await self._pass_gate(message)
            if self.delay:
                await asyncio.sleep(self.delay)
            with self._lock:
                self.received.append(message)
        finally:
            with self._lock:
                self.in_flight -= 1
        return "250 2.0.0 Accepted"

    async def _pass_gate(self, message):
        if self.gate.is_set():
            return
        with self._lock:
            self.held.append(message)
        self.holding.set()
        while not self.gate.is_set():
            await asyncio.sleep(SETTLE)
