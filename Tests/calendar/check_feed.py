#!/usr/bin/env python3
"""Checks the iCalendar feeds with an independent parser (the `icalendar` package).

Starts `sgpst serve --demo` on a fresh database, reads the demo GP's feed through the address the
API gives, and checks that it parses, that every event has a stable UID, UTC start and end times and
a location, and that cancelling the GP's upcoming booking turns that same event CANCELLED. Then a
practice offers the GP a session and the GP accepts: the confirmation email in the outbox is parsed by
Python's `email` package and its `session.ics` attachment by `icalendar`, with the feed's UID.
"""
import datetime
import email
import email.policy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from icalendar import Calendar

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "sgpst"


def call(base, path, token=None, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
        return json.loads(text) if response.headers.get("Content-Type", "").startswith("application/json") else text


def parse_feed(text):
    calendar = Calendar.from_ical(text)
    events = list(calendar.walk("VEVENT"))
    for event in events:
        assert str(event["UID"]).startswith("booking-"), event["UID"]
        assert event.decoded("DTSTART").tzinfo is not None, "times are absolute (UTC)"
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert str(event["LOCATION"]), "every event has a location"
    return {str(event["UID"]): str(event["STATUS"]) for event in events}


def main():
    work = Path(tempfile.mkdtemp())
    port = random.randint(20000, 40000)
    environment = dict(os.environ, SGPST_BCRYPT_COST="4")
    server = subprocess.Popen(
        [str(BINARY), "serve", "--demo", "--port", str(port), "--resources", str(ROOT)],
        cwd=work, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(base, "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        gp = call(base, "/api/v1/session", method="POST", body={"email": "gp@demo.test", "password": "demo-password"})["token"]
        url = call(base, "/api/v1/gps/1/calendar-url", token=gp)["url"]
        feed_path = url[url.index("/calendar/"):]
        before = parse_feed(call(base, feed_path))
        assert before, "the demo GP has bookings in the feed"
        bookings = call(base, "/api/v1/bookings", token=gp)["items"]
        upcoming = next(b for b in bookings if b["status"] == "confirmed")
        uid = f"booking-{upcoming['id']}@sgpst"
        assert before[uid] == "CONFIRMED", before
        call(base, f"/api/v1/bookings/{upcoming['id']}/cancel", token=gp, method="POST", body={"reason": "Feed check"})
        after = parse_feed(call(base, feed_path))
        assert after[uid] == "CANCELLED", after
        assert set(after) == set(before), "UIDs are stable: the same events, one now cancelled"
        practice = call(base, "/api/v1/session", method="POST", body={"email": "practice@demo.test", "password": "demo-password"})["token"]
        practice_url = call(base, "/api/v1/practices/1/calendar-url", token=practice)["url"]
        parse_feed(call(base, practice_url[practice_url.index("/calendar/"):]))
        print(f"calendar feeds: ok ({len(after)} events parsed by icalendar)")

        # A booking's confirmation carries the same event. A weekday within the demo GP's checks
        # (her indemnity runs out in three weeks) with no booking of hers; every part of the week free.
        days = {"weekly": [{"weekday": d, "dayParts": ["morning", "afternoon", "evening"]}
                           for d in ["monday", "tuesday", "wednesday", "thursday", "friday"]], "dates": []}
        call(base, "/api/v1/gps/1/availability", token=gp, method="PUT", body=days)
        taken = {b["date"] for b in call(base, "/api/v1/bookings", token=gp)["items"] if b["status"] == "confirmed"}
        day = next(d for d in (datetime.date.today() + datetime.timedelta(days=n) for n in range(2, 16))
                   if d.weekday() < 5 and d.isoformat() not in taken)
        session = call(base, "/api/v1/sessions", token=practice, method="POST",
                       body={"date": day.isoformat(), "start": "13:30", "end": "17:00", "rate": 90})
        offer = call(base, f"/api/v1/sessions/{session['id']}/offers", token=practice, method="POST", body={"gpId": 1})
        booking = call(base, f"/api/v1/offers/{offer['id']}/accept", token=gp, method="POST", body={})
        events = []
        for _ in range(50):
            for path in sorted((work / "outbox").glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if message["To"] and "gp@demo.test" in message["To"] and str(message["Subject"]).startswith("Confirmed"):
                    for part in message.iter_attachments():
                        if part.get_content_type() == "text/calendar":
                            assert part.get_filename() == "session.ics", part.get_filename()
                            calendar = Calendar.from_ical(part.get_content())
                            assert str(calendar["METHOD"]) == "PUBLISH"
                            events += list(calendar.walk("VEVENT"))
            if events:
                break
            time.sleep(0.1)
        assert [str(e["UID"]) for e in events] == [f"booking-{booking['id']}@sgpst"], events
        assert str(events[0]["UID"]) in parse_feed(call(base, feed_path)), "the email's event is the feed's"
        print("booking confirmation: its session.ics parsed by icalendar, with the feed's UID")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
