"""Check the key an Open311 client sends, and record that the client used it.

Keys are issued by `grievance.services.admin.create_api_client` (the admin pages): a random
URL-safe string whose first characters are its stored prefix; only the SHA-256 of the whole key
is kept. One indexed lookup by prefix, then a constant-time comparison of hashes.
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from sqlalchemy import select

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import ApiClient
from grievance.services.admin import API_KEY_PREFIX_LENGTH, api_key_hash

# What an issued key can look like; anything else is refused before the database is asked.
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{%d,200}" % API_KEY_PREFIX_LENGTH)  # noqa: UP031 - regex braces
# Recording every use would turn each POST into two writes; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)
_NO_KEY_HASH = api_key_hash("no such key")


def verify_key(key: str | None) -> ApiClient | None:
    """Return the active client holding this key, recording its use; None for any other key."""
    client = None
    if key and _KEY_SHAPE.fullmatch(key):
        client = db.session.scalar(
            select(ApiClient).where(
                ApiClient.key_prefix == key[:API_KEY_PREFIX_LENGTH], ApiClient.active.is_(True)
            )
        )
    # Compare even when no client matched, so the answer takes as long for a wrong prefix.
    stored = client.key_hash if client is not None else _NO_KEY_HASH
    if not hmac.compare_digest(api_key_hash(key or ""), stored) or client is None:
        return None
    now = utcnow()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
        client.last_used_at = now
        db.session.commit()
    return client
