/**
 * The forms a secret may take in a log or a results file (pure), by name. container/scrub.py knows the
 * same names and computes the same strings; test/fixtures/secret-forms.json holds, for awkward secrets,
 * every form that must disappear, and test/unit/secret-forms.test.ts runs it through both scrubbers.
 */

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
const u4 = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;

/** RFC 3986 strict: only unreserved characters stay (Python's quote(s, safe="")). */
const strictUrl = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, hex);
const json = (s: string) => JSON.stringify(s).slice(1, -1);
const base64 = (s: string) => utf8(s).toString('base64');
const base64url = (s: string) => base64(s).replace(/\+/g, '-').replace(/\//g, '_');

export const SECRET_FORMS = {
  plain: (s: string) => s,
  /** A JSON string's content (JSON.stringify, Python json.dumps(ensure_ascii=False)). */
  json,
  /** The same with DEL and every non-ASCII code unit as \uXXXX (Python json.dumps, the default). */
  'json-ascii': (s: string) => json(s).replace(/[\u007f-\uffff]/g, (c) => u4(c.charCodeAt(0))),
  /** encodeURIComponent (leaves !'()*~). */
  url: encodeURIComponent,
  'url-plus': (s: string) => encodeURIComponent(s).replace(/%20/g, '+'),
  /** Python's urllib.parse.quote(s, safe=""). */
  'url-strict': strictUrl,
  /** Python's quote_plus(s, safe=""), urlencode. */
  'url-strict-plus': (s: string) => strictUrl(s).replace(/%20/g, '+'),
  /** application/x-www-form-urlencoded as URLSearchParams writes it. */
  'url-form': (s: string) => new URLSearchParams({ s }).toString().slice(2),
  /** XML text content: & < > (Python's xml.sax.saxutils.escape). */
  'xml-text': (s: string) => s.replace(/[&<>]/g, (c) => XML[c]!),
  /** XML attribute values: also &quot; and &apos;. */
  'xml-attr': (s: string) => s.replace(/[&<>"']/g, (c) => XML[c]!),
  /** HTML with numeric quotes, as Node's and most templating libraries write it. */
  'xml-attr-numeric': (s: string) => s.replace(/[&<>"']/g, (c) => (c === "'" ? '&#39;' : XML[c]!)),
  /** Python's html.escape. */
  html: (s: string) => s.replace(/[&<>"']/g, (c) => (c === "'" ? '&#x27;' : XML[c]!)),
  /** A YAML single-quoted scalar (PyYAML writes passwords so): ' doubled. */
  'yaml-single': (s: string) => s.replace(/'/g, "''"),
  /** The inside of Python's repr() (a secret in a traceback or a logged dict). */
  'python-repr': pythonRepr,
  base64,
  'base64-unpadded': (s: string) => base64(s).replace(/=+$/, ''),
  base64url,
  'base64url-unpadded': (s: string) => base64url(s).replace(/=+$/, ''),
} as const;

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Python str.isprintable() is false for categories C* and Z* except the ASCII space. */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** repr(s)[1:-1] as CPython writes it: the quote it picks, backslash escapes, \x \u \U for non-printables. */
function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const c of s) {
    const n = c.codePointAt(0)!;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (n < 0x20 || n === 0x7f) out += `\\x${n.toString(16).padStart(2, '0')}`;
    else if (n < 0x7f || c === ' ' || !NON_PRINTABLE.test(c)) out += c;
    else if (n < 0x100) out += `\\x${n.toString(16).padStart(2, '0')}`;
    else if (n < 0x10000) out += u4(n);
    else out += `\\U${n.toString(16).padStart(8, '0')}`;
  }
  return out;
}
