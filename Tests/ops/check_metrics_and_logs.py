#!/usr/bin/env python3
"""/metrics read by Prometheus's own text parser (prometheus_client), and --log-format json read
line by line, from a real server with the demo data.

usage: Tests/ops/check_metrics_and_logs.py BIN
"""
import json
import os
import sys
import tempfile
import time

from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from serving import call, fail, serve, stop  # noqa: E402

BIN = os.path.abspath(sys.argv[1])


with tempfile.TemporaryDirectory() as work:
    log_path = os.path.join(work, "serve.log")
    server, base = serve(BIN, os.path.join(work, "demo.sqlite"), work, log_path, "--log-format", "json")
    try:
        status, headers, _ = call(base, "/sign-in")
        page_id = headers.get("X-Request-Id")
        if status != 200 or not page_id:
            fail(f"/sign-in: {status}, X-Request-Id {page_id!r}")
        if call(base, "/api/v1/session", {"email": "practice@demo.test", "password": "wrong wrong wrong"})[0] != 401:
            fail("a wrong password was not refused")
        status, _, body = call(base, "/api/v1/session", {"email": "practice@demo.test", "password": "demo-password"})
        if status not in (200, 201):
            fail(f"the demo practice manager could not sign in: {status} {body}")
        # A request is counted once its answer has been written, the scheduler's first run once it
        # ends: give them a moment.
        for _ in range(50):
            status, _, text = call(base, "/metrics")
            if status != 200:
                fail(f"/metrics from loopback answered {status}")
            families = {family.name: family for family in text_string_to_metric_families(text)}
            samples_now = [s for f in families.values() for s in f.samples]
            if any(s.labels.get("http_route") == "/api/v1/session" for s in samples_now) and any(
                    s.name.startswith("sgpst_scheduler_runs") and s.labels.get("outcome") == "completed" and s.value >= 1
                    for s in samples_now):
                break
            time.sleep(0.1)
        print(f"ok: /metrics parsed by prometheus_client: {len(families)} families")

        def samples(prefix):
            return [sample for name, family in families.items() if name.startswith(prefix) for sample in family.samples]

        requests = [s for family in families.values() if family.type == "counter" for s in family.samples
                    if "/healthz" in s.labels.values() and "200" in s.labels.values()]
        if not any(sample.value >= 1 for sample in requests):
            fail("no counter of requests by route template and status (/healthz, 200): "
                 + str({n: (f.type, [s.labels for s in f.samples][:3]) for n, f in families.items()}))
        if not any(s.name.endswith("_bucket") for s in samples("http_server_request_duration")):
            fail("no request latency histogram")
        for operation in ("read", "write"):
            if not any(s.name.endswith("_count") and s.value > 0 for s in samples(f"sgpst_database_{operation}_duration")):
                fail(f"no database {operation} durations")
        password_failures = [s.value for s in samples("sgpst_sign_in_failures") if s.labels.get("kind") == "password"]
        if password_failures != [1]:
            fail(f"one wrong password and one right one should count one failure, not {password_failures}")
        if {s.labels.get("outcome") for s in samples("sgpst_mailshot_deliveries")} != {"sent", "failed"}:
            fail("mailshot deliveries by outcome are not listed")
        if not any(s.labels.get("outcome") == "completed" and s.value >= 1 for s in samples("sgpst_scheduler_runs")):
            fail("the scheduler's first run is not counted")
        print("ok: requests by route and status, latency histograms, database reads and writes, sign-in failures,"
              " mailshot deliveries by outcome, scheduler runs")
    finally:
        stop(server)

    lines = [line for line in open(log_path) if line.strip()]
    objects = []
    for line in lines:
        try:
            objects.append(json.loads(line))
        except json.JSONDecodeError:
            fail(f"a log line is not JSON: {line!r}")
    requests = [o for o in objects if o.get("message") == "request"]
    page = [o for o in requests if o.get("requestId") == page_id]
    if not page or page[0].get("route") != "/sign-in" or page[0].get("status") != 200:
        fail(f"the sign-in page's line (request id {page_id}) is not in the log: {page}")
    for key in ("time", "level", "requestId", "route", "status", "durationMs", "method"):
        if key not in page[0]:
            fail(f"a request's line lacks {key}: {page[0]}")
    everything = "".join(lines)
    for secret in ("demo-password", "wrong wrong wrong", "practice@demo.test"):
        if secret in everything:
            fail(f"the log holds {secret!r}")
    print(f"ok: --log-format json: {len(objects)} lines, each one JSON object; each request's id, route, status and"
          " duration; no password or address")
