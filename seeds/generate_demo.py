#!/usr/bin/env python3
"""Writes seeds/demo.json: the fictional DEMO1 organisation that `sgpst serve --demo` loads.

Deterministic (fixed seed), so the committed file only changes when this script does.
Every name, ODS code, GMC number, email and phone number is invented: ODS codes use the
unused Z9 prefix, GMC numbers the 99xxxxx range, emails the .test domain and phone numbers
Ofcom's drama range 01632 96xxxx.
"""
import json
import random
from pathlib import Path

rng = random.Random(20261122)

LOCALITIES = ["Ashby Vale", "Brookmere", "Castlewick", "Dunmore Heath", "Elmsford"]
PRACTICE_WORDS = ["Surgery", "Medical Centre", "Health Centre", "Family Practice", "Group Practice"]
PLACES = [
    "Abbey Road", "Beacon Hill", "Bridge Street", "Cedar Park", "Church Lane", "Clover Fields",
    "Deer Park", "Eastgate", "Fernbank", "Foxhollow", "Glebe House", "Greenway", "Hawthorn",
    "Heathside", "Holly Tree", "Kingfisher", "Lakeside", "Larkrise", "Linden", "Maple Grove",
    "Market Square", "Meadowbank", "Mill Lane", "Northgate", "Oakwood", "Orchard", "Parkside",
    "Priory", "Queensway", "Riverside", "Rosewood", "St Aldhelm's", "Station Road", "The Limes",
    "Victoria", "Westfield", "Willow Bank", "Windmill", "Woodlands", "Yew Tree",
]
FIRST = [
    "Aisha", "Ben", "Catrin", "Daniel", "Eleanor", "Farhan", "Grace", "Hamish", "Imogen", "Jonah",
    "Kavita", "Liam", "Maya", "Niall", "Olivia", "Priya", "Rory", "Sana", "Tom", "Ursula", "Vikram",
    "Winifred", "Yusuf", "Zara", "Adebayo", "Bronwen", "Chidi", "Delyth", "Ewan", "Fatima",
]
LAST = [
    "Achterberg", "Baptiste", "Carrow", "Delaney", "Esterhuizen", "Fairbairn", "Gallacher",
    "Hollings", "Iqbal", "Jaworski", "Kettering", "Lowther", "Mbeki", "Nakamura", "Okonjo",
    "Penhaligon", "Quarrie", "Rasmussen", "Sandilands", "Trevelyan", "Umberton", "Varga",
    "Whitcombe", "Xiong", "Yardley", "Zielinski",
]

practices = []
for index, place in enumerate(PLACES):
    practices.append({
        "odsCode": f"Z9{index + 1:04d}",
        "name": f"{place} {rng.choice(PRACTICE_WORDS)}",
        "locality": LOCALITIES[index % len(LOCALITIES)],
        "address": f"{rng.randint(1, 120)} {place} Road, {LOCALITIES[index % len(LOCALITIES)]}",
        "postcode": f"ZZ{index % 9 + 1} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
        "phone": f"01632 960{100 + index:03d}",
        "email": f"z9{index + 1:04d}@practice.demo.test",
        "clinicalSystem": rng.choice(["EMIS Web", "SystmOne"]),
    })
practices[0]["pack"] = {
    "arrival": "Park in bays 10-12 behind the building. Report to reception by 08:15; the duty receptionist shows you round.",
    "systems": "EMIS Web. Your smartcard is enabled on arrival; a locum login is set up by the practice manager.",
    "contacts": "Duty doctor: ext 201. Practice manager Janet Cole: ext 210. Nurse team: ext 230.",
    "referrals": "Two-week-wait by e-RS with the local pro forma; urgent referrals by phone, then e-RS the same day.",
    "protocols": "Local formulary on the desktop. Repeat prescriptions are signed by the duty doctor only.",
    "emergencies": "Defibrillator and oxygen in the treatment room. Panic button under each desk. Fire exit at rear.",
}

kinds = ["freelance"] * 55 + ["salaried"] * 25 + ["retainer"] * 12 + ["returner"] * 8
statuses = ["active"] * 88 + ["applicant"] * 6 + ["suspended"] * 2 + ["left"] * 4
professions = ["gp"] * 96 + ["nurse"] * 2 + ["pharmacist"] * 2
rng.shuffle(kinds)
rng.shuffle(statuses)
rng.shuffle(professions)
gps = []
used_names = set()
for index in range(100):
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used_names:
            used_names.add(name)
            break
    first, last = name.lower().split(" ")
    gps.append({
        "name": f"Dr {name}" if professions[index] == "gp" else name,
        "gmcNumber": f"99{index + 1:05d}",
        "profession": professions[index],
        "kind": kinds[index],
        "status": statuses[index],
        "email": f"{first}.{last}@demo.test",
    })
SKILLS = ["minor-surgery", "coil-fitting", "implant-fitting", "joint-injections", "child-health-surveillance",
          "out-of-hours", "telephone-triage", "home-visits"]
CHECKS = ["gmc-registration", "performers-list", "indemnity", "dbs", "hepatitis-b", "right-to-work", "references",
          "appraisal"]
for index, gp in enumerate(gps):
    gp["phone"] = f"01632 96{index:04d}"[:12]
    gp["postcode"] = f"ZZ{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
    gp["localities"] = sorted(rng.sample(LOCALITIES, rng.randint(1, 3)))
    gp["skills"] = sorted(rng.sample(SKILLS, rng.randint(0, 3)))
    gp["maxSessionsPerWeek"] = rng.randint(2, 9)
    gp["usualRate"] = rng.choice([80, 85, 90, 92.5, 95, 100, 105, 110])
    gp["appraisalMonth"] = rng.randint(1, 12)
    gp["mailshotConsent"] = rng.random() < 0.8
    checks = []
    if gp["status"] in ("active", "suspended", "left"):
        for check in CHECKS:
            expires = rng.randint(60, 900)
            roll = rng.random()
            if roll < 0.06:
                expires = rng.randint(3, 40)      # expiring soon: on the dashboards
            elif roll < 0.09:
                expires = -rng.randint(1, 30)     # lapsed: not cleared
            if check == "dbs" and rng.random() < 0.03:
                continue                          # missing: not cleared
            checks.append({"type": check, "verifiedDaysAgo": rng.randint(20, 300), "expiresInDays": expires})
    elif gp["status"] == "applicant":
        gp["applicationNote"] = "I have just moved to the area and would like to join the sessional GP register."
    gp["checks"] = checks

# The demo GP sign-in belongs to an active freelance GP.
gps[0].update({"name": "Dr Amelia Hartwell", "kind": "freelance", "status": "active", "profession": "gp",
               "email": "gp@demo.test", "mailshotConsent": True, "skills": ["coil-fitting", "minor-surgery"],
               "localities": ["Ashby Vale", "Brookmere"],
               "checks": [{"type": c, "verifiedDaysAgo": 90, "expiresInDays": 20 if c == "indemnity" else 400}
                          for c in CHECKS]})

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
for gp in gps:
    if gp["status"] != "active":
        continue
    days = sorted(rng.sample(WEEKDAYS[:5], rng.randint(2, 5)), key=WEEKDAYS.index)
    gp["availability"] = [{"weekday": day, "dayParts": sorted(rng.sample(["morning", "afternoon", "evening"], rng.randint(1, 3)),
                                                                key=["morning", "afternoon", "evening"].index)}
                          for day in days]
gps[0]["availability"] = [{"weekday": day, "dayParts": ["morning", "afternoon"]} for day in WEEKDAYS[:5]]

# Sessions from four weeks ago to three weeks ahead (offsets from the day the demo is loaded).
SLOTS = [("08:30", "12:30", "surgery"), ("13:30", "17:30", "surgery"), ("09:00", "12:00", "clinic"),
         ("14:00", "16:00", "home-visits"), ("18:30", "21:00", "extended-hours"), ("08:00", "11:00", "telephone-triage")]
active_gps = [gp for gp in gps if gp["status"] == "active"]
booked_days = set()
sessions = []
for index in range(60):
    offset = rng.randint(-28, 21)
    start, end, kind = rng.choice(SLOTS)
    practice = rng.choice(practices)
    session = {"practice": practice["odsCode"], "dayOffset": offset, "start": start, "end": end, "kind": kind,
               "rate": rng.choice([85, 90, 95, 100, 110]), "requiredSkills": []}
    if rng.random() < 0.15:
        session["requiredSkills"] = [rng.choice(["minor-surgery", "coil-fitting", "joint-injections"])]
    if rng.random() < (0.7 if offset < 0 else 0.3):
        for _ in range(20):
            gp = rng.choice(active_gps)
            if (gp["gmcNumber"], offset) not in booked_days and practice["locality"] in gp["localities"]:
                booked_days.add((gp["gmcNumber"], offset))
                session["bookedBy"] = gp["gmcNumber"]
                break
    sessions.append(session)
# The demo GP has a booking next week at the demo practice, so the pack and the calendar show.
sessions.append({"practice": practices[0]["odsCode"], "dayOffset": 8, "start": "08:30", "end": "12:30", "kind": "surgery",
                 "rate": 95, "requiredSkills": [], "bookedBy": gps[0]["gmcNumber"]})
# ... and two past sessions there: the practice has filled in one feedback card, the other is waiting.
sessions.append({"practice": practices[0]["odsCode"], "dayOffset": -16, "start": "13:30", "end": "17:30", "kind": "surgery",
                 "rate": 95, "requiredSkills": [], "bookedBy": gps[0]["gmcNumber"],
                 "feedback": {"ratings": {"clinical-care": 5, "record-keeping": 4, "communication-with-patients": 5,
                                          "working-with-the-practice-team": 4, "reliability-and-punctuality": 5},
                              "comment": "Thorough, kind with patients, and clear notes. Please let reception know "
                                         "before starting home visits next time."}})
sessions.append({"practice": practices[0]["odsCode"], "dayOffset": -2, "start": "08:30", "end": "12:30", "kind": "surgery",
                 "rate": 95, "requiredSkills": [], "bookedBy": gps[0]["gmcNumber"]})
# Work waiting on each dashboard: the demo practice has offered the demo GP a clinic, and she has applied
# for one of its surgeries (weekday afternoons, which she works, whatever day the demo is loaded) ...
sessions.append({"practice": practices[0]["odsCode"], "dayOffset": 3, "weekdayOnly": True, "start": "13:30",
                 "end": "17:00", "kind": "clinic", "rate": 100, "requiredSkills": [], "offeredTo": gps[0]["gmcNumber"]})
sessions.append({"practice": practices[0]["odsCode"], "dayOffset": 10, "weekdayOnly": True, "start": "13:30",
                 "end": "17:30", "kind": "surgery", "rate": 95, "requiredSkills": [], "appliedBy": [gps[0]["gmcNumber"]]})
# ... and a practice's card about a GP it had last week raised a serious concern, open for the mentor.
next(s for s in sessions if "bookedBy" in s and -7 <= s["dayOffset"] < 0)["feedback"] = {
    "ratings": {"clinical-care": 3, "record-keeping": 2, "communication-with-patients": 3,
                "working-with-the-practice-team": 2, "reliability-and-punctuality": 1},
    "comment": "Arrived an hour late and left before the end of the list; two patients were sent home unseen.",
    "concern": {"severity": "serious",
                "details": "Patients waited over an hour and two went home unseen. This is the second late start we know of."}}

users = [
    {"email": "admin@demo.test", "displayName": "Sam Okafor (administrator)", "role": "administrator"},
    {"email": "liaison@demo.test", "displayName": "Helen Marsh", "role": "liaison-officer", "scope": "DEMO1"},
    {"email": "mentor@demo.test", "displayName": "Dr Rajesh Patel", "role": "mentor", "scope": "DEMO1"},
    {"email": "supervisor@demo.test", "displayName": "Dr Grace Whitlow", "role": "educational-supervisor",
     "scope": "DEMO1"},
    {"email": "practice@demo.test", "displayName": "Janet Cole", "role": "practice-manager",
     "scope": practices[0]["odsCode"]},
    {"email": "practice2@demo.test", "displayName": "Owen Price", "role": "practice-manager",
     "scope": practices[1]["odsCode"]},
    {"email": "gp@demo.test", "displayName": "Dr Amelia Hartwell", "role": "gp", "scope": gps[0]["gmcNumber"]},
]

# The demo GP's evidence log: CPD, a learning need and an audit of her referrals (two shared with the mentor).
evidence = [
    {
        "gmcNumber": "9900001",
        "kind": "cpd",
        "title": "Dermatology update for primary care",
        "dayOffset": -60,
        "details": {
            "event": "Regional dermatology update",
            "hours": 6,
            "learning": "Dermoscopy basics; when to refer pigmented lesions"
        },
        "tags": [
            "dermatology"
        ],
        "sharedWithMentor": True
    },
    {
        "gmcNumber": "9900001",
        "kind": "cpd",
        "title": "Safeguarding children level 3",
        "dayOffset": -30,
        "details": {
            "event": "Safeguarding children level 3 (online)",
            "hours": 4
        }
    },
    {
        "gmcNumber": "9900001",
        "kind": "learning-need",
        "title": "New weight-loss injections",
        "dayOffset": -20,
        "details": {
            "pun": "A patient asked whether she could have a weight-loss injection",
            "den": "Current prescribing criteria and local pathway",
            "howMet": "Read the NICE technology appraisal and the local pathway"
        }
    },
    {
        "gmcNumber": "9900001",
        "kind": "referral-audit",
        "title": "Two-week-wait referrals, spring",
        "dayOffset": -90,
        "details": {
            "periodFrom": "2026-03-01",
            "periodTo": "2026-05-31",
            "numberReviewed": 24,
            "findings": "22 of 24 met the NICE NG12 criteria; two lacked the examination findings",
            "changeMade": "Use the local template, which asks for the examination"
        },
        "sharedWithMentor": True
    }
]

demo = {
    "organisation": {"code": "DEMO1", "name": "Wealdmoor Integrated Care Board", "region": "South East"},
    "password": "demo-password",
    "secondFactorSecret": "sgpst-demo-authkey-1",
    "practices": practices,
    "gps": gps,
    "users": users,
    "sessions": sessions,
    "evidence": evidence,
}
Path(__file__).with_name("demo.json").write_text(json.dumps(demo, indent=2) + "\n")
