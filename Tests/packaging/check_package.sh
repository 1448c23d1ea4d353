#!/usr/bin/env bash
# The release tarball as an operator meets it: made by scripts/package around the binary given,
# unpacked into a folder of its own, and started from the root folder (cd /) with no --resources,
# so the only place the templates and static files can come from is share/sgpst beside the binary.
# Then the same tree again with share/sgpst/Templates a symlink to a folder elsewhere.
#
#   bash Tests/packaging/check_package.sh BIN
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# = 1 ] || { echo "usage: $0 BIN (the sgpst binary to package)" >&2; exit 2; }
bin="$(realpath "$1")"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
# Demo sign-ins are hashed on load: cheaply, as in every test script.
export SGPST_BCRYPT_COST=4
# The resources must be found beside the binary, not through a folder named by the environment.
unset SGPST_RESOURCES
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The tarball: named for the version git describes, one top folder, the binary and the resources.
out="$("$root/scripts/package" --binary "$bin" --to "$work")" || fail "scripts/package --binary $bin failed"
tarball="$(tail -n 1 <<<"$out")"
version="$(git -C "$root" describe --tags --always --dirty)"
name="sgpst-$version"
[ "$tarball" = "$work/$name-linux-x86_64.tar.gz" ] || fail "scripts/package's last line is not $work/$name-linux-x86_64.tar.gz: $tarball"
[ -f "$tarball" ] || fail "scripts/package named $tarball but did not make it"
listing="$(tar -tzf "$tarball")" || fail "$tarball is not a gzipped tar"
tops="$(cut -d/ -f1 <<<"$listing" | sort -u)"
[ "$tops" = "$name" ] || fail "the tarball's top folder is not just $name/: $(tr '\n' ' ' <<<"$tops")"
for entry in bin/sgpst share/sgpst/Templates/layout.mustache share/sgpst/public/sgpst.css share/sgpst/seeds/demo.json \
  share/sgpst/openapi.yaml; do
  grep -qx "$name/$entry" <<<"$listing" || fail "the tarball lacks $name/$entry"
done
ok "scripts/package made $(basename "$tarball") holding $name/bin/sgpst and $name/share/sgpst"

unpacked="$work/unpacked"
mkdir "$unpacked"
tar -C "$unpacked" -xzf "$tarball" || fail "could not unpack $tarball"
tree="$unpacked/$name"
[ -x "$tree/bin/sgpst" ] || fail "the unpacked bin/sgpst is not executable"
cmp -s "$bin" "$tree/bin/sgpst" || fail "the unpacked bin/sgpst is not the binary given"
ok "unpacked into $unpacked"

# Nothing of a run from / may land in /: the database and the outbox are named in the work folder.
for stray in /sgpst-demo.sqlite /outbox; do
  if [ -e "$stray" ]; then echo "note: $stray is there already; not checking that this run leaves it alone" >&2; fi
done
strays_before="$(ls -d /sgpst-demo.sqlite /outbox 2>/dev/null || true)"

# start LOG FOLDER COMMAND...: COMMAND run from FOLDER (its output in LOG) until /healthz on $port
# answers 200.
start() {
  local log="$1" folder="$2"
  shift 2
  base="http://127.0.0.1:$port"
  (cd "$folder" && exec "$@") >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" 2>/dev/null)" = 200 ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "$* exited before /healthz answered"; }
    sleep 0.2
  done
  cat "$log" >&2
  fail "/healthz did not answer 200 within 30 s"
}
# serve_demo TREE LOG: TREE/bin/sgpst serve --demo from /, with no --resources.
serve_demo() {
  port="$(free_port)"
  start "$2" / "$1/bin/sgpst" serve --database "$work/demo.sqlite" --demo --port "$port" --mail "outbox:$work/outbox"
}

# resources_used SHARE LOG: the start-up output says it took its resources from SHARE.
resources_used() {
  local share="$1" log="$2" real
  real="$(realpath "$share")"
  grep -Fxq -e "Resources: $share" -e "Resources: $share/" -e "Resources: $real" -e "Resources: $real/" "$log" \
    || { cat "$log" >&2; fail "the start-up output has no line 'Resources: $share'"; }
}

# pages: the sign-in page (HTML with its form) and a static file (the packaged stylesheet, byte for byte).
pages() {
  local share="$1" got
  got="$(curl -s -o "$work/sign-in.html" -w '%{http_code} %{content_type}' "$base/sign-in")"
  [[ "$got" == "200 text/html"* ]] || fail "/sign-in answered '$got', not 200 text/html"
  grep -q 'name="_csrf"' "$work/sign-in.html" || fail "/sign-in is not the sign-in form (no _csrf field)"
  got="$(curl -s -o "$work/sgpst.css" -w '%{http_code} %{content_type}' "$base/static/sgpst.css")"
  [[ "$got" == "200 text/css"* ]] || fail "/static/sgpst.css answered '$got', not 200 text/css"
  cmp -s "$work/sgpst.css" "$share/public/sgpst.css" || fail "/static/sgpst.css is not the packaged public/sgpst.css"
}

# stop: SIGTERM, then the server must be gone within 10 s with exit status 0.
stop() {
  local status
  kill -TERM "$server_pid"
  (sleep 10 && touch "$work/overdue" && kill -KILL "$server_pid" 2>/dev/null) &
  local watchdog=$!
  wait "$server_pid" && status=0 || status=$?
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  server_pid=""
  [ ! -e "$work/overdue" ] || fail "serve was still running 10 s after SIGTERM"
  [ "$status" = 0 ] || fail "serve exited $status after SIGTERM, not 0"
}

share="$tree/share/sgpst"
serve_demo "$tree" "$work/serve.log"
ok "$name/bin/sgpst serve --demo started from / without --resources; /healthz 200"
resources_used "$share" "$work/serve.log"
ok "the start-up output names the unpacked share/sgpst: Resources: $share"
pages "$share"
ok "/sign-in 200 HTML and /static/sgpst.css 200, served from the unpacked tree"
stop
ok "SIGTERM: exited 0 within 10 s"

# packaging/sgpst.service's own command line, with /opt/sgpst the unpacked tree, /var/lib/sgpst a
# folder here and a free port for 8080, run from that folder as the unit's WorkingDirectory: the
# binary takes every option the unit gives it, and the data key is made beside the database.
unit="$root/packaging/sgpst.service"
exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
[ -n "$exec_start" ] || fail "packaging/sgpst.service has no ExecStart="
grep -qx 'WorkingDirectory=/var/lib/sgpst' "$unit" || fail "packaging/sgpst.service's WorkingDirectory is not /var/lib/sgpst"
state="$work/state"
mkdir -m 0700 "$state"
port="$(free_port)"
mapfile -d '' -t command < <(python3 - "$exec_start" "$tree" "$state" "$port" <<'PYTHON'
import shlex, sys
line, tree, state, port = sys.argv[1:]
words = shlex.split(line)
if words[0] != "/opt/sgpst/bin/sgpst" or "--database" not in words or "--port" not in words:
    sys.exit("ExecStart does not run /opt/sgpst/bin/sgpst serve with --database and --port: " + line)
out = []
for i, word in enumerate(words):
    if i > 0 and words[i - 1] == "--port":
        word = port
    out.append(word.replace("/opt/sgpst/", tree + "/").replace("/var/lib/sgpst/", state + "/"))
sys.stdout.write("\0".join(out))
PYTHON
)
[ "${#command[@]}" -gt 1 ] || fail "could not read the unit's ExecStart: $exec_start"
start "$work/serve-unit.log" "$state" "${command[@]}"
ok "the unit's ExecStart (${command[*]:1:2} ...) started with the unpacked tree; /healthz 200"
resources_used "$share" "$work/serve-unit.log"
[ "$(stat -c %a "$state/sgpst.sqlite.key" 2>/dev/null)" = 600 ] || fail "no data key of mode 0600 beside the unit's database"
ok "the unit's database has its data key beside it (sgpst.sqlite.key, mode 0600)"
stop
ok "SIGTERM: exited 0 within 10 s"
# systemd's own reading of the unit, where systemd-analyze is there: anything it says is a fault.
if command -v systemd-analyze >/dev/null; then
  sed "s|/opt/sgpst/bin/sgpst|$tree/bin/sgpst|" "$unit" >"$work/sgpst.service"
  said="$(systemd-analyze verify "$work/sgpst.service" 2>&1)" || fail "systemd-analyze verify: $said"
  [ -z "$said" ] || fail "systemd-analyze verify packaging/sgpst.service: $said"
  ok "systemd-analyze verify packaging/sgpst.service: nothing to say"
else
  echo "note: no systemd-analyze here; packaging/sgpst.service not verified by systemd"
fi

# The same tree copied, with Templates moved elsewhere and linked back: a share folder an operator
# keeps on another disk, or the templates of a local build, works through a symlink.
linked="$work/linked/$name"
mkdir -p "$work/linked" "$work/elsewhere"
cp -a "$tree" "$linked"
mv "$linked/share/sgpst/Templates" "$work/elsewhere/Templates"
ln -s "$work/elsewhere/Templates" "$linked/share/sgpst/Templates"
serve_demo "$linked" "$work/serve-linked.log"
ok "the copy with share/sgpst/Templates a symlink to $work/elsewhere/Templates started; /healthz 200"
resources_used "$linked/share/sgpst" "$work/serve-linked.log"
ok "its start-up output names the copy's share/sgpst"
pages "$linked/share/sgpst"
ok "/sign-in 200 HTML (templates through the symlink) and /static/sgpst.css 200"
stop
ok "SIGTERM: exited 0 within 10 s"

strays_after="$(ls -d /sgpst-demo.sqlite /outbox 2>/dev/null || true)"
[ "$strays_after" = "$strays_before" ] || fail "a run from / wrote into /: $strays_after"
ok "nothing was written into /"
echo "package check: ok"
