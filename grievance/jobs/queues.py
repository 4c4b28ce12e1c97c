"""Queue names and job options shared by the dispatcher, the worker and the scheduler."""

from __future__ import annotations

QUEUE_DEFAULT = "default"
# Every queue a worker listens on, in priority order.
QUEUES: tuple[str, ...] = (QUEUE_DEFAULT,)

# RQ retries a job that raised, after each interval in turn (seconds). Delivery failures do not
# raise (the outbox row keeps its own backoff); these cover a database or Redis hiccup.
RETRY_MAX = 4
RETRY_INTERVALS: tuple[int, ...] = (10, 60, 300, 900)
# Longer than any job should take: deliver_due stops itself after about a minute.
JOB_TIMEOUT_SECONDS = 300
