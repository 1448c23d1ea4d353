#!/usr/bin/env bash
# packaging/nginx.conf in front of a real service, with Debian's nginx: the file as shipped, only
# its ports (loopback high ports, not 80 and 443), certificate paths (a self-signed certificate
# made here) and server name replaced, inside a minimal nginx.conf of this test's own (its prefix,
# pid, logs and temporary files in a temporary folder, in the foreground). Through it: TLS with
# HTTP/2, the redirect from http, HSTS, an API sign-in, a browser sign-in whose cookies are Secure,
# the body limit at its exact size, and the per-address sign-in limit counting each client's own
# address (curl --interface 127.0.0.2 and 127.0.0.3), not nginx's, whatever X-Forwarded-For says.
#
#   bash Tests/packaging/check_nginx.sh BIN
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# = 1 ] || { echo "usage: $0 BIN (the sgpst binary to run behind nginx)" >&2; exit 2; }
bin="$(realpath "$1")"
work="$(mktemp -d)"
ngx="$work/nginx"
server_pid=""
nginx_pid=""
stop_all() {
  local pid
  for pid in "$nginx_pid" "$server_pid"; do
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  nginx_pid=""
  server_pid=""
}
cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$ngx/error.log" "$work/serve.log"; do
    if [ -s "$log" ]; then echo "--- last lines of $log" >&2; tail -n 20 "$log" >&2; fi
  done
  exit 1
}
ok() { echo "ok: $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export SGPST_BCRYPT_COST=4

# Debian's nginx: nginx-light where the release has it (Debian 12), else nginx; the package lists
# are refreshed only when an install fails, as they usually are current.
find_nginx() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
nginx_bin="$(find_nginx)"
if [ -z "$nginx_bin" ]; then
  apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; }
  apt_install nginx-light || apt_install nginx || { as_root apt-get update -qq && { apt_install nginx-light || apt_install nginx; }; } \
    || fail "could not install nginx-light or nginx with apt-get"
  nginx_bin="$(find_nginx)"
  [ -n "$nginx_bin" ] || fail "nginx was installed but no nginx binary is on the PATH or in /usr/sbin"
fi
built="$("$nginx_bin" -V 2>&1)"
grep -q -- --with-http_v2_module <<<"$built" || fail "$nginx_bin was built without HTTP/2 (--with-http_v2_module)"
ok "$("$nginx_bin" -v 2>&1)"

tls_port="$(free_port)"
http_port="$(free_port)"
service_port="$(free_port)"
while [ "$http_port" = "$tls_port" ]; do http_port="$(free_port)"; done
while [ "$service_port" = "$tls_port" ] || [ "$service_port" = "$http_port" ]; do service_port="$(free_port)"; done
base="https://localhost:$tls_port"

mkdir -p "$ngx/logs" "$ngx/temp"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 2 \
  -keyout "$ngx/privkey.pem" -out "$ngx/fullchain.pem" 2>/dev/null || fail "openssl could not make a certificate"

# The shipped file with its deployment's particulars replaced; each must be there to be replaced,
# or the file has changed shape and this test no longer tests it. The IPv6 listens are dropped: a
# test machine may have no IPv6 loopback.
site="$(cat "$root/packaging/nginx.conf")"
for expected in "listen 80;" "listen [::]:80;" "listen 443 ssl http2;" "listen [::]:443 ssl http2;" \
  "server 127.0.0.1:8080;" "ssl_certificate /etc/ssl/sgpst/fullchain.pem;" \
  "ssl_certificate_key /etc/ssl/sgpst/privkey.pem;" "server_name sgpst.example.nhs.uk;"; do
  grep -qF -- "$expected" <<<"$site" || fail "packaging/nginx.conf has no '$expected' to replace for the test"
done
site="${site//listen [::]:80;/}"
site="${site//listen [::]:443 ssl http2;/}"
site="${site//listen 80;/listen 127.0.0.1:$http_port;}"
site="${site//listen 443 ssl http2;/listen 127.0.0.1:$tls_port ssl http2;}"
site="${site//server 127.0.0.1:8080;/server 127.0.0.1:$service_port;}"
site="${site//\/etc\/ssl\/sgpst\//$ngx/}"
site="${site//server_name sgpst.example.nhs.uk;/server_name localhost;}"
site="${site//\/var\/log\/nginx\/sgpst.access.log/$ngx/logs/sgpst.access.log}"
printf '%s\n' "$site" >"$ngx/sgpst.conf"

# Run as root, nginx's workers would become nobody, who cannot write the temporary folders here.
user_line=""
if [ "$(id -u)" = 0 ]; then user_line="user root root;"; fi
mime_types=""
if [ -f /etc/nginx/mime.types ]; then mime_types="include /etc/nginx/mime.types;"; fi
cat >"$ngx/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log info;
events { worker_connections 256; }
http {
    $mime_types
    default_type application/octet-stream;
    access_log $ngx/logs/access.log;
    client_body_temp_path $ngx/temp/client_body;
    proxy_temp_path $ngx/temp/proxy;
    fastcgi_temp_path $ngx/temp/fastcgi;
    uwsgi_temp_path $ngx/temp/uwsgi;
    scgi_temp_path $ngx/temp/scgi;
    include $ngx/sgpst.conf;
}
EOF
nginx_args=(-p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log")
"$nginx_bin" "${nginx_args[@]}" -t >"$work/nginx-t.log" 2>&1 || { cat "$work/nginx-t.log" >&2; fail "nginx -t refused the configuration"; }
ok "nginx -t accepts packaging/nginx.conf (ports, certificate and server name substituted)"

"$bin" serve --database "$work/db.sqlite" --demo --port "$service_port" --base-url "$base" --trusted-proxy 127.0.0.1 \
  --resources "$root" --mail "outbox:$work/outbox" >"$work/serve.log" 2>&1 &
server_pid=$!
"$nginx_bin" "${nginx_args[@]}" -g 'daemon off;' >"$work/nginx.out" 2>&1 &
nginx_pid=$!

# curl through nginx: localhost is always 127.0.0.1 here (never ::1), -k for the self-signed certificate.
through() { curl -k -s --http2 --resolve "localhost:$tls_port:127.0.0.1" "$@"; }
for _ in $(seq 1 150); do
  [ "$(through -o /dev/null -w '%{http_code}' "$base/healthz" 2>/dev/null)" = 200 ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "sgpst serve exited before it answered"
  kill -0 "$nginx_pid" 2>/dev/null || fail "nginx exited before it answered"
  sleep 0.2
done
got="$(through -o /dev/null -w '%{http_code} %{http_version}' "$base/healthz")"
[ "$got" = "200 2" ] || fail "/healthz through nginx answered '$got', not 200 over HTTP/2"
ok "/healthz through nginx: 200 over TLS, HTTP/2"

got="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --resolve "localhost:$http_port:127.0.0.1" \
  "http://localhost:$http_port/sign-in?next=%2Fdashboard")"
[ "$got" = "301 https://localhost/sign-in?next=%2Fdashboard" ] || fail "plain http did not redirect to https: '$got'"
ok "http redirects to https (301, path and query kept)"

through -D "$work/sign-in.headers" -o "$work/sign-in.html" "$base/sign-in" || fail "GET /sign-in through nginx"
grep -q '^HTTP/2 200' "$work/sign-in.headers" || fail "/sign-in did not answer 200: $(head -n 1 "$work/sign-in.headers")"
hsts="$(grep -ci '^strict-transport-security: max-age=[1-9]' "$work/sign-in.headers" || true)"
[ "$hsts" = 1 ] || fail "/sign-in through nginx has $hsts Strict-Transport-Security headers, not one"
ok "/sign-in has one Strict-Transport-Security header"

# session EMAIL PASSWORD [CURL ARGS]: POST /api/v1/session; prints the HTTP status, then the body.
session() {
  local email="$1" password="$2"
  shift 2
  through -o "$work/session.json" -w '%{http_code}' "$@" -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$base/api/v1/session"
}
error_code() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$1" 2>/dev/null || true; }
status="$(session practice@demo.test demo-password)"
[ "$status" = 201 ] || fail "API sign-in as practice@demo.test answered $status: $(cat "$work/session.json")"
token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/session.json")"
me="$(through -f -H "Authorization: Bearer $token" "$base/api/v1/me")" || fail "/api/v1/me with the token failed"
grep -q '"role":"practice-manager"' <<<"$me" || fail "/api/v1/me with the token did not answer the practice manager: $me"
ok "API sign-in through nginx (201, token works on /api/v1/me)"

# A browser's sign-in (as scripts/load's cookie() does it): the CSRF cookie and the form's token,
# then the form posted from the service's own origin; every cookie set over https must be Secure.
jar="$work/browser.jar"
csrf="$(grep -o -m 1 'name="_csrf" value="[^"]*"' "$work/sign-in.html" | sed 's/.*value="//; s/"$//')" \
  || fail "/sign-in has no _csrf field"
grep -i '^set-cookie: sgpst_csrf=' "$work/sign-in.headers" >"$work/csrf-cookie" || fail "/sign-in set no sgpst_csrf cookie"
grep -qi '; *secure' "$work/csrf-cookie" || fail "the CSRF cookie is not Secure: $(cat "$work/csrf-cookie")"
cookie="$(sed -n 's/^[Ss]et-[Cc]ookie: \(sgpst_csrf=[^;]*\).*/\1/p' "$work/sign-in.headers" | tr -d '\r')"
status="$(through -D "$work/post.headers" -o /dev/null -w '%{http_code}' -c "$jar" -H "Cookie: $cookie" -H "Origin: $base" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "email=gp@demo.test" --data-urlencode "password=demo-password" \
  "$base/sign-in")"
[ "$status" = 303 ] || fail "the browser sign-in answered $status, not 303"
grep -i '^set-cookie: sgpst_session=' "$work/post.headers" >"$work/session-cookie" || fail "the sign-in set no sgpst_session cookie"
grep -qi '; *secure' "$work/session-cookie" || fail "the session cookie is not Secure: $(cat "$work/session-cookie")"
grep -qi '; *httponly' "$work/session-cookie" || fail "the session cookie is not HttpOnly: $(cat "$work/session-cookie")"
status="$(through -o /dev/null -w '%{http_code}' -b "$jar" "$base/dashboard")"
[ "$status" = 200 ] || fail "the dashboard with the browser's session cookie answered $status"
ok "browser sign-in through nginx (CSRF cookie and session cookie Secure, the session works)"

# The body limit, exactly: 2 MiB is read (the wrong password is answered), a byte more is refused,
# by nginx with the API's own JSON error, as the service itself refuses it. From 127.0.0.4, so these
# failures count against no address used below.
limit=$((2 * 1024 * 1024))
body() {
  python3 -c 'import sys; head = b"{\"email\":\"body@demo.test\",\"password\":\"wrong-password\"}"
sys.stdout.buffer.write(head + b" " * (int(sys.argv[1]) - len(head)))' "$1" >"$2"
}
body "$limit" "$work/at-limit.json"
body $((limit + 1)) "$work/over-limit.json"
post_body() { # FILE URL [CURL ARGS]
  local file="$1" url="$2"
  shift 2
  curl -k -s -o "$work/answer.json" -w '%{http_code}' "$@" -X POST -H 'Content-Type: application/json' \
    --data-binary "@$file" "$url"
}
status="$(post_body "$work/at-limit.json" "$base/api/v1/session" --http2 --interface 127.0.0.4 --resolve "localhost:$tls_port:127.0.0.1")"
[ "$status" = 401 ] || fail "a body of exactly 2 MiB through nginx answered $status, not 401 (read, wrong password)"
status="$(post_body "$work/over-limit.json" "$base/api/v1/session" --http2 --interface 127.0.0.4 --resolve "localhost:$tls_port:127.0.0.1" \
  -D "$work/answer.headers")"
[ "$status" = 413 ] || fail "a body of 2 MiB and a byte through nginx answered $status, not 413"
# nginx's own refusal, not the service's passed on: every answer of the service has a Content-Security-Policy.
if grep -qi '^content-security-policy:' "$work/answer.headers"; then
  fail "2 MiB and a byte was passed on to the service: nginx's client_max_body_size is above the service's 2 MiB"
fi
[ "$(error_code "$work/answer.json")" = payload_too_large ] || fail "nginx's 413 is not the API's payload_too_large: $(head -c 300 "$work/answer.json")"
status="$(post_body "$work/over-limit.json" "http://127.0.0.1:$service_port/api/v1/session")"
{ [ "$status" = 413 ] && [ "$(error_code "$work/answer.json")" = payload_too_large ]; } \
  || fail "the service itself answered $status to 2 MiB and a byte, not 413 payload_too_large"
status="$(through -o /dev/null -w '%{http_code}' --interface 127.0.0.4 -H "Origin: $base" --data-binary "@$work/over-limit.json" \
  -H 'Content-Type: application/x-www-form-urlencoded' "$base/sign-in")"
[ "$status" = 413 ] || fail "a form of 2 MiB and a byte through nginx answered $status, not 413"
# A document route reads up to 16 MiB: 3 MiB passes nginx (and is refused by the service for want
# of a sign-in), 16 MiB and a byte does not.
head -c $((3 * 1024 * 1024)) /dev/zero >"$work/3m.pdf"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero >"$work/16m.pdf"
status="$(through -o /dev/null -w '%{http_code}' --data-binary "@$work/3m.pdf" -H 'Content-Type: application/pdf' \
  "$base/api/v1/gps/1/documents")"
[ "$status" = 401 ] || fail "3 MiB to /api/v1/gps/1/documents through nginx answered $status, not 401 (passed on, no sign-in)"
status="$(through -o "$work/answer.json" -D "$work/answer.headers" -w '%{http_code}' --data-binary "@$work/16m.pdf" \
  -H 'Content-Type: application/pdf' "$base/api/v1/gps/1/documents")"
{ [ "$status" = 413 ] && [ "$(error_code "$work/answer.json")" = payload_too_large ]; } \
  || fail "16 MiB and a byte to /api/v1/gps/1/documents through nginx answered $status, not 413 payload_too_large"
if grep -qi '^content-security-policy:' "$work/answer.headers"; then
  fail "16 MiB and a byte was passed on to the service: nginx's limit for documents is above the service's 16 MiB"
fi
ok "body limit: 2 MiB read, 2 MiB + 1 byte 413 payload_too_large (nginx and the service alike); documents up to 16 MiB"

# The client's own address: twenty failed sign-ins from 127.0.0.2 (each a different email, so no
# email's own limit is reached, and each with a forged X-Forwarded-For that must not help), then
# 127.0.0.2 is refused even with the right password, while 127.0.0.3 signs in.
for i in $(seq 1 20); do
  status="$(session "nobody-$i@demo.test" wrong-password --interface 127.0.0.2 -H "X-Forwarded-For: 198.51.100.$i")"
  [ "$status" = 401 ] || fail "failed sign-in $i from 127.0.0.2 answered $status, not 401: $(cat "$work/session.json")"
done
status="$(session practice@demo.test demo-password --interface 127.0.0.2)"
[ "$status" = 429 ] || fail "after 20 failures from 127.0.0.2, its sign-in answered $status, not 429: $(cat "$work/session.json")"
[ "$(error_code "$work/session.json")" = too_many_attempts ] || fail "the 429 is not too_many_attempts: $(cat "$work/session.json")"
status="$(session practice@demo.test demo-password --interface 127.0.0.3)"
[ "$status" = 201 ] || fail "a sign-in from 127.0.0.3 answered $status, not 201: $(cat "$work/session.json")"
ok "per-address limit: 20 failures from 127.0.0.2 (forged X-Forwarded-For) lock 127.0.0.2 (429 too_many_attempts), 127.0.0.3 signs in"

# Monitoring and readiness are for this host: from 127.0.0.2 nginx refuses them, from loopback the
# service answers (it judges /metrics by the client address nginx passes on, loopback here).
for path in /metrics /readyz; do
  status="$(curl -sk -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$base$path")"
  [ "$status" = 403 ] || fail "$path from 127.0.0.2 through nginx answered $status, not 403"
  status="$(curl -sk -o /dev/null -w '%{http_code}' "$base$path")"
  [ "$status" = 200 ] || fail "$path from loopback through nginx answered $status, not 200"
done
ok "/metrics and /readyz: 403 from 127.0.0.2, 200 from loopback"

# A secret link's token never reaches nginx's access log.
curl -sk -o /dev/null "$base/calendar/secret-calendar-token-1234" || true
curl -sk -o /dev/null "$base/set-password?token=secret-query-token-5678" || true
sleep 0.5
grep -q '/calendar/-' "$ngx/logs/sgpst.access.log" || fail "the access log has no masked calendar line"
if grep -q 'secret-calendar-token-1234\|secret-query-token-5678' "$ngx/logs/sgpst.access.log"; then
  fail "a secret link's token is in nginx's access log"
fi
ok "nginx's access log keeps no secret link's token (path masked, no query)"

stop_all
echo "nginx check: ok"
