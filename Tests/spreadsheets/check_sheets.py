#!/usr/bin/env python3
"""The register's spreadsheets against programs that are not ours: openpyxl and LibreOffice.

openpyxl writes an .xlsx workbook the way a liaison officer's would be: the forms' labels as
headings (and other names for them), the forms' words as values ("GP", "Freelance / locum", "Coil
fitting"), UK dates both as real dates and as text, accented names ("Siân Ó Dónaill", "Zoë"), and a
second sheet named Checks. LibreOffice saves the same workbook as .xlsx again (its own shared
strings and styles) and as CSV files (`soffice --headless --convert-to csv`), once in Windows-1252
(what Excel's "CSV" is on Windows) and once in UTF-8. Each is imported through the command line into
a fresh database; `sgpst export --columns json` must then give, for every one, exactly what the
workbook says. A dry run names each row without
writing, a US-style date is refused by its row, and the labelled export starts with a byte-order
mark, reads back with its accents in Python's csv module and, through LibreOffice, in openpyxl, and
imports again unchanged.

Usage: Tests/spreadsheets/check_sheets.py SGPST_BINARY
Installs what it lacks: openpyxl (pip) and LibreOffice Calc (Debian's libreoffice-calc-nogui).
"""
import csv
import datetime
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def as_root(command):
    return command if os.geteuid() == 0 else ["sudo", *command]


def install_what_is_missing():
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "openpyxl"], check=True)
    if shutil.which("soffice"):
        return
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(as_root(["apt-get", "update", "-qq"]), check=True, env=environment)
    for package in ["libreoffice-calc-nogui", "libreoffice-calc"]:
        installed = subprocess.run(
            as_root(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]),
            env=environment, stdout=subprocess.DEVNULL)
        if installed.returncode == 0 and shutil.which("soffice"):
            return
    sys.exit("FAIL: could not install LibreOffice Calc (soffice)")


install_what_is_missing()
import openpyxl  # noqa: E402

ORGANISATION = "SHT"
# What the workbook says, as the JSON export must give it back (codes, ISO dates, lists with ';').
EXPECTED_GPS = {
    "7100001": {
        "name": "Siân Ó Dónaill", "profession": "gp", "kind": "freelance", "status": "active",
        "email": "sian@example.org", "localities": "Ashby Vale;Brookmere", "skills": "coil-fitting;minor-surgery",
        "usualRate": "95.50", "lastAppraisalOn": "2026-03-15", "revalidationDueOn": "2029-05-15",
        "mailshotConsent": "true",
    },
    "7100002": {
        "name": "Zoë Brown", "profession": "pharmacist", "kind": "salaried", "status": "active",
        "email": "zoe@example.org", "phone": "", "postcode": "", "localities": "Brookmere", "skills": "",
        "usualRate": "80.00", "lastAppraisalOn": "2025-06-01", "revalidationDueOn": "2030-01-31",
        "mailshotConsent": "false",
    },
    "7100003": {
        "name": "Dr José Núñez-Façade", "profession": "gp", "kind": "retainer", "status": "suspended",
        "email": "jose@example.org", "localities": "Ashby Vale", "skills": "home-visits",
        "lastAppraisalOn": "2026-11-30", "mailshotConsent": "false",
    },
}
EXPECTED_CHECKS = {
    ("7100001", "dbs"): {
        "status": "verified", "verifiedOn": "2026-01-10", "expiresOn": "2027-05-15",
        "dbsCertificateNumber": "001234567890", "dbsLevel": "enhanced",
    },
    ("7100002", "indemnity"): {"status": "verified", "verifiedOn": "2026-01-10", "expiresOn": "2027-12-31"},
}


def fail(message):
    sys.exit(f"FAIL: {message}")


def write_workbook(path):
    """The workbook a liaison officer keeps: labels and other names for the columns, words for values."""
    workbook = openpyxl.Workbook()
    gps = workbook.active
    gps.title = "GPs"
    gps.append([
        "Full name", "GMC number", "Profession", "Kind of work", "Status", "Email address", "UK phone number",
        "Postcode", "Localities", "Skills", "Usual rate", "Last appraisal", "Revalidation due", "Mailshot consent",
    ])
    gps.append([
        "Siân Ó Dónaill", 7100001, "GP", "Freelance / locum", "Active", "sian@example.org", "01632 960001",
        "ab1 2cd", "Ashby Vale; Brookmere", "Coil fitting; Minor surgery", 95.5, datetime.date(2026, 3, 15),
        "15/05/2029", "Yes",
    ])
    gps.append([
        "Zoë Brown", "7100002", "Pharmacist", "Salaried", "active", "zoe@example.org", None, None, "brookmere", None,
        80, "01/06/2025", datetime.date(2030, 1, 31), "No",
    ])
    gps.append([
        "Dr José Núñez-Façade", 7100003, "gp", "Retainer", "Suspended", "jose@example.org", None, None, "Ashby Vale",
        "Home visits", None, "30/11/2026", None, "no",
    ])
    for row in (2, 3, 4):
        gps.cell(row, 12).number_format = "DD/MM/YYYY"  # a real date shown the UK way
        gps.cell(row, 13).number_format = "DD/MM/YYYY"
    checks = workbook.create_sheet("Checks")
    checks.append(["GMC number", "Full name", "Check", "Result", "Date checked", "Expires on", "DBS number", "DBS level"])
    checks.append([
        "7100001", "Siân Ó Dónaill", "DBS check", "Verified", datetime.date(2026, 1, 10), "15/05/2027",
        "001234567890", "Enhanced",
    ])
    checks.append(["7100002", "Zoë Brown", "Indemnity", "Verified", "10/01/2026", datetime.date(2027, 12, 31), None, None])
    for row in (2, 3):
        checks.cell(row, 5).number_format = "DD/MM/YYYY"
        checks.cell(row, 6).number_format = "DD/MM/YYYY"
    workbook.save(path)


def soffice(*arguments, cwd):
    """LibreOffice headless, with a profile of its own so runs do not share (or lock) one."""
    profile = Path(cwd) / "lo-profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *arguments], cwd=cwd,
        capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        fail(f"soffice {' '.join(arguments)}: {result.stderr}")


def convert_to_csv(workbook, folder, charset):
    """Every sheet to its own CSV file, values as shown (so dates read as the sheet shows them).
    Options: comma, double quotes, the character set (1 Windows-1252, 76 UTF-8), from row 1, ..., as
    shown, ..., every sheet (-1: one file per sheet, named BOOK-SHEET.csv)."""
    folder.mkdir()
    soffice(
        "--convert-to", f"csv:Text - txt - csv (StarCalc):44,34,{charset},1,,0,false,true,true,false,false,-1",
        "--outdir", str(folder), str(workbook), cwd=folder.parent)
    return folder / f"{workbook.stem}-GPs.csv", folder / f"{workbook.stem}-Checks.csv"


class Register:
    def __init__(self, binary, folder, name):
        self.binary = binary
        self.database = str(folder / f"{name}.sqlite")
        self.run("migrate")
        self.run("organisation", "add", "--code", ORGANISATION, "--name", "Sheets ICB")
        practices = folder / "practices.csv"
        practices.write_text("ODS code,Practice name,Locality\nA81001,Riverside Surgery,Ashby Vale\n"
                             "A81002,Brook Surgery,Brookmere\n", encoding="utf-8")
        self.run("import", "practices", str(practices), organisation=True)

    def run(self, *arguments, organisation=False, check=True):
        command = [self.binary, *arguments, "--database", self.database]
        if organisation:
            command += ["--organisation", ORGANISATION]
        result = subprocess.run(command, capture_output=True, timeout=60)
        if check and result.returncode != 0:
            fail(f"{' '.join(arguments)}: {result.stderr.decode(errors='replace')}")
        return result

    def import_file(self, what, path, dry_run=False):
        arguments = ["import", what, str(path)] + (["--dry-run"] if dry_run else [])
        return self.run(*arguments, organisation=True).stdout.decode()

    def export(self, what, columns="json"):
        return self.run("export", what, "--columns", columns, organisation=True).stdout

    def gps(self):
        return {row["gmcNumber"]: row for row in csv.DictReader(io.StringIO(self.export("gps").decode()))}

    def checks(self):
        rows = csv.DictReader(io.StringIO(self.export("checks").decode()))
        return {(row["gmcNumber"], row["type"]): row for row in rows}


def check_register(register, source):
    gps = register.gps()
    if sorted(gps) != sorted(EXPECTED_GPS):
        fail(f"{source}: the register holds {sorted(gps)}, not {sorted(EXPECTED_GPS)}")
    for number, expected in EXPECTED_GPS.items():
        for field, value in expected.items():
            if gps[number][field] != value:
                fail(f"{source}: GP {number} {field} is {gps[number][field]!r}, the sheet says {value!r}")
    checks = register.checks()
    for key, expected in EXPECTED_CHECKS.items():
        if key not in checks:
            fail(f"{source}: no {key[1]} check for {key[0]} (checks: {sorted(checks)})")
        for field, value in expected.items():
            if checks[key][field] != value:
                fail(f"{source}: the {key[1]} check of {key[0]}: {field} is {checks[key][field]!r}, not {value!r}")
    return gps, checks


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = str(Path(sys.argv[1]).resolve())
    work = Path(tempfile.mkdtemp(prefix="sgpst-sheets-"))
    try:
        workbook = work / "register.xlsx"
        write_workbook(workbook)

        # The workbook through the command line: a dry run first, which names each row and writes nothing.
        from_xlsx = Register(binary, work, "xlsx")
        said = from_xlsx.import_file("gps", workbook, dry_run=True)
        for line in ["Row 2: add Siân Ó Dónaill (GP)", "Row 3: add Zoë Brown (Pharmacist)",
                     "Checks sheet, row 2: record DBS check for Siân Ó Dónaill (Verified, expires 15 May 2027)",
                     "Dry run: would add 3"]:
            if line not in said:
                fail(f"the dry run did not say {line!r}:\n{said}")
        if from_xlsx.gps():
            fail("the dry run wrote to the register")
        from_xlsx.import_file("gps", workbook)
        gps, checks = check_register(from_xlsx, "the .xlsx")

        # The same workbook saved again by LibreOffice, which writes a shared-strings table and styles of its own.
        soffice("--convert-to", "xlsx", "--outdir", str(work / "resaved"), str(workbook), cwd=work)
        resaved = Register(binary, work, "resaved")
        resaved.import_file("gps", work / "resaved" / "register.xlsx")
        if check_register(resaved, "the .xlsx LibreOffice saved") != (gps, checks):
            fail("the .xlsx LibreOffice saved and openpyxl's gave different registers")

        # The same workbook saved as CSV by LibreOffice, as Excel on Windows would (Windows-1252) and in UTF-8.
        for charset, name in [("1", "windows-1252"), ("76", "utf-8")]:
            gps_csv, checks_csv = convert_to_csv(workbook, work / name, charset)
            raw = gps_csv.read_bytes()
            if name == "windows-1252" and "Siân".encode("cp1252") not in raw:
                fail("LibreOffice did not write Windows-1252")
            register = Register(binary, work, name)
            register.import_file("gps", gps_csv)
            register.import_file("checks", checks_csv)
            other_gps, other_checks = check_register(register, f"the {name} CSV")
            if other_gps != gps or other_checks != checks:
                fail(f"the {name} CSV and the .xlsx gave different registers")

        # A date written the US way is refused by its row and column, and nothing is imported.
        us = work / "us.csv"
        us.write_text("Full name,GMC number,Last appraisal\nDr Month First,7100009,03/15/2026\n", encoding="utf-8")
        refused = from_xlsx.run("import", "gps", str(us), organisation=True, check=False)
        if refused.returncode == 0 or "Row 2, Last appraisal: Enter a real date" not in refused.stderr.decode():
            fail(f"a US date was not refused by its row: {refused.stderr.decode()}")

        # The export people open: a byte-order mark, the forms' labels and words, the accents intact.
        exported = from_xlsx.export("gps", columns="labels")
        if not exported.startswith(b"\xef\xbb\xbf"):
            fail("the export does not start with a UTF-8 byte-order mark")
        rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
        if rows[0][:3] != ["Full name", "Registration number", "Profession"]:
            fail(f"the export's headings are {rows[0]}")
        for words in [["Siân Ó Dónaill", "7100001", "GP", "Freelance / locum"], ["Zoë Brown", "7100002", "Pharmacist"]]:
            if not any(row[:len(words)] == words for row in rows):
                fail(f"the export has no row starting {words}: {rows}")
        export_csv = work / "export.csv"
        export_csv.write_bytes(exported)
        soffice("--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(work / "reopened"),
                str(export_csv), cwd=work)
        sheet = openpyxl.load_workbook(work / "reopened" / "export.xlsx").active
        cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
        if cells[0][0] != "Full name":
            fail(f"reopened, the first heading is {cells[0][0]!r} (a byte-order mark left in it?)")
        names = {row[0] for row in cells[1:]}
        if not {"Siân Ó Dónaill", "Zoë Brown", "Dr José Núñez-Façade"} <= names:
            fail(f"reopened in LibreOffice and openpyxl, the names are {names}")

        # The labelled export imports into a fresh register unchanged: nothing lost on the way round.
        again = Register(binary, work, "again")
        again.import_file("gps", export_csv)
        checks_export = work / "checks.csv"
        checks_export.write_bytes(from_xlsx.export("checks", columns="labels"))
        again.import_file("checks", checks_export)
        if again.gps() != gps or again.checks() != checks:
            fail("the labelled export did not import back to the same register")
        print("spreadsheets: ok (openpyxl and LibreOffice .xlsx, LibreOffice CSV in Windows-1252 and UTF-8, export reopened)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
