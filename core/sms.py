"""短信: text messages through a pluggable backend, as Django's ``EMAIL_BACKEND`` does for e-mail.

``SMS_BACKEND`` names the class (default ``core.sms.ConsoleBackend``, which prints the message; the tests use
``core.sms.LocmemBackend``, which keeps it in :data:`outbox`). A real gateway (a province's SMS platform, a
cloud provider) is one class with ``send_messages``, written and configured where it is deployed: no
gateway's credentials or client library belong in this repository.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "core.sms.ConsoleBackend"


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


class BaseBackend(abc.ABC):
    """Sends text messages; returns how many were accepted. Raise to have the caller retry.

    A gateway is one subclass named by ``SMS_BACKEND``; an incomplete one cannot be instantiated."""

    @abc.abstractmethod
    def send_messages(self, messages: Iterable[TextMessage]) -> int:
        """Send ``messages``; the number accepted."""


class ConsoleBackend(BaseBackend):
    """Writes each message to standard output (development, and any deployment without a gateway)."""

    def send_messages(self, messages: Iterable[TextMessage]) -> int:
        count = 0
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
            count += 1
        sys.stdout.flush()
        return count


#: what LocmemBackend sent, like django.core.mail.outbox
outbox: list[TextMessage] = []


class LocmemBackend(BaseBackend):
    """Keeps the messages in :data:`outbox` (tests)."""

    def send_messages(self, messages: Iterable[TextMessage]) -> int:
        sent = list(messages)
        outbox.extend(sent)
        return len(sent)


def backend() -> BaseBackend:
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()


def send_sms(to: str, body: str) -> int:
    """Send one text message through the configured backend."""
    return backend().send_messages([TextMessage(to=to, body=body)])
