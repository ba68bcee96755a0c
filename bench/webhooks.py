#!/usr/bin/env python3
"""Webhook benchmark: what webhooks cost a publish, and how fast the outbox drains.

    bench/webhooks.sh            (builds the release binary, then runs this)

1. Publish cost: PATCH {"status": "published"} of drafts, one at a time over one keep-alive
   connection, on a fresh database with no webhook endpoint and with five endpoints that take
   every event (delivered meanwhile to a local receiver, which checks every signature).
   Alternating rounds; the report gives the median, mean and p90 per request of each. Paced
   (PACE_MS, 20 ms, between publishes: a newsroom's rate, where each event's deliveries are done
   before the next publish, so what is measured is the request's own cost), and back to back
   (the deliveries of one publish compete with the next for the 2 cores and the write lock).
2. Delivery throughput: BACKLOG events already in the outbox (written while Warta was stopped)
   for 1 and for 5 endpoints; Warta starts and the receiver times first to last delivery.
3. A hanging endpoint: the same backlog for two endpoints, one of which never answers (Warta
   gives up after 10 s): how fast the other one drains.

Everything runs on 127.0.0.1, every wait is bounded, and every process started is stopped at
the end (also on Ctrl-C). Environment: WARTA_BIN, PUBLISHES (300), BACKLOG (20000), ROUNDS (2).
"""

import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARTA = os.environ.get("WARTA_BIN", os.path.join(ROOT, "target/release/warta"))
PUBLISHES = int(os.environ.get("PUBLISHES", "300"))
BACKLOG = int(os.environ.get("BACKLOG", "20000"))
ROUNDS = int(os.environ.get("ROUNDS", "2"))
PACE_MS = float(os.environ.get("PACE_MS", "20"))
ADMIN = ("bench.admin@kabarharapan.example", "warta-bench-2026-webhooks")
PROCESSES = []


def log(text):
    print(f"[webhooks {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_all(*_):
    for proc in PROCESSES:
        stop(proc)
    if _:
        sys.exit(130)


class Api:
    """One keep-alive connection to Warta."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        started = time.perf_counter()
        self.conn.request(method, path, None if body is None else json.dumps(body), headers)
        answer = self.conn.getresponse()
        data = answer.read()
        elapsed = time.perf_counter() - started
        if answer.status >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status} {data[:300]!r}")
        return (json.loads(data) if data else None), elapsed

    def login(self):
        body, _ = self.call("POST", "/api/v1/auth/login", {"email": ADMIN[0], "password": ADMIN[1]})
        self.token = body["access_token"]


def start_warta(db):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_") and k != "DATABASE_URL"}
    env.update({
        "DATABASE_URL": db, "WARTA_BIND": f"127.0.0.1:{port}", "RUST_LOG": "warn",
        "WARTA_ADMIN_EMAIL": ADMIN[0], "WARTA_ADMIN_PASSWORD": ADMIN[1],
        "WARTA_WEBHOOK_ALLOW_PRIVATE": "true", "WARTA_JWT_SECRET": "bench-webhooks-secret-0123456789abcdef",
    })
    proc = subprocess.Popen([WARTA, "serve"], env=env, cwd=os.path.dirname(db),
                            stdout=subprocess.DEVNULL, stderr=open(db + ".log", "ab"))
    PROCESSES.append(proc)
    until = time.time() + 30
    while time.time() < until:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ready")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"warta exited: {open(db + '.log').read()[-2000:]}")
        time.sleep(0.05)
    raise RuntimeError("warta did not get ready within 30 s")


def start_receiver(port, secrets_):
    env = dict(os.environ, PORT=str(port), WEBHOOK_SECRETS=",".join(secrets_))
    proc = subprocess.Popen(["node", os.path.join(ROOT, "bench/webhook-receiver.mjs")], env=env,
                            stdout=subprocess.PIPE, text=True)
    PROCESSES.append(proc)
    line = proc.stdout.readline()
    if "listening" not in line:
        raise RuntimeError(f"the receiver did not start: {line}")
    return proc


def receiver_stats(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/stats")
    return json.loads(conn.getresponse().read())


def wait_for(port, paths, count, within):
    until = time.time() + within
    while True:
        stats = receiver_stats(port)
        got = sum(stats.get(p, {}).get("count", 0) for p in paths)
        if got >= count or time.time() > until:
            return stats
        time.sleep(0.1)


def subscribe(api, port, paths):
    made = []
    for path in paths:
        body, _ = api.call("POST", "/api/v1/webhooks", {"url": f"http://127.0.0.1:{port}{path}", "events": ["*"]})
        made.append(body)
    return made


def publish_cost(work, endpoints, round_, pace_ms):
    db = os.path.join(work, f"publish-{endpoints}-{round_}-{pace_ms}.db")
    proc, port = start_warta(db)
    api = Api(port)
    api.login()
    receiver = None
    paths = [f"/e{i}" for i in range(endpoints)]
    if endpoints:
        rport = free_port()
        made = subscribe(api, rport, paths)
        receiver = start_receiver(rport, [m["secret"] for m in made])
    warmup = 20
    ids = []
    for i in range(PUBLISHES + warmup):
        body, _ = api.call("POST", "/api/v1/articles", {
            "title": f"Rapat Anggaran Daerah Ke-{i} Dibahas {secrets.token_hex(4)}",
            "body": "Naskah berita untuk uji beban. " * 40,
        })
        ids.append(body["id"])
    times = []
    for n, article in enumerate(ids):
        if pace_ms:
            time.sleep(pace_ms / 1000)
        _, elapsed = api.call("PATCH", f"/api/v1/articles/{article}", {"status": "published"})
        if n >= warmup:
            times.append(elapsed * 1000)
    delivered = None
    if endpoints:
        stats = wait_for(rport, paths, endpoints * len(ids), 120)
        delivered = {
            "count": sum(stats[p]["count"] for p in paths),
            "bad_signatures": sum(stats[p]["bad_signatures"] for p in paths),
        }
        stop(receiver)
    stop(proc)
    return times, delivered


def event_body(n):
    return json.dumps({
        "type": "article.updated", "timestamp": "2026-12-03T06:00:00Z",
        "data": {"id": n, "slug": f"berita-{n}", "title": f"Berita Nomor {n} Tentang Harga Beras di Pasar Induk",
                 "excerpt": "Harga beras di pasar induk naik untuk pekan ketiga berturut-turut. " * 3,
                 "status": "published", "author": {"id": 1, "display_name": "Rina", "slug": "rina", "bio": ""},
                 "categories": [{"id": 1, "name": "Dalam Negeri", "slug": "dalam-negeri"}], "tags": []},
        "cache_tags": ["articles", f"article:{n}", f"article:berita-{n}", "category:dalam-negeri", "author:rina"],
    })


def fill_outbox(db, webhook_ids, count):
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    with sqlite3.connect(db) as conn:
        start = conn.execute("SELECT coalesce(max(id), 0) FROM webhook_events").fetchone()[0]
        conn.executemany(
            "INSERT INTO webhook_events (id, message_id, kind, body, created_at) VALUES (?, ?, 'article.updated', ?, ?)",
            ((start + n, f"msg_bench{start + n:08d}{secrets.token_hex(6)}", event_body(start + n), now)
             for n in range(1, count + 1)))
        conn.executemany(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
            ((w, start + n, now, now) for n in range(1, count + 1) for w in webhook_ids))


def drain(work, paths, name):
    db = os.path.join(work, f"drain-{name}.db")
    proc, port = start_warta(db)
    api = Api(port)
    api.login()
    rport = free_port()
    made = subscribe(api, rport, paths)
    stop(proc)
    fill_outbox(db, [m["id"] for m in made], BACKLOG)
    start_receiver(rport, [m["secret"] for m in made])
    started = time.time()
    proc, _ = start_warta(db)
    ok = [p for p in paths if p != "/hang"]
    stats = wait_for(rport, ok, BACKLOG * len(ok), 600)
    took = time.time() - started
    stop(proc)
    result = {"seconds_from_start": round(took, 2), "paths": {}}
    for p in paths:
        s = stats.get(p, {"count": 0, "distinct": 0, "bad_signatures": 0, "first_ms": 0, "last_ms": 0})
        span = (s["last_ms"] - s["first_ms"]) / 1000
        result["paths"][p] = {
            "delivered": s["count"], "distinct": s.get("distinct", 0), "bad_signatures": s["bad_signatures"],
            "per_second": round(s["count"] / span) if span > 0 else None,
        }
    if ok:
        firsts = [stats[p]["first_ms"] for p in ok]
        lasts = [stats[p]["last_ms"] for p in ok]
        span = (max(lasts) - min(firsts)) / 1000
        result["events_per_second_all_endpoints"] = round(BACKLOG / span) if span > 0 else None
        result["deliveries_per_second"] = round(BACKLOG * len(ok) / span) if span > 0 else None
    return result


def summary(times):
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 3), "mean_ms": round(statistics.fmean(times), 3),
            "p90_ms": round(times[int(len(times) * 0.9)], 3), "n": len(times)}


def main():
    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    if not os.access(WARTA, os.X_OK):
        sys.exit(f"no warta binary at {WARTA} (cargo build --release --bin warta)")
    report = {"publishes_per_run": PUBLISHES, "backlog": BACKLOG, "rounds": ROUNDS}
    with tempfile.TemporaryDirectory(prefix="warta-bench-webhooks-") as work:
        try:
            for label, pace in (("paced", PACE_MS), ("back_to_back", 0)):
                runs = {0: [], 5: []}
                for round_ in range(ROUNDS):
                    for endpoints in (0, 5):
                        log(f"publish cost {label}, round {round_ + 1}, {endpoints} endpoints")
                        times, delivered = publish_cost(work, endpoints, round_, pace)
                        runs[endpoints].append(summary(times))
                        if delivered:
                            runs[endpoints][-1]["delivered"] = delivered
                base = statistics.median(r["median_ms"] for r in runs[0])
                five = statistics.median(r["median_ms"] for r in runs[5])
                base_mean = statistics.median(r["mean_ms"] for r in runs[0])
                five_mean = statistics.median(r["mean_ms"] for r in runs[5])
                report[f"publish_{label}"] = {"pace_ms": pace, "no_endpoints": runs[0], "five_endpoints": runs[5],
                                              "extra_median_ms": round(five - base, 3),
                                              "extra_mean_ms": round(five_mean - base_mean, 3)}
            for name, paths in (("one-endpoint", ["/e0"]), ("five-endpoints", [f"/e{i}" for i in range(5)]),
                                ("beside-a-hanging-one", ["/e0", "/hang"])):
                log(f"outbox drain: {name}")
                report[f"drain_{name}"] = drain(work, paths, name)
        finally:
            stop_all()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
