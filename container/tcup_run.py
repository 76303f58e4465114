#!/usr/bin/env python3
"""tcup's entry point inside the image.

Protocol with the launcher (the container is started with an open stdin, no TTY):
- stdin, first line: the run request as JSON, secrets included. It never touches a disk: everything
  that holds a secret (accounts.yaml, tempest.conf, the Tempest workspace) lives under /run/tcup, a
  tmpfs. stdin then stays open; its end means "the launcher has the results: exit".
- stdout: only event lines, "::tcup:: " + JSON (configured, start, test, done, error).
- stderr: the human log, with every secret scrubbed before it is written.
Results are written, scrubbed, to /run/tcup/out for the launcher to copy out while we wait.
"""
import base64
import configparser
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

import yaml

ROOT = "/run/tcup"
WS = ROOT + "/ws"
OUT = ROOT + "/out"
EVENT = "::tcup:: "
_out_lock = threading.Lock()


def emit(kind, **fields):
    with _out_lock:
        sys.stdout.write(EVENT + json.dumps(dict(fields, event=kind)) + "\n")
        sys.stdout.flush()


class Scrubber:
    """Replaces every form of every secret (plain, JSON-escaped, URL-encoded, base64)."""

    def __init__(self, secrets):
        forms = set()
        for s in secrets:
            if not s:
                continue
            forms.update({s, json.dumps(s)[1:-1], urllib.parse.quote(s, safe=""),
                          urllib.parse.quote_plus(s), base64.b64encode(s.encode()).decode()})
        self.forms = sorted((f for f in forms if f), key=len, reverse=True)
        self.bforms = [f.encode() for f in self.forms]

    def text(self, value):
        for f in self.forms:
            value = value.replace(f, "[REDACTED]")
        return value

    def data(self, value):
        for f in self.bforms:
            value = value.replace(f, b"[REDACTED]")
        return value


def log(scrub, line):
    with _out_lock:
        sys.stderr.write(scrub.text(line.rstrip("\n")) + "\n")
        sys.stderr.flush()


def pump(stream, scrub, prefix=""):
    for raw in iter(stream.readline, b""):
        log(scrub, prefix + raw.decode("utf-8", "replace"))


def run_logged(cmd, env, scrub, prefix, cwd=WS):
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pump(proc.stdout, scrub, prefix)
    return proc.wait()


def cloud_env(cloud):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    names = {"auth_url": "OS_AUTH_URL", "username": "OS_USERNAME", "user_id": "OS_USER_ID",
             "password": "OS_PASSWORD", "project_name": "OS_PROJECT_NAME",
             "project_id": "OS_PROJECT_ID", "user_domain_name": "OS_USER_DOMAIN_NAME",
             "user_domain_id": "OS_USER_DOMAIN_ID", "project_domain_name": "OS_PROJECT_DOMAIN_NAME",
             "project_domain_id": "OS_PROJECT_DOMAIN_ID", "region_name": "OS_REGION_NAME",
             "interface": "OS_INTERFACE", "auth_type": "OS_AUTH_TYPE",
             "application_credential_id": "OS_APPLICATION_CREDENTIAL_ID",
             "application_credential_name": "OS_APPLICATION_CREDENTIAL_NAME",
             "application_credential_secret": "OS_APPLICATION_CREDENTIAL_SECRET"}
    for key, name in names.items():
        if cloud.get(key):
            env[name] = cloud[key]
    env["OS_IDENTITY_API_VERSION"] = "3"
    if cloud.get("cacert_pem"):
        with open(ROOT + "/ca.pem", "w") as f:
            f.write(cloud["cacert_pem"])
        env["OS_CACERT"] = env["REQUESTS_CA_BUNDLE"] = ROOT + "/ca.pem"
    return env


def write_accounts(accounts):
    entries = []
    for a in accounts:
        entry = {"username": a["username"], "password": a["password"]}
        for key in ("project_name", "project_id", "domain_name", "user_domain_name",
                    "project_domain_name", "roles", "types"):
            if a.get(key):
                entry[key] = a[key]
        entries.append(entry)
    path = WS + "/etc/accounts.yaml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(entries, f, allow_unicode=True, default_flow_style=False)
    return path


def strip_passwords(path):
    """Tempest reads passwords from accounts.yaml: none stays in tempest.conf."""
    conf = configparser.RawConfigParser()
    conf.optionxform = str
    conf.read(path)
    for section in conf.sections():
        for key in list(conf[section]):
            if key.endswith("password"):
                conf.remove_option(section, key)
    with open(path, "w") as f:
        conf.write(f)


def configure(req, scrub):
    """tempest init + python-tempestconf with static non-admin accounts; returns the cloud env."""
    t0 = time.monotonic()
    os.makedirs(ROOT, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    if run_logged(["tempest", "init", WS], os.environ.copy(), scrub, "tempest init: ", cwd=ROOT):
        raise RuntimeError("tempest init failed")
    cloud = req["cloud"]
    env = cloud_env(cloud)
    env.update(req.get("proxy") or {})  # the launcher's HTTP(S)_PROXY / NO_PROXY
    accounts = write_accounts(req["accounts"])
    cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "tempestconf.py"),
           "--non-admin", "--test-accounts", accounts,
           "--out", WS + "/etc/tempest.conf"]
    if cloud.get("insecure"):
        cmd += ["--insecure", "identity.disable_ssl_certificate_validation", "true"]
    if cloud.get("cacert_pem"):
        cmd += ["identity.ca_certificates_file", ROOT + "/ca.pem"]
    for key, value in req.get("tempestconf", []):
        cmd += [key, value]
    if run_logged(cmd, env, scrub, "tempestconf: "):
        # python-tempestconf logs to the workspace's tempest.log: show its errors, scrubbed.
        errors = []
        if os.path.exists(WS + "/tempest.log"):
            with open(WS + "/tempest.log", errors="replace") as f:
                errors = [line.rstrip() for line in f if " ERROR " in line or " CRITICAL " in line]
        for line in errors[-40:]:
            log(scrub, "tempestconf: " + line)
        last = errors[-1].split(" ERROR ", 1)[-1].split(" CRITICAL ", 1)[-1] if errors else ""
        raise RuntimeError("python-tempestconf could not configure Tempest for this cloud"
                           + (": " + scrub.text(last.strip())[:300] if last else ""))
    strip_passwords(WS + "/etc/tempest.conf")
    emit("configured", ms=int((time.monotonic() - t0) * 1000))
    return env


def run_tests(req, env, scrub):
    import subunit
    import testtools

    tests = req["tests"]
    with open(WS + "/load-list.txt", "w") as f:
        f.write("".join(t + "\n" for t in tests))
    emit("start", total=len(tests))
    cmd = ["tempest", "run", "--load-list", WS + "/load-list.txt", "--subunit",
           "--concurrency", str(req.get("concurrency", 1))]
    proc = subprocess.Popen(cmd, cwd=WS, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errs = threading.Thread(target=pump, args=(proc.stderr, scrub, "tempest: "), daemon=True)
    errs.start()

    class Scrubbed(testtools.StreamResult):
        """Forwards every packet with secrets removed from attachments."""

        def __init__(self, target):
            super().__init__()
            self.target = target

        def status(self, file_bytes=None, **kwargs):
            if file_bytes is not None:
                file_bytes = scrub.data(file_bytes)
            self.target.status(file_bytes=file_bytes, **kwargs)

    def on_test(test):
        status = test["status"]
        if status in ("inprogress", "exists"):
            return
        start, stop = test["timestamps"]
        ms = int((stop - start).total_seconds() * 1000) if start and stop else None
        reason = None
        for name in ("reason", "traceback"):
            detail = test["details"].get(name)
            if detail is not None:
                text = scrub.text("".join(detail.iter_text())).strip()
                if text:
                    reason = text.splitlines()[-1][:500]
                    break
        emit("test", id=test["id"], status=status, ms=ms, reason=reason)

    with open(OUT + "/results.subunit", "wb") as raw:
        writer = subunit.StreamResultToBytes(raw)
        result = testtools.CopyStreamResult([testtools.StreamToDict(on_test), Scrubbed(writer)])
        result.startTestRun()
        subunit.ByteStreamToStreamResult(proc.stdout, non_subunit_name="stdout").run(result)
        result.stopTestRun()
    rc = proc.wait()
    errs.join()
    with open(OUT + "/results.subunit", "rb") as src, open(OUT + "/junit.xml", "wb") as dst:
        subprocess.run(["subunit2junitxml"], stdin=src, stdout=dst, stderr=subprocess.DEVNULL)
    return rc


def copy_scrubbed(src, dst, scrub):
    if os.path.exists(src):
        with open(src, "rb") as f:
            data = scrub.data(f.read())
        with open(dst, "wb") as f:
            f.write(data)


def main():
    line = sys.stdin.buffer.readline()
    req = json.loads(line)
    secrets = [req["cloud"].get("password"), req["cloud"].get("application_credential_secret")]
    secrets += [a.get("password") for a in req.get("accounts", [])]
    scrub = Scrubber(secrets)
    code = 0
    try:
        env = configure(req, scrub)
        if req["mode"] == "run":
            rc = run_tests(req, env, scrub)
            emit("finished", rc=rc)
        with open(ROOT + "/env.sh", "w") as f:
            f.write("cd %s\n" % WS)
        copy_scrubbed(WS + "/etc/tempest.conf", OUT + "/tempest.conf", scrub)
        copy_scrubbed(WS + "/tempest.log", OUT + "/tempest.log", scrub)
        if os.path.exists(WS + "/load-list.txt"):
            shutil.copy(WS + "/load-list.txt", OUT + "/load-list.txt")
    except Exception as e:  # reported to the launcher as one event, scrubbed
        emit("error", message=scrub.text(str(e)))
        code = 3
    emit("ready" if req["mode"] == "debug" and code == 0 else "done", code=code)
    # Hold the tmpfs (and so the results) until the launcher closes our stdin.
    while sys.stdin.buffer.read(65536):
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())
