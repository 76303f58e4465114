#!/bin/sh
# Bootstrap and serve Debian's Keystone (MariaDB + fernet) in one container.
set -eu

: "${KEYSTONE_PORT:=5000}"
: "${KEYSTONE_URL:=http://$(hostname -i | cut -d' ' -f1):${KEYSTONE_PORT}/v3}"
: "${KEYSTONE_INTERNAL_URL:=$KEYSTONE_URL}"
: "${KEYSTONE_ADMIN_URL:=$KEYSTONE_URL}"
: "${KEYSTONE_REGION:=RegionOne}"
: "${KEYSTONE_ADMIN_PASSWORD:=admin}"
: "${KEYSTONE_DEMO_PASSWORD:=demo}"
# Non-admin users, each with its own project and the member role. Tempest with
# static accounts needs 2 per concurrent worker (primary + alt).
: "${KEYSTONE_MEMBERS:=demo alt_demo demo2 alt_demo2}"
: "${KEYSTONE_WORKERS:=2}"

READY=/run/keystone-ready
rm -f "$READY"

# Local MariaDB via Debian's init script; database and user are idempotent.
service mariadb start >/dev/null
mariadb <<'SQL'
CREATE DATABASE IF NOT EXISTS keystone;
CREATE USER IF NOT EXISTS keystone@localhost IDENTIFIED BY 'keystone';
GRANT ALL PRIVILEGES ON keystone.* TO keystone@localhost;
SQL

manage() { runuser -u keystone -- keystone-manage "$@"; }
manage db_sync
manage fernet_setup
manage credential_setup
# Idempotent: re-running updates the admin password and endpoint URLs.
manage bootstrap \
    --bootstrap-password "$KEYSTONE_ADMIN_PASSWORD" \
    --bootstrap-username admin \
    --bootstrap-project-name admin \
    --bootstrap-role-name admin \
    --bootstrap-service-name keystone \
    --bootstrap-region-id "$KEYSTONE_REGION" \
    --bootstrap-public-url "$KEYSTONE_URL" \
    --bootstrap-internal-url "$KEYSTONE_INTERNAL_URL" \
    --bootstrap-admin-url "$KEYSTONE_ADMIN_URL"

# "Connection: close": uwsgi's http-socket does no keep-alive; without it,
# clients that reuse a pooled connection get "connection reset by peer".
# Keystone 30 (2026.2) has no keystone-wsgi-public script: its WSGI module instead.
app="--wsgi-file /usr/bin/keystone-wsgi-public"
[ -e /usr/bin/keystone-wsgi-public ] || app="--module keystone.wsgi.api:application"
uwsgi --plugin python3 --http-socket "${KEYSTONE_BIND_IP:-127.0.0.1}:$KEYSTONE_PORT" \
    $app --need-app \
    --uid keystone --gid keystone --master --die-on-term --lazy-apps \
    --processes "$KEYSTONE_WORKERS" --threads 1 \
    --add-header "Connection: close" --buffer-size 65535 &
pid=$!
trap 'kill -TERM $pid; wait $pid; service mariadb stop >/dev/null; exit' INT TERM

# Wait for the API, then create the non-admin users. uwsgi exits at once when the port is taken; the
# shell reaps it only in `wait`, so "alive" means "not a zombie" (kill -0 succeeds on a zombie).
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
LOCAL=http://127.0.0.1:$KEYSTONE_PORT/v3
until python3 -c "import urllib.request as u; u.urlopen('$LOCAL', timeout=5)" 2>/dev/null; do
    alive $pid || { echo "keystone: uwsgi exited (is port $KEYSTONE_PORT taken?)" >&2; exit 1; }
    sleep 0.5
done
alive $pid || { echo "keystone: uwsgi exited (is port $KEYSTONE_PORT taken?)" >&2; exit 1; }

# Create the non-admin members through the REST API: any password works, whatever its quoting.
python3 - "$LOCAL" "$KEYSTONE_ADMIN_PASSWORD" "$KEYSTONE_DEMO_PASSWORD" $KEYSTONE_MEMBERS <<'PY'
import json, sys, urllib.request
url, admin_pw, member_pw, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def call(method, path, body=None, token=None):
    req = urllib.request.Request(url + path, json.dumps(body).encode() if body else None, method=method,
                                 headers={"Content-Type": "application/json", **({"X-Auth-Token": token} if token else {})})
    with urllib.request.urlopen(req) as r:
        data = r.read()
        return r.headers.get("X-Subject-Token"), (json.loads(data) if data else None)
token, _ = call("POST", "/auth/tokens", {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "admin", "domain": {"id": "default"}, "password": admin_pw}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
role = call("GET", "/roles?name=member", token=token)[1]["roles"][0]["id"]
for name in names:
    found = call("GET", "/projects?name=" + name, token=token)[1]["projects"]
    project = found[0]["id"] if found else call("POST", "/projects", {"project": {"name": name, "domain_id": "default"}}, token)[1]["project"]["id"]
    found = call("GET", "/users?name=" + name, token=token)[1]["users"]
    if found:
        user = found[0]["id"]
        call("PATCH", "/users/" + user, {"user": {"password": member_pw}}, token)
    else:
        user = call("POST", "/users", {"user": {"name": name, "domain_id": "default", "password": member_pw,
                                                "default_project_id": project}}, token)[1]["user"]["id"]
    call("PUT", "/projects/%s/users/%s/roles/%s" % (project, user, role), token=token)
PY

touch "$READY"
echo "keystone ready: $KEYSTONE_URL"
wait $pid
