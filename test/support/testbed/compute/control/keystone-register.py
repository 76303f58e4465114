"""Register the compute cloud's services, endpoints and service users in Keystone (REST, idempotent).

Args: KEYSTONE_URL ADMIN_PASSWORD (members are made later, by the test bed, through the REST API)
Services and their endpoint URLs come from SERVICES below (all on 127.0.0.1).
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

url, admin_pw = sys.argv[1].rstrip("/"), sys.argv[2]
REGION = "RegionOne"
H = "http://127.0.0.1"
# name, type, url, service user (password = name)
SERVICES = [
    ("placement", "placement", H + ":16001", "placement"),
    ("nova", "compute", H + ":16002/v2.1", "nova"),
    ("glance", "image", H + ":16003", "glance"),
    ("neutron", "network", H + ":16004", "neutron"),
    ("cinderv3", "volumev3", H + ":16005/v3/%(project_id)s", "cinder"),
    ("cinder", "block-storage", H + ":16005/v3/%(project_id)s", None),
]


def call(method, path, body=None, token=None):
    req = urllib.request.Request(
        url + path, json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Content-Type": "application/json", **({"X-Auth-Token": token} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
            return r.headers.get("X-Subject-Token"), (json.loads(data) if data else None)
    except urllib.error.HTTPError as e:
        raise RuntimeError("%s %s: %s %s" % (method, path, e.code, e.read()[:300])) from None


token, _ = call("POST", "/auth/tokens", {"auth": {"identity": {"methods": ["password"], "password": {
    "user": {"name": "admin", "domain": {"id": "default"}, "password": admin_pw}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})


def one(path, key):
    items = call("GET", path, token=token)[1][key]
    return items[0] if items else None


def ensure_role(name):
    role = one("/roles?name=" + urllib.parse.quote(name), "roles")
    return (role or call("POST", "/roles", {"role": {"name": name}}, token)[1]["role"])["id"]


def ensure_project(name):
    p = one("/projects?domain_id=default&name=" + urllib.parse.quote(name), "projects")
    return (p or call("POST", "/projects", {"project": {"name": name, "domain_id": "default"}},
                      token)[1]["project"])["id"]


def ensure_user(name, password, project):
    u = one("/users?domain_id=default&name=" + urllib.parse.quote(name), "users")
    if u:
        call("PATCH", "/users/" + u["id"], {"user": {"password": password}}, token)
        return u["id"]
    return call("POST", "/users", {"user": {"name": name, "domain_id": "default", "password": password,
                                            "default_project_id": project}}, token)[1]["user"]["id"]


def grant(project, user, role):
    call("PUT", "/projects/%s/users/%s/roles/%s" % (project, user, role), token=token)


admin_role, _member_role = ensure_role("admin"), ensure_role("member")
service_role, reader_role = ensure_role("service"), ensure_role("reader")
service_project = ensure_project("service")
for name, stype, endpoint, user in SERVICES:
    if user:
        uid = ensure_user(user, user, service_project)
        grant(service_project, uid, admin_role)
        grant(service_project, uid, service_role)
    svc = one("/services?type=" + stype, "services") or call(
        "POST", "/services", {"service": {"type": stype, "name": name}}, token)[1]["service"]
    existing = call("GET", "/endpoints?service_id=" + svc["id"], token=token)[1]["endpoints"]
    for interface in ("public", "internal", "admin"):
        mine = [e for e in existing if e["interface"] == interface]
        if not mine:
            call("POST", "/endpoints", {"endpoint": {"service_id": svc["id"], "interface": interface,
                                                     "region_id": REGION, "url": endpoint}}, token)
        elif mine[0]["url"] != endpoint:
            call("PATCH", "/endpoints/" + mine[0]["id"], {"endpoint": {"url": endpoint}}, token)
print("keystone-register: %d services" % len(SERVICES), flush=True)
