"""A real sgpst server for the checks under Tests/ops: started with the demo data on a free port,
asked over HTTP, stopped (killed when it does not stop), and one way to fail with a message."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base, path, body=None, token=None):
    """(status, headers, text) of a GET, or of a POST of `body` as JSON; bearer `token` if given."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def serve(binary, database, work, log_path, *options):
    """`binary serve --demo` on `database` and a free port, its log (standard error) in `log_path`
    and what it prints (the demo's sign-ins) beside it in `log_path`.out; (process, base) once
    /healthz answers 200."""
    port = free_port()
    with open(log_path, "w") as log, open(log_path + ".out", "w") as printed:
        process = subprocess.Popen(
            [binary, "serve", "--database", database, "--demo", "--port", str(port), "--resources", ROOT,
             "--mail", f"outbox:{work}/outbox", *options],
            stdout=printed, stderr=log, env=dict(os.environ, SGPST_BCRYPT_COST="4"), cwd=work)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            fail(f"the server on {database} exited with {process.returncode}: see {log_path}")
        try:
            if call(base, "/healthz")[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    fail(f"the server on {database} did not answer /healthz")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        fail("the server did not stop within 15 s of SIGTERM")
