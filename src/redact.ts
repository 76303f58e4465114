/**
 * Redaction of known secret values (pure): in strings, in objects and in byte streams split anywhere.
 * Every secret is matched in the forms it may take in a log: raw, JSON-escaped, URL-encoded, XML-escaped
 * and base64. Short secrets are still redacted (over-masking beats a leak); weakSecrets() lets the CLI warn.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import redactSecrets from 'redact-secrets';

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are redacted too, but reported by weakSecrets(): they mask innocent text. */
export const WEAK_SECRET_LENGTH = 4;

/** A weak secret, described without its value. */
export interface WeakSecret {
  name: string | undefined;
  length: number;
}

interface Matcher {
  /** One alternation of every form, longest first; undefined when there is nothing to redact. */
  regex: RegExp | undefined;
  /** Every proper, non-empty prefix of every form: what a chunk may end with and must be held back. */
  prefixes: ReadonlySet<string>;
  /** The first code unit of every form: a cheap test before looking a suffix up in `prefixes`. */
  starts: ReadonlySet<number>;
  longest: number;
}

const EMPTY: Matcher = { regex: undefined, prefixes: new Set(), starts: new Set(), longest: 0 };

export class Redactor {
  readonly #secrets: { value: string; name: string | undefined }[] = [];
  readonly #forms = new Set<string>();
  #matcher: Matcher = EMPTY;
  #stale = false;

  /** Registers a secret (any string; empty strings are ignored). Streams made earlier apply it from now on. */
  add(secret: string, name?: string): void {
    if (secret === '' || this.#secrets.some((s) => s.value === secret)) return;
    this.#secrets.push({ value: secret, name });
    for (const form of formsOf(secret)) {
      if (form !== '' && !this.#forms.has(form)) {
        this.#forms.add(form);
        this.#stale = true;
      }
    }
  }

  /** The registered secret values, raw (for masking binary files); never print them. */
  secrets(): readonly string[] {
    return this.#secrets.map((s) => s.value);
  }

  /** Secrets shorter than WEAK_SECRET_LENGTH, by name and length only. */
  weakSecrets(): WeakSecret[] {
    return this.#secrets
      .filter((s) => [...s.value].length < WEAK_SECRET_LENGTH)
      .map((s) => ({ name: s.name, length: [...s.value].length }));
  }

  redact(text: string): string {
    const { regex } = this.#current();
    return regex ? text.replace(regex, REDACTED) : text;
  }

  /**
   * A deep copy of `value` with secret-looking keys (password, secret, token, api key…) masked by
   * redact-secrets, and every registered secret masked inside all remaining strings (keys included).
   */
  redactObject<T>(value: T): T {
    const byKey: unknown = redactSecrets(REDACTED).map(value);
    return this.#redactStrings(byKey, new Map()) as T;
  }

  /** A byte-stream Transform that redacts across chunk boundaries and UTF-8 character splits. */
  createRedactingStream(): Transform {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const drain = (text: string, final: boolean): string => {
      const { out, held } = redactChunk(this.#current(), pending + text, final);
      pending = held;
      return out;
    };
    return new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        const out = drain(decoder.write(chunk), false);
        callback(null, out === '' ? undefined : Buffer.from(out, 'utf8'));
      },
      flush(callback: TransformCallback) {
        const out = drain(decoder.end(), true);
        callback(null, out === '' ? undefined : Buffer.from(out, 'utf8'));
      },
    });
  }

  #current(): Matcher {
    if (this.#stale) {
      this.#matcher = buildMatcher([...this.#forms]);
      this.#stale = false;
    }
    return this.#matcher;
  }

  #redactStrings(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return seen.get(value);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.#redactStrings(item, seen));
      return copy;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      return value;
    }
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[this.redact(key)] = this.#redactStrings(item, seen);
    return copy;
  }
}

/** A redactor with `secrets` registered. */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  const redactor = new Redactor();
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}

/** The forms a secret may take in a log. */
export function formsOf(secret: string): Set<string> {
  const json = JSON.stringify(secret).slice(1, -1);
  const base64 = Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, '');
  return new Set([
    secret,
    json,
    json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    new URLSearchParams({ s: secret }).toString().slice(2),
    secret.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c),
    // YAML single-quoted scalar (accounts.yaml as PyYAML writes it): ' doubled.
    secret.replace(/'/g, "''"),
    base64,
    base64.replace(/\+/g, '-').replace(/\//g, '_'),
  ]);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function buildMatcher(forms: string[]): Matcher {
  if (forms.length === 0) return EMPTY;
  const sorted = forms.sort((a, b) => b.length - a.length);
  const prefixes = new Set<string>();
  for (const form of sorted) for (let i = 1; i < form.length; i++) prefixes.add(form.slice(0, i));
  const starts = new Set(sorted.map((form) => form.charCodeAt(0)));
  const regex = new RegExp(sorted.map(escapeRegex).join('|'), 'g');
  return { regex, prefixes, starts, longest: sorted[0]!.length };
}

/** Escapes every code unit that is not a word character: nothing in a secret can act as regex syntax. */
function escapeRegex(text: string): string {
  return text.replace(/\W/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Redacts `text` (held-back text + new chunk). Matches that start before the hold-back point are final:
 * no later data can change them. From that point on, text that may still grow into a secret is held.
 */
function redactChunk(matcher: Matcher, text: string, final: boolean): { out: string; held: string } {
  const { regex } = matcher;
  if (!regex) return { out: text, held: '' };
  let cut = final ? text.length : holdStart(matcher, text, 0);
  let out = '';
  let pos = 0;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null && m.index < cut; m = regex.exec(text)) {
    out += text.slice(pos, m.index) + REDACTED;
    pos = m.index + m[0].length;
    if (pos > cut) cut = final ? text.length : holdStart(matcher, text, pos);
  }
  regex.lastIndex = 0;
  const end = Math.max(pos, cut);
  return { out: out + text.slice(pos, end), held: text.slice(end) };
}

/** Start of the longest suffix of text[from..] that is a proper prefix of some form (text.length if none). */
function holdStart(matcher: Matcher, text: string, from: number): number {
  for (let i = Math.max(from, text.length - matcher.longest + 1); i < text.length; i++) {
    if (matcher.starts.has(text.charCodeAt(i)) && matcher.prefixes.has(text.slice(i))) return i;
  }
  return text.length;
}
