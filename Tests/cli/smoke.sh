#!/usr/bin/env bash
# The command-line tool end to end, as an operator uses it: migrate, add an organisation and
# sign-ins (and be told what is wrong), then `serve --demo` from an unrelated folder, sign in
# over the API, and stop the server with SIGTERM.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
swift build --product sgpst >/dev/null
bin="$root/.build/debug/sgpst"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export SGPST_BCRYPT_COST=4

db="$work/ops.sqlite"
out="$("$bin" migrate --database "$db")"
grep -q "v1-foundation" <<<"$out" || fail "migrate did not name the migration it applied: $out"
out="$("$bin" migrate --database "$db")"
grep -q "up to date" <<<"$out" || fail "a second migrate did not say it was up to date: $out"

"$bin" organisation add --database "$db" --code qkk --name "North Ward ICB" --region "North West" | grep -q "QKK" \
  || fail "organisation add"
if err="$("$bin" organisation add --database "$db" --code QKK --name "Again" 2>&1)"; then fail "duplicate code accepted"; fi
grep -q "already exists" <<<"$err" || fail "duplicate code message: $err"

if err="$("$bin" user add --database "$db" --email lo@example.org --password short --role liaison-officer --organisation QKK 2>&1)"; then
  fail "short password accepted"
fi
grep -q "at least 10 characters" <<<"$err" || fail "short password message: $err"
# The one password rule, as the command line meets it: a tab (a paste gone wrong) is refused.
if err="$("$bin" user add --database "$db" --email lo@example.org --password $'a long\tenough passphrase' --role liaison-officer --organisation QKK 2>&1)"; then
  fail "a password with a tab accepted"
fi
grep -q -- "--password: A password cannot contain control characters such as tabs or line breaks" <<<"$err" \
  || fail "control character message: $err"
"$bin" user add --database "$db" --email lo@example.org --password "a long enough passphrase" \
  --role liaison-officer --organisation QKK --name "Lee Officer" | grep -q "liaison officer" || fail "user add"
if err="$("$bin" user add --database "$db" --email pm@example.org --password "a long enough passphrase" --role practice-manager --practice Z12345 2>&1)"; then
  fail "unknown practice accepted"
fi
grep -q "No practice has the ODS code Z12345" <<<"$err" || fail "unknown practice message: $err"

# Register import: a bad file imports nothing and lists its problems by line; --dry-run writes nothing.
printf 'odsCode,name,locality\nA81001,Riverside Surgery,Northgate\n' >"$work/practices.csv"
"$bin" import practices --database "$db" --organisation QKK "$work/practices.csv" | grep -q "Added 1" || fail "import practices"
printf 'name,gmcNumber,localities\nDr Good,7200001,Northgate\nDr Bad,72,Atlantis\n' >"$work/bad.csv"
if err="$("$bin" import gps --database "$db" --organisation QKK "$work/bad.csv" 2>&1)"; then fail "a bad file imported"; fi
grep -q "Row 3, gmcNumber" <<<"$err" || fail "import problems not listed by row: $err"
grep -q "Row 3, localities" <<<"$err" || fail "import problems not all listed: $err"
printf 'name,gmcNumber,localities,phone\nDr Good,7200001,Northgate,+44 1632 960555\n' >"$work/good.csv"
"$bin" import gps --database "$db" --organisation QKK --dry-run "$work/good.csv" | grep -q "Dry run: would add 1" || fail "dry run"
"$bin" export gps --database "$db" --organisation QKK | grep -q "7200001" && fail "the dry run wrote"
"$bin" import gps --database "$db" --organisation QKK "$work/good.csv" | grep -q "Added 1" || fail "import gps"
"$bin" export gps --database "$db" --organisation QKK --to "$work/export.csv"
grep -q "Dr Good,7200001" "$work/export.csv" || fail "export gps"
grep -q "'+44 1632 960555" "$work/export.csv" || fail "the export does not guard a leading +"
"$bin" user add --database "$db" --email good@example.org --password "a long enough passphrase" --role gp --gmc 7200001 \
  | grep -q "gp" || fail "user add --role gp --gmc"
# A nurse, by her NMC PIN, imported and linked with --registration (the alias of --gmc).
printf 'Full name,Registration number,Profession\nNia Nurse,12A3456E,Nurse\n' >"$work/nurse.csv"
"$bin" import gps --database "$db" --organisation QKK "$work/nurse.csv" | grep -q "Added 1" || fail "import a nurse by label"
"$bin" user add --database "$db" --email nia@example.org --password "a long enough passphrase" --role gp \
  --registration 12a3456e | grep -q "gp" || fail "user add --registration (an NMC PIN)"

# A --trusted-proxy range that is wrong stops serve before it starts, saying why.
if err="$(timeout 20 "$bin" serve --database "$work/proxy.sqlite" --trusted-proxy 10.0.0.0/33 2>&1)"; then
  fail "a bad --trusted-proxy accepted"
fi
grep -q "prefix length of an IPv4 range is a whole number from 0 to 32" <<<"$err" || fail "bad --trusted-proxy message: $err"

# serve --demo from a folder that is not the repository: resources are found beside the binary.
port=$((20000 + RANDOM % 20000))
cd "$work"
"$bin" serve --demo --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' || { cat "$work/serve.log"; fail "healthz"; }
[ -f "$work/sgpst-demo.sqlite" ] || fail "serve --demo did not create ./sgpst-demo.sqlite"
grep -q "liaison@demo.test" "$work/serve.log" || fail "serve --demo did not print the demo sign-ins"
token="$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d '{"email":"practice@demo.test","password":"demo-password"}' "http://127.0.0.1:$port/api/v1/session" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me" | grep -q '"role":"practice-manager"' \
  || fail "/api/v1/me as the demo practice manager"
if "$bin" demo --database "$work/sgpst-demo.sqlite" >/dev/null 2>&1; then fail "demo loaded twice"; fi

# An online backup while the server runs, verified by restoring it into a scratch file; then a restore.
out="$("$bin" backup --database "$work/sgpst-demo.sqlite" --to "$work/nightly.sqlite" --verify)" || fail "backup: $out"
grep -q "Verified: restored into a scratch file, integrity ok" <<<"$out" || fail "backup --verify: $out"
if "$bin" restore --from "$work/nightly.sqlite" --database "$work/sgpst-demo.sqlite" >/dev/null 2>&1; then
  fail "restore replaced a database without --force"
fi
"$bin" restore --from "$work/nightly.sqlite" --database "$work/restored.sqlite" | grep -q "integrity ok" || fail "restore"

kill -TERM "$server_pid"
wait "$server_pid" && status=0 || status=$?
server_pid=""
[ "$status" = 0 ] || fail "serve did not stop cleanly on SIGTERM (exit $status)"
echo "cli smoke: ok"
