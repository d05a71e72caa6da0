"""Prometheus metrics of the webhook: updates processed, errors, processing latency.

Each :class:`Metrics` has its own ``CollectorRegistry`` rather than the process-wide default
one: two applications in one process (the tests, or two bots) never collide on metric names,
and ``/metrics`` shows only what the bot measures.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]

# From a cached answer (a few ms) to a slow search with retries against the Bot API.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The webhook's counters and latency histogram, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "tremplin_updates",
            "Updates received from Telegram and processed.",
            registry=self.registry,
        )
        self.errors = Counter(
            "tremplin_update_errors",
            "Errors raised while processing updates, by exception class.",
            ["error"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "tremplin_webhook_rejected",
            "Webhook requests refused before processing: bad secret, too large, not an update.",
            ["reason"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tremplin_update_duration_seconds",
            "Time to process one update, from its arrival to the answer to Telegram.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        # Zero-valued series exist from the start, so that rate() and alerts see them at once.
        for reason in ("secret", "size", "payload"):
            self.rejected.labels(reason=reason)

    def count_error(self, error: BaseException | None) -> None:
        """Count one processing error, labelled by its class (``Forbidden``, ``TimedOut``...)."""
        self.errors.labels(error=type(error).__name__ if error else "unknown").inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)
