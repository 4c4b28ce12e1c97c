"""The rate limiter (memory and Redis) and the photo store, below the pages that use them."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from redis import Redis
from werkzeug.datastructures import FileStorage

from grievance import jobs, ratelimit, uploads
from grievance.ratelimit import Limit, RateLimited
from tests.conftest import TEST_REDIS_URL, make_settings, redis_reachable, service_unavailable


def test_memory_counter_allows_the_limit_then_says_how_long_to_wait(app, moved_clock):
    limit = Limit(2, 60)
    assert ratelimit.hit("t", "1.2.3.4", limit) is None
    assert ratelimit.hit("t", "1.2.3.4", limit) is None
    wait = ratelimit.hit("t", "1.2.3.4", limit)
    assert wait is not None and 0 < wait <= 60
    assert ratelimit.hit("t", "5.6.7.8", limit) is None  # another client
    assert ratelimit.hit("other", "1.2.3.4", limit) is None  # another limit
    moved_clock.advance(seconds=wait)
    assert ratelimit.hit("t", "1.2.3.4", limit) is None  # a new window


def test_clock_windows_are_aligned_to_the_epoch(app, moved_clock):
    # Two hits in the same 60-second window, then the next window: counters never leak across.
    start = moved_clock.now
    moved_clock.set(start.replace(second=59))
    limit = Limit(1, 60)
    assert ratelimit.hit("w", "k", limit) is None
    assert ratelimit.hit("w", "k", limit) == 1
    moved_clock.set(start.replace(second=59) + timedelta(seconds=1))
    assert ratelimit.hit("w", "k", limit) is None


def test_enforce_raises_a_translated_429_with_retry_after(app):
    with app.test_request_context("/?lang=en", environ_base={"REMOTE_ADDR": "9.9.9.9"}):
        ratelimit.enforce("e", Limit(1, 120))
        with pytest.raises(RateLimited) as caught:
            ratelimit.enforce("e", Limit(1, 120))
    error = caught.value
    assert error.code == 429
    assert 0 < error.wait_seconds <= 120
    assert "Too many requests" in str(error.description)
    assert error.get_headers()[-1] == ("Retry-After", str(error.wait_seconds))


def test_limits_can_be_overridden_or_switched_off(app):
    app.config[ratelimit.LIMITS_CONFIG_KEY] = {"o": Limit(1, 60)}
    assert ratelimit.configured("o", Limit(100, 60)) == Limit(1, 60)
    assert ratelimit.configured("p", Limit(100, 60)) == Limit(100, 60)
    app.config[ratelimit.ENABLED_CONFIG_KEY] = False
    for _ in range(5):
        assert ratelimit.hit("o", "k", Limit(1, 60)) is None


def test_reset_forgets_the_counters(app):
    limit = Limit(1, 60)
    ratelimit.hit("r", "k", limit)
    assert ratelimit.hit("r", "k", limit) is not None
    ratelimit.reset(app)
    assert ratelimit.hit("r", "k", limit) is None


@pytest.mark.redis
def test_redis_counters_are_shared_between_apps_and_expire(database_url, moved_clock):
    problem = redis_reachable()
    if problem is not None:
        service_unavailable("Redis", problem)
    settings = make_settings(database_url, redis_url=TEST_REDIS_URL, redis_prefix="web-test:")
    first, second = Flask("first"), Flask("second")
    limit = Limit(2, 30)
    for app in (first, second):
        app.config["GRIEVANCE_SETTINGS"] = settings
    with first.app_context():
        ratelimit.reset(first)
        assert ratelimit.hit("s", "k", limit) is None
    with second.app_context():
        assert ratelimit.hit("s", "k", limit) is None
        assert ratelimit.hit("s", "k", limit) is not None  # the first app's hit counted
        connection: Redis = jobs.redis_connection(second)
        keys = list(connection.scan_iter(match="web-test:ratelimit:s:k:*"))
        assert len(keys) == 1 and 0 < connection.ttl(keys[0]) <= 31
        moved_clock.advance(seconds=30)
        assert ratelimit.hit("s", "k", limit) is None
        ratelimit.reset(second)
        assert list(connection.scan_iter(match="web-test:ratelimit:*")) == []


def test_redis_down_lets_requests_through(database_url, caplog):
    settings = make_settings(database_url, redis_url="redis://127.0.0.1:1/0")
    app = Flask("down")
    app.config["GRIEVANCE_SETTINGS"] = settings
    with app.app_context():
        for _ in range(3):
            assert ratelimit.hit("d", "k", Limit(1, 60)) is None
    assert "Redis unavailable" in caplog.text


# --- the photo store ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xdb", "jpg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8L", "webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
        (b"GIF89a", None),
        (b"%PDF-1.4", None),
        (b"<svg xmlns=", None),
        (b"", None),
    ],
)
def test_photos_are_recognised_by_their_first_bytes(head, kind):
    assert uploads.sniff_image_type(head) == kind


def test_stored_names_cannot_reach_other_files(app, tmp_path: Path):
    app.config[uploads.UPLOADS_CONFIG_KEY] = str(tmp_path / "uploads")
    picture = io.BytesIO()
    Image.new("RGB", (4, 4)).save(picture, format="PNG")
    photo = uploads.read_photo(FileStorage(stream=io.BytesIO(picture.getvalue()), filename="a.png"))
    name = uploads.save_photo(photo)
    assert uploads.stored_path(name) == tmp_path / "uploads" / name
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8\xff")
    for bad in (
        "../secret.jpg",
        "/etc/passwd",
        "..%2Fsecret.jpg",
        "secret.jpg",
        "",
        None,
        name + "x",
    ):
        assert uploads.stored_path(bad) is None
    uploads.delete_photo(name)
    assert uploads.stored_path(name) is None


def test_an_empty_upload_is_no_photo(app):
    assert uploads.read_photo(FileStorage(stream=io.BytesIO(b""), filename="empty.jpg")) is None
    assert uploads.read_photo(FileStorage(stream=io.BytesIO(b"x"), filename="")) is None
