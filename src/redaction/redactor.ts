/**
 * Redaction of known secret values (pure): in strings, in objects and in byte streams split anywhere.
 * Every secret is matched in the forms it may take in a log (forms.ts: raw, JSON-escaped, URL-encoded,
 * XML-escaped, Python repr, base64 and base64url, padded or not). Short secrets are still redacted (over-masking beats a leak); weakSecrets() lets the CLI warn.
 */
import type { Transform } from 'node:stream';
import redactSecrets from 'redact-secrets';
import { SECRET_FORMS } from './forms.js';
import { buildByteMatcher, createByteRedactingStream, NO_BYTE_MATCHER, type ByteMatcher } from './stream.js';

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are redacted too, but reported by weakSecrets(): they mask innocent text. */
export const WEAK_SECRET_LENGTH = 4;

/** A weak secret, described without its value. */
export interface WeakSecret {
  name: string | undefined;
  length: number;
}

interface Matcher {
  /** One alternation of every form, longest first, for strings; undefined when there is nothing to redact. */
  regex: RegExp | undefined;
  /** The same forms as UTF-8 bytes, for streams. */
  bytes: ByteMatcher;
}

const EMPTY: Matcher = { regex: undefined, bytes: NO_BYTE_MATCHER };

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

  /** A byte-stream Transform that redacts across chunk boundaries, even inside a UTF-8 character. */
  createRedactingStream(): Transform {
    return createByteRedactingStream(() => this.#current().bytes, REDACTED);
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

/** The forms a secret may take in a log (SECRET_FORMS, shared with the container's scrubber). */
export function formsOf(secret: string): Set<string> {
  return new Set(Object.values(SECRET_FORMS).map((form) => form(secret)));
}

function buildMatcher(forms: string[]): Matcher {
  if (forms.length === 0) return EMPTY;
  const sorted = forms.sort((a, b) => b.length - a.length);
  return { regex: new RegExp(sorted.map(escapeRegex).join('|'), 'g'), bytes: buildByteMatcher(sorted) };
}

/** Escapes every code unit that is not a word character: nothing in a secret can act as regex syntax. */
function escapeRegex(text: string): string {
  return text.replace(/\W/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
