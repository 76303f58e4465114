#!/usr/bin/env python3
"""tcup's entry point inside the image.

The protocol with the launcher (the request on stdin, events on stdout) is protocol.py, the mirror of
src/protocol/container.ts. The container is started with an open stdin and no TTY. The request never
touches a disk: everything that holds a secret (accounts.yaml, tempest.conf, the Tempest workspace)
lives under /run/tcup, a tmpfs. stderr is the human log, every secret scrubbed (scrub.py) before it is
written. Results are written, scrubbed, to /run/tcup/out for the launcher to copy out while we wait.
"""
import collections
import configparser
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import yaml

import protocol
from scrub import Scrubber, proxy_secrets

ROOT = "/run/tcup"
WS = ROOT + "/ws"
OUT = ROOT + "/out"
# Tempest's last error lines, sent with the finished event (the launcher shows them when it crashed).
TAIL_LINES = 20
_out_lock = threading.Lock()


def emit(kind, **fields):
    line = protocol.event_line(kind, **fields)
    with _out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def log(scrub, line):
    with _out_lock:
        sys.stderr.write(scrub.text(line.rstrip("\n")) + "\n")
        sys.stderr.flush()


def pump(stream, scrub, prefix="", tail=None):
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace")
        log(scrub, prefix + line)
        if tail is not None and line.strip():
            tail.append(scrub.text(line.rstrip()))


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
                    "project_domain_name", "roles", "types", "resources"):
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


def runtime_ids(tests, env):
    """Requested id -> the id under this tempest.conf. An id carries the test's attributes, and one is
    conditional: test_attach_detach_volume is `slow` only with validation.run_validation (the image's
    list was made with Tempest's default, True), and a load-list id that does not match runs nothing."""
    if not any("slow" in t.partition("[")[2] for t in tests):
        return {t: t for t in tests}
    listed = subprocess.run(["tempest", "run", "--list-tests"], cwd=WS, env=env,
                            capture_output=True, text=True).stdout
    by_name = {}
    for line in listed.splitlines():
        line = line.strip()
        if line.startswith("tempest") and "[" in line:
            by_name[line.partition("[")[0]] = line
    return {t: by_name.get(t.partition("[")[0], t) for t in tests}


def class_of(test_id):
    name = test_id.split("[", 1)[0]
    return name.rsplit(".", 1)[0] if "." in name else name


def worker_regexes(plan, tests, runtime):
    """stestr worker-file entries from the launcher's plan (classes per worker): one anchored regex per
    class as the installed Tempest names it, each class on exactly one worker, none left out."""
    if not plan:
        return None
    slot = {}
    for i, classes in enumerate(plan):
        for c in classes:
            slot.setdefault(c, i)
    regexes = [[] for _ in plan]
    placed = set()
    for t in tests:
        runtime_class = class_of(runtime.get(t, t))
        if runtime_class in placed:
            continue
        placed.add(runtime_class)
        i = slot.get(class_of(t))
        if i is None:  # not in the plan: the worker with the fewest classes
            i = min(range(len(regexes)), key=lambda k: len(regexes[k]))
        regexes[i].append("^" + re.escape(runtime_class) + r"\.")
    return [r for r in regexes if r] or None


def run_tests(req, env, scrub):
    import subunit
    import testtools

    tests = req["tests"]
    runtime = runtime_ids(tests, env)
    requested = {v: k for k, v in runtime.items()}
    with open(WS + "/load-list.txt", "w") as f:
        f.write("".join(runtime[t] + "\n" for t in tests))
    emit("start", total=len(tests))
    cmd = ["tempest", "run", "--load-list", WS + "/load-list.txt", "--subunit"]
    workers = worker_regexes(req.get("workers"), tests, runtime)
    if workers:
        with open(WS + "/workers.yaml", "w") as f:
            yaml.safe_dump([{"worker": w} for w in workers], f)
        cmd += ["--worker-file", WS + "/workers.yaml"]
    else:
        cmd += ["--concurrency", str(req.get("concurrency", 1))]
    proc = subprocess.Popen(cmd, cwd=WS, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tail = collections.deque(maxlen=TAIL_LINES)
    errs = threading.Thread(target=pump, args=(proc.stderr, scrub, "tempest: ", tail), daemon=True)
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

    seen = {"results": 0, "running": 0, "broken": False}

    def on_test(test):
        status = test["status"]
        if status == "exists":
            return
        if status == "inprogress":  # still running when the stream ended (StreamToDict flushes it)
            seen["running"] += 1
            return
        if test["id"] == "subunit.parser":  # the stream broke off or is corrupt
            seen["broken"] = True
            log(scrub, "tempest: the subunit stream is damaged")
            return
        seen["results"] += 1
        if status not in protocol.TEST_STATUSES:
            status = "fail"
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
        worker = next((t for t in sorted(test.get("tags") or ()) if t.startswith("worker-")), None)
        emit("test", id=requested.get(test["id"], test["id"]), status=status, ms=ms, reason=reason,
             worker=worker, start=int(start.timestamp() * 1000) if start else None)

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
    if seen["running"] or seen["broken"]:
        stream = "partial"
    else:
        stream = "complete" if seen["results"] else "none"
    return {"rc": rc, "stream": stream, "tail": list(tail)}


def copy_scrubbed(src, dst, scrub):
    if os.path.exists(src):
        with open(src, "rb") as f:
            data = scrub.data(f.read())
        with open(dst, "wb") as f:
            f.write(data)


def hold():
    """Hold the tmpfs (and so the results) until the launcher closes our stdin."""
    while sys.stdin.buffer.read(65536):
        pass


def main():
    try:
        req = protocol.parse_request(sys.stdin.buffer.readline().decode("utf-8", "replace"))
    except protocol.ProtocolError as e:  # the message names a field, never a value
        emit("error", message=str(e))
        emit("done", code=2)
        hold()
        return 2
    secrets = [req["cloud"].get("password"), req["cloud"].get("application_credential_secret")]
    secrets += [a.get("password") for a in req["accounts"]]
    secrets += proxy_secrets(req.get("proxy"))
    scrub = Scrubber(secrets)
    code = 0
    try:
        env = configure(req, scrub)
        if req["mode"] == "run":
            emit("finished", **run_tests(req, env, scrub))
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
    hold()
    return code


if __name__ == "__main__":
    sys.exit(main())
