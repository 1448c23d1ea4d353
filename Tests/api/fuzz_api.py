#!/usr/bin/env python3
"""The API under fuzzing: schemathesis against a live sgpst with the demo data, signed in as each role.

Starts `sgpst serve --demo` on a loopback port with a fresh database, takes a bearer token for each
demo role, and runs schemathesis over `/api/v1/openapi.json` with each: no response may be a 5xx, and
every status, content type and body must match the document. Afterwards the database must pass its
integrity check and keep every row of the tables no route deletes from.

usage: fuzz_api.py path/to/sgpst [--examples N]
"""
import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))
import demo_sign_in  # noqa: E402

ROLES = ["liaison@demo.test", "mentor@demo.test", "practice@demo.test", "gp@demo.test", "admin@demo.test",
         "supervisor@demo.test"]
# Rows no API route deletes: fuzzing may add to them, never take away.
KEPT = ["organisation", "practice", "gp", "user", "credentialCheck", "clinicalSession", "booking", "feedbackCard",
        "auditEvent", "supportCase", "progressReport"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def counts(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in KEPT}


def token(base, email):
    request = urllib.request.Request(
        base + "/api/v1/session", method="POST", headers={"content-type": "application/json"},
        data=json.dumps(demo_sign_in.api_body(email)).encode())
    with urllib.request.urlopen(request) as response:
        return json.load(response)["token"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sgpst")
    parser.add_argument("--examples", type=int, default=8)
    parser.add_argument("--only", nargs="*", help="the demo sign-ins to fuzz as (all six unless named)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="sgpst-fuzz-")
    database = os.path.join(folder, "fuzz.sqlite")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = dict(os.environ, SGPST_BCRYPT_COST="4")
    server = subprocess.Popen(
        [args.sgpst, "serve", "--demo", "--database", database, "--port", str(port), "--resources", ".",
         "--mail", f"outbox:{folder}/outbox", "--log-level", "error"],
        env=environment, stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "server.log"), "w"))
    failures = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        before = counts(database)
        for email in [role for role in ROLES if not args.only or role in args.only]:
            bearer = token(base, email)
            print(f"== schemathesis as {email}", flush=True)
            command = [
                sys.executable, "-m", "schemathesis.cli", "run", base + "/api/v1/openapi.json", "--url", base,
                "-H", f"Authorization: Bearer {bearer}",
                # Signing out would end the token halfway through the run.
                "--exclude-path", "/api/v1/session",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                            "response_schema_conformance",
                "--max-examples", str(args.examples), "--workers", "2", "--seed", "2026", "--no-color"]
            run = subprocess.run(command, capture_output=True, text=True, timeout=900)
            # CPython 3.11's parser can trip over itself when hypothesis describes a lambda in two
            # threads at once ("AST constructor recursion depth mismatch"): an error inside the
            # fuzzer, not an answer of ours. Such a run, with no failed check, is run again with one
            # worker, where no two threads can race (the same seed, so the same cases).
            if (run.returncode != 0 and "AST constructor recursion depth mismatch" in run.stdout
                    and "= FAILURES =" not in run.stdout):
                print("  (the fuzzer itself failed: running again with one worker)", flush=True)
                single = [("1" if previous == "--workers" else part) for previous, part in zip([""] + command, command)]
                run = subprocess.run(single, capture_output=True, text=True, timeout=1200)
            summary = [line for line in run.stdout.splitlines() if "generated" in line or "passed" in line]
            print("\n".join(summary[-2:]))
            if run.returncode != 0:
                failures.append(email)
                # The failures and errors come before the long list of warnings: show those first.
                start = min([i for i in (run.stdout.find("= FAILURES ="), run.stdout.find("= ERRORS =")) if i >= 0],
                            default=max(0, len(run.stdout) - 6000))
                print(run.stdout[start:start + 8000])
        if server.poll() is not None:
            failures.append("the server stopped")
        after = counts(database)
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            failures.append(f"integrity_check: {integrity}")
        for table in KEPT:
            if after[table] < before[table]:
                failures.append(f"{table} lost rows: {before[table]} → {after[table]}")
        print(f"integrity {integrity}; rows kept: " + ", ".join(f"{t} {before[t]}→{after[t]}" for t in KEPT))
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("every role's fuzzing passed")


if __name__ == "__main__":
    main()
