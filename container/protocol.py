#!/usr/bin/env python3
"""The container protocol, as the container speaks it: the mirror of src/protocol/container.ts.

- stdin, first line: the request (REQUEST) as JSON, secrets included; stdin then stays open, its end
  means "the launcher has the results: exit".
- stdout: only event lines, EVENT_PREFIX + JSON (EVENTS).
- stderr: the human log, scrubbed.

Both sides refuse unknown fields; test/unit/protocol.test.ts compares `--describe` with the TypeScript
description and runs the same vectors through `--check`. Adding a field: add it on both sides (mostly
optional(...)). Changing or removing one: raise PROTOCOL_VERSION on both sides.
Messages name the field, never its value. Python 3.11 and newer, standard library only.

  protocol.py --describe   the protocol as JSON (version, prefix, request, events)
  protocol.py --check      reads [{"kind": "request"|"event", "text": "..."}] on stdin, writes
                           [{"ok": true} | {"ok": false, "error": "..."}] on stdout
"""
import json
import sys

PROTOCOL_VERSION = 1
EVENT_PREFIX = "::tcup:: "

STRING, INT, BOOL = "string", "int", "bool"


def one_of(*values):
    return {"enum": list(values)}


def list_of(item):
    return {"list": item}


def map_of(item):
    return {"map": item}


def pair(a, b):
    return {"pair": [a, b]}


def nullable(inner):
    return {"nullable": inner}


class _Optional:
    def __init__(self, schema):
        self.schema = schema


def optional(schema):
    return _Optional(schema)


def obj(**fields):
    return {"object": {k: ({"type": f.schema, "optional": True} if isinstance(f, _Optional)
                           else {"type": f, "optional": False}) for k, f in fields.items()}}


CLOUD = obj(
    auth_url=STRING,
    auth_type=optional(one_of("password", "v3applicationcredential")),
    username=optional(STRING), user_id=optional(STRING), password=optional(STRING),
    project_name=optional(STRING), project_id=optional(STRING),
    user_domain_name=optional(STRING), user_domain_id=optional(STRING),
    project_domain_name=optional(STRING), project_domain_id=optional(STRING),
    region_name=optional(STRING), interface=optional(STRING),
    application_credential_id=optional(STRING), application_credential_name=optional(STRING),
    application_credential_secret=optional(STRING),
    cacert_pem=optional(STRING), insecure=optional(BOOL),
)

ACCOUNT = obj(
    username=STRING, password=STRING,
    project_name=optional(STRING), project_id=optional(STRING), domain_name=optional(STRING),
    user_domain_name=optional(STRING), project_domain_name=optional(STRING),
    roles=optional(list_of(STRING)),
    types=optional(list_of(one_of("operator", "reseller_admin"))),
    resources=optional(obj(network=optional(STRING))),
)

REQUEST = obj(
    version=INT,
    mode=one_of("run", "debug"),
    cloud=CLOUD,
    accounts=list_of(ACCOUNT),
    tempestconf=list_of(pair(STRING, STRING)),
    tests=list_of(STRING),
    concurrency=INT,
    proxy=optional(map_of(STRING)),
    workers=optional(list_of(list_of(STRING))),
)

TEST_STATUSES = ("success", "fail", "skip", "xfail", "uxsuccess")

EVENTS = {
    "configured": obj(ms=INT),
    "start": obj(total=INT),
    "test": obj(id=STRING, status=one_of(*TEST_STATUSES), ms=nullable(INT), reason=nullable(STRING),
                worker=optional(nullable(STRING)), start=optional(nullable(INT))),
    "finished": obj(rc=INT, stream=one_of("complete", "partial", "none"), tail=list_of(STRING)),
    "error": obj(message=STRING),
    "done": obj(code=INT),
    "ready": obj(code=INT),
}


class ProtocolError(ValueError):
    """A request or event that does not fit; the message names the field, never a value."""


def _at(path, key):
    return path + "." + key if path else key


def problem(schema, value, path=""):
    """The first problem in value as 'path: what was expected', or None."""
    where = path or "value"
    if schema == STRING:
        return None if isinstance(value, str) else where + ": expected a string"
    if schema == INT:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2 ** 53 - 1
        return None if ok else where + ": expected an integer"
    if schema == BOOL:
        return None if isinstance(value, bool) else where + ": expected true or false"
    if "enum" in schema:
        ok = isinstance(value, str) and value in schema["enum"]
        return None if ok else where + ": expected one of " + ", ".join(schema["enum"])
    if "list" in schema:
        if not isinstance(value, list):
            return where + ": expected a list"
        for i, item in enumerate(value):
            p = problem(schema["list"], item, "%s[%d]" % (path, i))
            if p:
                return p
        return None
    if "map" in schema:
        if not isinstance(value, dict):
            return where + ": expected a mapping"
        for key, item in value.items():
            p = problem(schema["map"], item, _at(path, key))
            if p:
                return p
        return None
    if "pair" in schema:
        if not isinstance(value, list) or len(value) != 2:
            return where + ": expected a pair"
        return (problem(schema["pair"][0], value[0], path + "[0]")
                or problem(schema["pair"][1], value[1], path + "[1]"))
    if "nullable" in schema:
        return None if value is None else problem(schema["nullable"], value, path)
    if "object" in schema:
        if not isinstance(value, dict):
            return where + ": expected a mapping"
        fields = schema["object"]
        for key in value:
            if key not in fields:
                return _at(path, key) + ": unknown field"
        for key, field in fields.items():
            if key not in value:
                if not field["optional"]:
                    return _at(path, key) + ": missing"
                continue
            p = problem(field["type"], value[key], _at(path, key))
            if p:
                return p
        return None
    raise AssertionError("unknown schema")


def _json(text, what):
    try:
        return json.loads(text)
    except ValueError:
        raise ProtocolError(what + " is not valid JSON") from None


def parse_request(text):
    """The request line from the launcher, checked; raises ProtocolError."""
    value = _json(text, "the request")
    p = problem(REQUEST, value)
    if p:
        raise ProtocolError("the request is not valid: " + p)
    if value["version"] != PROTOCOL_VERSION:
        raise ProtocolError("the request speaks protocol %d, this side %d"
                            % (value["version"], PROTOCOL_VERSION))
    return value


def parse_event(text):
    value = _json(text, "an event")
    if not isinstance(value, dict):
        raise ProtocolError("an event is not a JSON object")
    fields = dict(value)
    kind = fields.pop("event", None)
    if not isinstance(kind, str) or kind not in EVENTS:
        raise ProtocolError("unknown event kind " + (json.dumps(kind[:40]) if isinstance(kind, str)
                                                     else "(none)"))
    p = problem(EVENTS[kind], fields)
    if p:
        raise ProtocolError('event "%s": %s' % (kind, p))
    return value


def event_line(kind, **fields):
    """The stdout line for one event; raises ProtocolError if it does not fit (a bug here)."""
    if kind not in EVENTS:
        raise ProtocolError("unknown event kind " + kind)
    p = problem(EVENTS[kind], fields)
    if p:
        raise ProtocolError('event "%s": %s' % (kind, p))
    return EVENT_PREFIX + json.dumps(dict(fields, event=kind)) + "\n"


def describe():
    return {"version": PROTOCOL_VERSION, "prefix": EVENT_PREFIX, "request": REQUEST, "events": EVENTS}


def _check(items):
    out = []
    for item in items:
        try:
            (parse_request if item["kind"] == "request" else parse_event)(item["text"])
            out.append({"ok": True})
        except ProtocolError as e:
            out.append({"ok": False, "error": str(e)})
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["--describe"]:
        json.dump(describe(), sys.stdout)
    elif sys.argv[1:] == ["--check"]:
        json.dump(_check(json.load(sys.stdin)), sys.stdout)
    else:
        sys.exit(__doc__)
