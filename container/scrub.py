#!/usr/bin/env python3
"""The container's scrubber: every form of every secret becomes [REDACTED] before anything is written.

FORMS mirrors src/redaction/forms.ts (same names, same strings); test/fixtures/secret-forms.json holds
the forms that must disappear for awkward secrets, and test/unit/secret-forms.test.ts runs it through
both sides. Python 3.11 and newer, standard library only.

  scrub.py --apply   reads [{"secrets": [...], "text": "..."}] on stdin, writes the scrubbed texts
  scrub.py --apply-bytes   the same through Scrubber.data, the text given as a memoryview of its bytes
  scrub.py --forms   reads a list of secrets on stdin, writes {form name: form} for each
  scrub.py --proxy-secrets   reads {"HTTPS_PROXY": url, ...} on stdin, writes what to scrub of them
"""
import base64
import html
import json
import re
import sys
import urllib.parse

REDACTED = "[REDACTED]"


def _b64(s):
    return base64.b64encode(s.encode("utf-8", "surrogatepass")).decode()


def _b64url(s):
    return base64.urlsafe_b64encode(s.encode("utf-8", "surrogatepass")).decode()


def _xml(s, quotes):
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quotes:
        s = s.replace('"', "&quot;").replace("'", quotes)
    return s


# urllib.parse.quote never encodes these; encodeURIComponent leaves !'()* too.
_URI_COMPONENT_SAFE = "-_.!~*'()"

FORMS = {
    "plain": lambda s: s,
    "json": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "json-ascii": lambda s: json.dumps(s)[1:-1],
    "url": lambda s: urllib.parse.quote(s, safe=_URI_COMPONENT_SAFE),
    "url-plus": lambda s: urllib.parse.quote_plus(s, safe=_URI_COMPONENT_SAFE),
    "url-strict": lambda s: urllib.parse.quote(s, safe=""),
    "url-strict-plus": lambda s: urllib.parse.quote_plus(s, safe=""),
    # application/x-www-form-urlencoded as WHATWG URLSearchParams writes it (* stays, ~ is encoded).
    "url-form": lambda s: urllib.parse.quote_plus(s, safe="*").replace("~", "%7E"),
    "xml-text": lambda s: _xml(s, None),
    "xml-attr": lambda s: _xml(s, "&apos;"),
    "xml-attr-numeric": lambda s: _xml(s, "&#39;"),
    "html": lambda s: html.escape(s, quote=True),
    "yaml-single": lambda s: s.replace("'", "''"),
    "python-repr": lambda s: repr(s)[1:-1],
    "base64": _b64,
    "base64-unpadded": lambda s: _b64(s).rstrip("="),
    "base64url": _b64url,
    "base64url-unpadded": lambda s: _b64url(s).rstrip("="),
}


def forms_of(secret):
    return {f(secret) for f in FORMS.values()}


class Scrubber:
    """Replaces every form of every secret, longest first, in text and in bytes."""

    def __init__(self, secrets):
        forms = set()
        for s in secrets:
            if s:
                forms.update(forms_of(s))
        self.forms = sorted((f for f in forms if f), key=len, reverse=True)
        self.bforms = [f.encode("utf-8", "surrogatepass") for f in self.forms]

    def text(self, value):
        for f in self.forms:
            value = value.replace(f, REDACTED)
        return value

    def data(self, value):
        # python-subunit hands attachments over as bytes or, since Debian testing's, as a memoryview.
        value = bytes(value)
        for f in self.bforms:
            value = value.replace(f, REDACTED.encode())
        return value


def proxy_secrets(proxy):
    """What to scrub of proxy URLs ([scheme://]user:secret@proxy:3128): each password decoded and as
    written, and user:password (whose base64 is the Basic header), read as the launcher reads them
    (src/pipeline/steps/proxy.ts): the authority ends at the first / ? or #, the user information at
    its last @, the user at its first colon."""
    found = []
    for value in (proxy or {}).values():
        rest = value.split("://", 1)[1] if "://" in value else value
        userinfo, at, _ = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")
        user, colon, written = userinfo.partition(":")
        if not (at and colon and written):
            continue
        password = urllib.parse.unquote(written)
        for secret in (password, written, urllib.parse.unquote(user) + ":" + password):
            if secret not in found:
                found.append(secret)
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["--apply"]:
        items = json.load(sys.stdin)
        json.dump([Scrubber(i["secrets"]).text(i["text"]) for i in items], sys.stdout)
    elif sys.argv[1:] == ["--apply-bytes"]:
        # As the attachments of a subunit stream arrive: a memoryview of the bytes.
        items = json.load(sys.stdin)
        scrubbed = [Scrubber(i["secrets"]).data(memoryview(i["text"].encode("utf-8", "surrogatepass")))
                    for i in items]
        json.dump([b.decode("utf-8", "surrogatepass") for b in scrubbed], sys.stdout)
    elif sys.argv[1:] == ["--proxy-secrets"]:
        json.dump(proxy_secrets(json.load(sys.stdin)), sys.stdout)
    elif sys.argv[1:] == ["--forms"]:
        json.dump([{k: f(s) for k, f in FORMS.items()} for s in json.load(sys.stdin)], sys.stdout)
    else:
        sys.exit(__doc__)
