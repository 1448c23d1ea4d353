#!/usr/bin/env python3
"""Crash safety, checked from outside: `sgpst serve` on a file database takes a stream of writes
through the API (postings, applications, acceptances, check entries, evidence) from several
clients at once and is killed with SIGKILL at random moments, then restarted. After every restart
the database must pass `PRAGMA integrity_check`, hold every write that was acknowledged (a 2xx
answer received), and have no session with two live bookings and no GP in two overlapping ones.

Usage: crash_test.py SGPST_BINARY [--kills N] [--seed S]
"""
import argparse
import datetime
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))
import demo_sign_in  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, folder, port):
        self.binary, self.folder, self.port = binary, folder, port
        self.database = os.path.join(folder, "crash.sqlite")
        self.process = None

    def start(self):
        env = dict(os.environ, SGPST_BCRYPT_COST="4")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--demo", "--database", self.database, "--port", str(self.port),
             "--mail", "outbox:" + os.path.join(self.folder, "outbox"), "--log-level", "error"],
            cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.folder, "serve.log"), "a"))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("FAIL: the server did not start; see serve.log")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def call(port, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            detail = error.read().decode(errors="replace")
            if "storage_full" not in detail:
                Acknowledged.server_errors.append(f"{method} {path}: {error.code} {detail[:200]}")
        return error.code, None


class Acknowledged:
    """Writes the server said were done, by table."""
    lock = threading.Lock()
    rows = {"clinicalSession": set(), "application": set(), "booking": set(), "credentialCheck": set(), "evidenceEntry": set()}
    server_errors = []

    @classmethod
    def add(cls, table, row_id):
        with cls.lock:
            cls.rows[table].add(row_id)

    @classmethod
    def pick(cls, table, rng):
        with cls.lock:
            return rng.choice(sorted(cls.rows[table])) if cls.rows[table] else None


def worker(port, tokens, stop, seed):
    rng = random.Random(seed)
    today = datetime.date.today()
    while not stop.is_set():
        choice = rng.random()
        try:
            if choice < 0.3:
                day = today + datetime.timedelta(days=rng.randint(7, 60))
                while day.weekday() >= 5:
                    day += datetime.timedelta(days=1)
                start, end = rng.choice([("09:00", "12:00"), ("13:30", "17:00"), ("08:30", "12:30"), ("14:00", "18:00")])
                status, body = call(port, "POST", "/api/v1/sessions", tokens["practice"],
                                    {"date": day.isoformat(), "start": start, "end": end, "rate": 95})
                if status == 201:
                    Acknowledged.add("clinicalSession", body["id"])
            elif choice < 0.5:
                session = Acknowledged.pick("clinicalSession", rng)
                if session:
                    status, body = call(port, "POST", f"/api/v1/sessions/{session}/applications", tokens["gp"])
                    if status == 201:
                        Acknowledged.add("application", body["id"])
            elif choice < 0.7:
                application = Acknowledged.pick("application", rng)
                if application:
                    status, body = call(port, "POST", f"/api/v1/applications/{application}/accept", tokens["practice"])
                    if status == 201:
                        Acknowledged.add("booking", body["id"])
            elif choice < 0.85:
                gp = rng.randint(1, 100)
                status, body = call(port, "POST", f"/api/v1/gps/{gp}/checks", tokens["liaison"],
                                    {"type": "references", "status": "verified", "verifiedOn": today.isoformat()})
                if status == 201:
                    Acknowledged.add("credentialCheck", body["id"])
            else:
                status, body = call(port, "POST", "/api/v1/gps/1/evidence", tokens["gp"],
                                    {"kind": "cpd", "title": "Update", "date": today.isoformat(),
                                     "details": {"event": "Update", "hours": 1}})
                if status == 201:
                    Acknowledged.add("evidenceEntry", body["id"])
        except (OSError, ValueError):
            # The server was killed mid-request: nothing was acknowledged.
            time.sleep(0.02)


def check(database):
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        problems = []
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        with Acknowledged.lock:
            for table, ids in Acknowledged.rows.items():
                if not ids:
                    continue
                present = {row[0] for row in connection.execute(f"SELECT id FROM {table}")}
                missing = ids - present
                if missing:
                    problems.append(f"{len(missing)} acknowledged {table} rows lost, e.g. {sorted(missing)[:5]}")
        doubles = connection.execute(
            "SELECT sessionId FROM booking WHERE status <> 'cancelled' GROUP BY sessionId HAVING COUNT(*) > 1").fetchall()
        if doubles:
            problems.append(f"sessions with two bookings: {doubles[:5]}")
        overlaps = connection.execute("""
            SELECT a.id, b.id FROM booking a JOIN booking b ON a.gpId = b.gpId AND a.id < b.id AND a.date = b.date
            WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
              AND a.startMinute < b.endMinute AND b.startMinute < a.endMinute""").fetchall()
        if overlaps:
            problems.append(f"overlapping bookings: {overlaps[:5]}")
        return problems
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    folder = tempfile.mkdtemp(prefix="sgpst-crash-")
    server = Server(os.path.abspath(arguments.binary), folder, free_port())
    server.start()
    tokens = {}
    for name, email in [("practice", "practice@demo.test"), ("gp", "gp@demo.test"), ("liaison", "liaison@demo.test")]:
        status, body = call(server.port, "POST", "/api/v1/session", body=demo_sign_in.api_body(email))
        assert status == 201, f"sign-in as {email}: {status}"
        tokens[name] = body["token"]
    for round_number in range(1, arguments.kills + 1):
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(server.port, tokens, stop, rng.random())) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.3, 1.2))
        server.kill()  # SIGKILL while the clients are mid-write
        stop.set()
        for thread in threads:
            thread.join()
        problems = check(server.database)
        if problems:
            raise SystemExit(f"FAIL after kill {round_number}: " + "; ".join(problems))
        server.start()
    server.kill()
    if Acknowledged.server_errors:
        raise SystemExit("FAIL: server errors: " + "; ".join(Acknowledged.server_errors[:5]))
    counts = {table: len(ids) for table, ids in Acknowledged.rows.items()}
    print(f"crash test: ok after {arguments.kills} SIGKILLs; acknowledged writes all present: {counts}")


if __name__ == "__main__":
    main()
