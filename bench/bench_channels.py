"""Benchmark the SMS webhook and the USSD endpoint, server-side, on PostgreSQL and Redis.

    .venv/bin/python bench/bench_channels.py \\
        --database postgresql://postgres@127.0.0.1/grievance_bench_channels \\
        --redis redis://127.0.0.1:6379/12 [--seconds 30] [--sms-rate 50] [--sessions 100]

Method. The database named in --database is created (and dropped at the end), migrated and
seeded with a small world and `--seed-reports` reports. The app then runs under gunicorn on
loopback as a small deployment would (2 workers x 8 threads, gthread), with Redis for jobs and
USSD sessions (no RQ worker runs, so queued deliveries wait in Redis and nothing is sent). A
bench-only WSGI wrapper (`timed_app`, never used by the app itself) measures each request from
WSGI entry to the moment the response headers are sent (routing, the view, every query and
commit) and returns it in `X-Bench-Server-Ms`: that is the "server-side" time. Load generator
threads in this process send real requests and also record the time they saw (queueing in the
server's backlog and HTTP included), reported alongside for honesty.

1. SMS: signed Twilio webhooks at a steady `--sms-rate` per second (open loop: requests start on
   schedule whether or not earlier ones finished) for `--seconds`: half new reports, a third
   STATUS of seeded reports by their own reporters, the rest HELP. Target: p99 under 100 ms.
2. USSD: `--sessions` callers at once for `--seconds`, each dialling again when a session ends,
   thinking 0.5 to 1.5 s per screen (quicker than people): two thirds file a report through the
   whole menu, a third check a status. Target: p99 per step under 50 ms.

Each run prints percentiles per kind of request too (a new report, STATUS, HELP; a menu step,
the step that files, a status answer), and the machine's load average: this machine may be shared,
and a busy neighbour shows in the tail. Redis keys the run made (its own prefix, and RQ's) are
deleted at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator

AUTH_TOKEN = "bench-auth-token"
ACCOUNT_SID = "AC" + "0" * 32
FROM_NUMBER = "+15005550006"
SECRET_KEY = "bench-secret-key-of-sufficient-length"
TIMING_HEADER = "X-Bench-Server-Ms"
WORKERS = 2
THREADS = 8


# --- the bench-only app wrapper (loaded by gunicorn) ----------------------------------------------


def timed_app() -> Callable[..., Iterable[bytes]]:
    """Return the app, wrapped to report each request's time inside it in a response header."""
    from grievance import create_app

    inner = create_app().wsgi_app

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()

        def timed_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            elapsed = (time.perf_counter() - started) * 1000
            return start_response(status, [*headers, (TIMING_HEADER, f"{elapsed:.3f}")], exc_info)

        return inner(environ, timed_start)

    return app


# --- setting up --------------------------------------------------------------------------------


def environment(database_url: str, redis_url: str, prefix: str, base_url: str) -> dict[str, str]:
    """Return the environment the app under test runs with."""
    return {
        **os.environ,
        "GRIEVANCE_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "GRIEVANCE_REDIS_PREFIX": prefix,
        "GRIEVANCE_IN_PROCESS_TICKER": "false",
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": base_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "GRIEVANCE_CHANNELS": "web,sms,ussd",
        "GRIEVANCE_DEFAULT_LOCALE": "id",
    }


def random_phone(rng: random.Random) -> str:
    """Return a random, valid Indonesian mobile number."""
    return "+62812" + "".join(rng.choice("0123456789") for _ in range(8))


def seed(env: dict[str, str], reports: int, rng: random.Random) -> list[tuple[str, str]]:
    """Migrate and seed the database; return (tracking number, phone) of the seeded reports."""
    from flask_migrate import upgrade

    from grievance import create_app
    from grievance.extensions import db
    from grievance.models import Agency, Calendar, Category, Region
    from grievance.services.reports import file_report
    from grievance.settings import Settings
    from workflows.states import AgencyLevel, Channel, Tier

    app = create_app(Settings.from_env(env))
    with app.app_context():
        upgrade()
        db.session.add(Calendar(name="national", timezone="Asia/Jakarta", holiday_country="ID"))
        db.session.add(Region(code="32", name="Jawa Barat", level=AgencyLevel.PROVINCE))
        for i in range(1, 28):
            code = f"32.{70 + i}" if i < 10 else f"32.{i:02d}"
            db.session.add(
                Region(
                    code=code, name=f"Kabupaten {i}", level=AgencyLevel.REGENCY, parent_code="32"
                )
            )
        db.session.add(Agency(code="JABAR", name="Pemprov Jawa Barat", level=AgencyLevel.PROVINCE))
        for position, (code, name) in enumerate(
            [
                ("roads", "Jalan"),
                ("water", "Air bersih"),
                ("waste", "Sampah"),
                ("light", "Lampu jalan"),
                ("health", "Kesehatan"),
                ("school", "Sekolah"),
                ("permit", "Perizinan"),
            ]
        ):
            db.session.add(
                Category(
                    code=code,
                    names={"en": code.title(), "id": name},
                    tier=Tier.STANDARD,
                    position=position,
                )
            )
        db.session.commit()
        seeded = []
        for _ in range(reports):
            phone = random_phone(rng)
            filed = file_report(
                description="Jalan berlubang di depan sekolah, membahayakan pengendara motor.",
                channel=Channel.SMS,
                language="id",
                phone=phone,
                category_code="roads",
                region_code="32.71",
            )
            seeded.append((filed.report.tracking_number, phone))
        db.session.remove()
        db.engine.dispose()
    return seeded


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, workers: int = WORKERS, threads: int = THREADS
) -> subprocess.Popen[bytes]:
    """Start gunicorn with the timed app and wait until it answers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own executable and arguments
        [
            str(gunicorn),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--pythonpath",
            str(ROOT / "bench"),
            "--chdir",
            str(ROOT),
            "bench_channels:timed_app()",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status < 500:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


# --- load ----------------------------------------------------------------------------------------


@dataclass
class Samples:
    """Server-side and client-side milliseconds of one kind of request."""

    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, server_ms: float, client_ms: float, kind: str) -> None:
        """Record one request of a kind (what it asked for)."""
        with self.lock:
            self.server.append(server_ms)
            self.client.append(client_ms)
            self.by_kind.setdefault(kind, []).append(server_ms)

    def fail(self) -> None:
        """Count a request that did not answer 200."""
        with self.lock:
            self.errors += 1


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(round(q / 100 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


class Client:
    """One keep-alive HTTP connection to the server, re-opened when it drops."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._connection: http.client.HTTPConnection | None = None

    def post(
        self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> tuple[int, str, float, float]:
        """POST a form; return the status, the body, the server's and the client's milliseconds."""
        body = urlencode(form)
        all_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            started = time.perf_counter()
            try:
                self._connection.request("POST", path, body=body, headers=all_headers)
                response = self._connection.getresponse()
                text = response.read().decode()
            except (http.client.HTTPException, OSError):
                self._connection.close()
                self._connection = None
                if attempt:
                    raise
                continue
            client_ms = (time.perf_counter() - started) * 1000
            server_ms = float(response.getheader(TIMING_HEADER) or "nan")
            return response.status, text, server_ms, client_ms
        raise RuntimeError("unreachable")  # pragma: no cover


def bench_sms(
    port: int,
    base_url: str,
    seeded: list[tuple[str, str]],
    rate: float,
    seconds: float,
    rng: random.Random,
) -> Samples:
    """Send signed webhooks at a steady rate; return the samples."""
    samples = Samples()
    validator = RequestValidator(AUTH_TOKEN)
    url = base_url + "/channels/sms/twilio"
    local = threading.local()

    def send(body: str, sender: str, kind: str) -> None:
        client = getattr(local, "client", None) or Client(port)
        local.client = client
        form = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        signature = validator.compute_signature(url, form)
        status, _, server_ms, client_ms = client.post(
            "/channels/sms/twilio", form, {"X-Twilio-Signature": signature}
        )
        if status == 200:
            samples.add(server_ms, client_ms, kind)
        else:
            samples.fail()

    def message() -> tuple[str, str, str]:
        roll = rng.random()
        if roll < 0.5:
            body = f"Lampu jalan mati di gang {rng.randint(1, 99)} sejak minggu lalu, gelap sekali."
            return body, random_phone(rng), "new report"
        if roll < 0.85:
            number, phone = rng.choice(seeded)
            return f"STATUS {number}", phone, "STATUS"
        return "HELP", random_phone(rng), "HELP"

    total = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.perf_counter() + 0.5
        futures = []
        for i in range(total):
            body, sender, kind = message()
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, body, sender, kind))
        for future in futures:
            future.result()
    return samples


def bench_ussd(
    port: int, seeded: list[tuple[str, str]], sessions: int, seconds: float, seed_value: int
) -> Samples:
    """Run concurrent USSD callers for a while; return the samples of every step."""
    samples = Samples()
    stop_at = time.monotonic() + seconds

    def caller(index: int) -> None:
        rng = random.Random(seed_value + index)
        client = Client(port)
        phone = random_phone(rng)
        while time.monotonic() < stop_at:
            session_id = f"ATUid_{uuid.uuid4().hex}"
            inputs: list[str] = []

            def screen(
                value: str | None,
                kind: str = "menu step",
                session_id: str = session_id,
                inputs: list[str] = inputs,
            ) -> str:
                if value is not None:
                    inputs.append(value)
                form = {
                    "sessionId": session_id,
                    "serviceCode": "*384*1234#",
                    "phoneNumber": phone,
                    "networkCode": "51010",
                    "text": "*".join(inputs),
                }
                status, body, server_ms, client_ms = client.post("/channels/ussd", form)
                if status == 200:
                    samples.add(server_ms, client_ms, kind)
                else:
                    samples.fail()
                time.sleep(rng.uniform(0.5, 1.5))
                return body

            first = screen(None)
            if "1 English" in first:
                screen("2")  # a first-time caller picks Bahasa Indonesia
            if rng.random() < 2 / 3:
                for value in (
                    "1",
                    "1",
                    str(rng.randint(1, 7)),
                    "1",
                    str(rng.randint(1, 5)),
                    "Lampu jalan mati di gang kami sejak minggu lalu",
                    "1",
                ):
                    screen(value)
                screen("1", "send (files the report)")
            else:
                number, _ = rng.choice(seeded)
                screen("2")
                screen(number, "status answer")

    threads = [threading.Thread(target=caller, args=(i,), daemon=True) for i in range(sessions)]
    for thread in threads:
        thread.start()
        time.sleep(1.0 / sessions)  # stagger the first screens over a second
    for thread in threads:
        thread.join()
    return samples


def summary(name: str, samples: Samples, seconds: float) -> dict[str, float]:
    """Print and return the percentiles of a run."""
    server, client = samples.server, samples.client
    result = {
        "requests": len(server),
        "errors": samples.errors,
        "per_second": len(server) / seconds,
        "server_p50": percentile(server, 50),
        "server_p95": percentile(server, 95),
        "server_p99": percentile(server, 99),
        "server_max": max(server, default=float("nan")),
        "client_p50": percentile(client, 50),
        "client_p99": percentile(client, 99),
    }
    print(
        f"{name}: {result['requests']} requests ({result['per_second']:.1f}/s), "
        f"{result['errors']} errors; "
        f"server p50 {result['server_p50']:.1f} ms, p95 {result['server_p95']:.1f} ms, "
        f"p99 {result['server_p99']:.1f} ms, max {result['server_max']:.1f} ms; "
        f"client p50 {result['client_p50']:.1f} ms, p99 {result['client_p99']:.1f} ms"
    )
    for kind, values in sorted(samples.by_kind.items()):
        print(
            f"    {kind}: {len(values)}, server p50 {percentile(values, 50):.1f} ms, "
            f"p99 {percentile(values, 99):.1f} ms"
        )
    return result


def main() -> None:
    """Run both benchmarks and print the results as a table row for docs/channels.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", required=True, help="PostgreSQL URL of a database to create and drop"
    )
    parser.add_argument("--redis", required=True, help="Redis URL (a database the bench may use)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sms-rate", type=float, default=50.0)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--seed-reports", type=int, default=300)
    parser.add_argument("--random-seed", type=int, default=20260302)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker")
    args = parser.parse_args()

    from redis import Redis
    from sqlalchemy import create_engine, text

    database_url = args.database.replace("postgres://", "postgresql://", 1)
    name = urlsplit(database_url).path.lstrip("/")
    admin_url = (
        database_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        + "/postgres"
    )
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    prefix = f"grievance-bench-{uuid.uuid4().hex[:8]}:"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = environment(database_url, args.redis, prefix, base_url)
    rng = random.Random(args.random_seed)
    server = None
    try:
        print(f"seeding {args.seed_reports} reports into {name} ...")
        seeded = seed(env, args.seed_reports, rng)
        server = start_server(env, port, args.workers, args.threads)
        # Warm up every worker's connections and caches; not measured.
        bench_sms(port, base_url, seeded, rate=20, seconds=2, rng=rng)
        load_before = os.getloadavg()[0]
        sms = summary(
            "SMS webhook",
            bench_sms(port, base_url, seeded, args.sms_rate, args.seconds, rng),
            args.seconds,
        )
        ussd = summary(
            "USSD step",
            bench_ussd(port, seeded, args.sessions, args.seconds, args.random_seed),
            args.seconds,
        )
        load_after = os.getloadavg()[0]
        print(f"load average (1 min) before and after: {load_before:.2f}, {load_after:.2f}")
        print(f"gunicorn: {args.workers} workers x {args.threads} threads (gthread)")
        print()
        print(
            f"| date | machine | SMS at {args.sms_rate:g}/s: server p50 / p99 "
            f"| USSD, {args.sessions} sessions: server p50 / p99 | client p99 (SMS / USSD) |"
        )
        print(
            f"| {datetime.now(UTC).date().isoformat()} | {os.cpu_count()} cores, "
            f"{platform.machine()}, Python {platform.python_version()} "
            f"| {sms['server_p50']:.1f} / {sms['server_p99']:.1f} ms "
            f"| {ussd['server_p50']:.1f} / {ussd['server_p99']:.1f} ms "
            f"| {sms['client_p99']:.1f} / {ussd['client_p99']:.1f} ms |"
        )
        failed = sms["errors"] or ussd["errors"]
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        redis = Redis.from_url(args.redis)
        for pattern in (f"{prefix}*", "rq:*"):
            for key in redis.scan_iter(pattern, count=1000):
                redis.delete(key)
        redis.close()
    if failed:
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
