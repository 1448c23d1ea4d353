#!/usr/bin/env python3
"""The weekly mailshot against a real SMTP server (aiosmtpd) on loopback.

1. Plain session with AUTH: every consenting GP gets exactly one message, which parses with Python's
   email package, has a text and an HTML part and the headers RFC 5322 and RFC 8058 ask for; a 4xx
   answer is retried and delivered, a 5xx answer is recorded against that recipient only.
2. STARTTLS required, with a self-signed certificate the client is told to trust.
3. The send is killed (SIGKILL) halfway and run again: nobody gets the mailshot twice.

Usage: check_smtp.py SGPST_BINARY
"""
import asyncio
import email
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SGPST = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ, SGPST_BCRYPT_COST="4", SGPST_RESOURCES=ROOT)
WEEK = "2026-W50"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """Keeps every message; answers 451 once for one address and 550 always for another."""

    def __init__(self, temporary=None, refused=None, delay=0.0):
        self.messages = []
        self.temporary = temporary
        self.refused = refused
        self.delay = delay
        self.deferred = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 mailbox unavailable"
        if address == self.temporary and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append((envelope.rcpt_tos[0], envelope.original_content))
        return "250 queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"relayuser" and auth_data.password == b"relay pass"
    return AuthResult(success=ok)


def demo_database(folder):
    path = os.path.join(folder, "demo.sqlite")
    subprocess.run([SGPST, "demo", "--database", path], check=True, env=ENV, stdout=subprocess.DEVNULL)
    with sqlite3.connect(path) as db:
        consenting = {row[0] for row in db.execute(
            "SELECT email FROM gp WHERE mailshotConsent = 1 AND status = 'active' AND email IS NOT NULL")}
    return path, consenting


def send(path, mail, *, check=True):
    return subprocess.run(
        [SGPST, "mailshot", "send", "--database", path, "--organisation", "DEMO1", "--week", WEEK, "--mail", mail,
         "--mail-from", "support@wealdmoor.test", "--base-url", "https://sgpst.test"],
        env=ENV, capture_output=True, text=True, check=check)


def check_message(raw, to):
    message = email.message_from_bytes(raw, policy=policy.default)
    for header in ["From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"]:
        assert message[header], f"{to}: no {header} header"
    assert message["To"].addresses[0].addr_spec == to, (message["To"], to)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://sgpst.test/unsubscribe/")
    assert email.utils.parsedate_to_datetime(message["Date"]) is not None
    assert message.get_content_type() == "multipart/alternative", message.get_content_type()
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"], parts
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "WORK AVAILABLE" in text and "Unsubscribe" in html and "<script" not in html.lower()


def plain_session_with_auth(folder):
    path, consenting = demo_database(folder)
    ordered = sorted(consenting)
    relay = Relay(temporary=ordered[1], refused=ordered[2])
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    try:
        result = send(path, f"smtp://relayuser:relay%20pass@127.0.0.1:{port}")
    finally:
        controller.stop()
    print(result.stdout.strip())
    received = Counter(to for to, _ in relay.messages)
    assert set(received) == consenting - {ordered[2]}, "every consenting GP but the refused one"
    assert all(count == 1 for count in received.values()), "nobody twice"
    assert ordered[1] in received, "the 451 was retried"
    assert f"failed: {ordered[2]}" in result.stdout and "550" in result.stdout, result.stdout
    for to, raw in relay.messages:
        check_message(raw, to)
    # Running it again sends nothing.
    relay.messages.clear()
    controller = Controller(relay, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    try:
        again = send(path, f"smtp://relayuser:relay%20pass@127.0.0.1:{port}")
    finally:
        controller.stop()
    assert not relay.messages, "a sent mailshot sends nothing"
    print(f"plain + AUTH: {len(received)} delivered, one 4xx retried, one 5xx recorded; re-run: {again.stdout.strip()}")


def starttls_required(folder):
    path, consenting = demo_database(folder)
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    relay = Relay()
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True)
    controller.start()
    try:
        # In the clear this relay offers no sign-in: the send stops, names the reason, and keeps every
        # message to send once the setting is fixed.
        refused = send(path, f"smtp://relayuser:relay%20pass@localhost:{port}", check=False)
        assert refused.returncode != 0 and "sign-in" in refused.stderr, refused.stderr
        assert not relay.messages
        result = send(path, f"smtp://relayuser:relay%20pass@localhost:{port}?starttls=required&ca={cert}")
    finally:
        controller.stop()
    received = Counter(to for to, _ in relay.messages)
    assert set(received) == consenting and all(count == 1 for count in received.values()), result.stdout
    print(f"STARTTLS: {len(received)} delivered over TLS after a refused run in the clear ({refused.stderr.strip()})")


def killed_halfway(folder):
    path, consenting = demo_database(folder)
    relay = Relay(delay=0.05)
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        process = subprocess.Popen(
            [SGPST, "mailshot", "send", "--database", path, "--organisation", "DEMO1", "--week", WEEK,
             "--mail", f"smtp://127.0.0.1:{port}", "--base-url", "https://sgpst.test"],
            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while len(relay.messages) < len(consenting) // 2 and time.time() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        before = len(relay.messages)
        assert 0 < before < len(consenting), before
        time.sleep(0.3)
        # The killed sender's lease (2 minutes) is still held: a second run waits for it...
        waiting = send(path, f"smtp://127.0.0.1:{port}", check=False)
        assert waiting.returncode != 0 and "being sent right now" in waiting.stderr, waiting.stderr
        # ...so age the lease as two minutes passing would, and resume.
        with sqlite3.connect(path) as db:
            db.execute("UPDATE mailshot SET sendLeaseUntil = '2000-01-01 00:00:00.000'")
        result = send(path, f"smtp://127.0.0.1:{port}")
    finally:
        controller.stop()
    received = Counter(to for to, _ in relay.messages)
    assert all(count == 1 for count in received.values()), [to for to, n in received.items() if n > 1]
    missing = consenting - set(received)
    assert len(missing) <= 1, missing
    print(f"killed after {before} of {len(consenting)}: resumed, {len(received)} delivered once each, "
          f"{len(missing)} reported as interrupted; {result.stdout.strip().splitlines()[0]}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        for name, check in [("plain", plain_session_with_auth), ("tls", starttls_required), ("kill", killed_halfway)]:
            os.makedirs(os.path.join(folder, name))
            check(os.path.join(folder, name))
    print("SMTP checks passed")
