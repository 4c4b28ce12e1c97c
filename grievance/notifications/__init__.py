"""Outbound notifications: an outbox row written with the change, delivered by a job.

``outbox.queue_notification`` adds the row to the caller's unit of work; ``delivery.deliver``
sends it once the caller commits, and ``delivery.deliver_due`` (every 30 s) retries failures after
their backoff and picks up rows whose job was lost. ``transports`` holds the senders.
"""
