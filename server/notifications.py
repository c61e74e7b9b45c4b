"""Notices to people: queued in the outbox (deduplicated by key), then delivered by a sender.

Senders are pluggable: ``LogSender`` is the default; an SMS gateway or WeChat template-message
adapter implements the same one method and is registered under its channel name.
"""
import logging
from typing import Protocol

from server.storage import outbox

log = logging.getLogger("yekuo.notices")


class Sender(Protocol):
    def send(self, notice: dict) -> None:
        """Deliver one notice or raise; a failure is retried on the next run."""


class LogSender:
    """Writes each notice to the log (the default channel)."""

    def send(self, notice: dict) -> None:
        log.info("notice %s to %s: %s", notice["kind"], notice["recipient"], notice["payload"].get("text"))


class GatewayNotConfigured(RuntimeError):
    pass


class SmsSender:
    """An SMS gateway adapter: ``post(phone, text)`` is the gateway's client (not shipped)."""

    def __init__(self, post=None):
        self.post = post

    def send(self, notice: dict) -> None:
        if self.post is None:
            raise GatewayNotConfigured("no SMS gateway configured")
        self.post(notice["recipient"], notice["payload"]["text"])


SENDERS = {"log": LogSender()}


def deliver(db, senders=None) -> dict:
    """Send what is unsent; each notice is marked on its own, so one failure blocks nothing."""
    senders, counts = senders or SENDERS, {"sent": 0, "failed": 0}
    for notice in outbox.unsent(db):
        sender = senders.get(notice["channel"])
        try:
            if sender is None:
                raise GatewayNotConfigured(f"no sender for channel {notice['channel']!r}")
            sender.send(notice)
        except Exception as exc:       # a sender's failure is recorded and retried, never fatal
            outbox.mark_failed(db, notice["id"], str(exc))
            counts["failed"] += 1
        else:
            outbox.mark_sent(db, notice["id"])
            counts["sent"] += 1
    return counts
