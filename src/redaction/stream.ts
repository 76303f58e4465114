/**
 * Byte-level redaction for Redactor.createRedactingStream(): every form of every secret is matched as its
 * UTF-8 bytes, so a chunk may split anywhere (even inside a character) and the bytes around a match pass
 * through untouched (no decoding, no re-encoding). One Wu-Manber scan finds every form at once: it mostly
 * jumps by up to the shortest form's length, and only compares bytes where some form may start.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Shifts are bytes in a Uint8Array: the search window is at most this long. */
const MAX_WINDOW = 255;

export interface ByteMatcher {
  /** Every form as UTF-8 bytes, longest first: at one position the longest wins, as in the regex. */
  forms: Buffer[];
  /** Search window: the first `window` bytes of every form (the shortest form's length, capped). */
  window: number;
  /**
   * Wu-Manber shift per 2-byte block (first byte << 8 | second): how far the window's end may move when it
   * ends with that block; 0 when some form may start at the window's start.
   */
  shift: Uint8Array;
  /** Every proper, non-empty prefix of every form, as latin1 strings (one char per byte). */
  prefixes: ReadonlySet<string>;
  /** The first byte of every form: a cheap test before looking a suffix up in `prefixes`. */
  starts: Uint8Array;
}

export const NO_BYTE_MATCHER: ByteMatcher = {
  forms: [],
  window: 1,
  shift: new Uint8Array(0),
  prefixes: new Set(),
  starts: new Uint8Array(256),
};

/** Builds the byte matcher for `forms` (non-empty strings, any order). */
export function buildByteMatcher(forms: Iterable<string>): ByteMatcher {
  const bytes = [...forms].map((form) => Buffer.from(form, 'utf8')).sort((a, b) => b.length - a.length);
  if (bytes.length === 0) return NO_BYTE_MATCHER;
  const window = Math.min(bytes.at(-1)!.length, MAX_WINDOW);
  const shift = new Uint8Array(window < 2 ? 0 : 65536).fill(window - 1);
  const prefixes = new Set<string>();
  const starts = new Uint8Array(256);
  for (const form of bytes) {
    for (let j = 1; j < window; j++) {
      const block = (form[j - 1]! << 8) | form[j]!;
      shift[block] = Math.min(shift[block]!, window - 1 - j);
    }
    const text = form.toString('latin1');
    for (let i = 1; i < text.length; i++) prefixes.add(text.slice(0, i));
    starts[form[0]!] = 1;
  }
  return { forms: bytes, window, shift, prefixes, starts };
}

/** A Transform that redacts with the matcher `current()` returns when each chunk arrives. */
export function createByteRedactingStream(current: () => ByteMatcher, replacement: string): Transform {
  const redacted = Buffer.from(replacement, 'utf8');
  let pending: Buffer = Buffer.alloc(0);
  const drain = (chunk: Buffer, final: boolean): Buffer | undefined => {
    const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const { out, held } = redactBytes(current(), data, final, redacted);
    pending = held.length === 0 ? held : Buffer.from(held);
    return out.length === 0 ? undefined : out;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      callback(null, drain(chunk, false));
    },
    flush(callback: TransformCallback) {
      callback(null, drain(Buffer.alloc(0), true));
    },
  });
}

/**
 * Redacts `data` (held-back bytes + new chunk). Matches that start before the hold-back point are final:
 * no later data can change them. From that point on, bytes that may still grow into a form are held.
 */
function redactBytes(matcher: ByteMatcher, data: Buffer, final: boolean, redacted: Buffer) {
  let cut = final ? data.length : holdStart(matcher, data, 0);
  const out: Buffer[] = [];
  let pos = 0;
  for (
    let m = nextMatch(matcher, data, 0);
    m !== undefined && m.at < cut;
    m = nextMatch(matcher, data, pos)
  ) {
    if (m.at > pos) out.push(data.subarray(pos, m.at));
    out.push(redacted);
    pos = m.at + m.length;
    if (pos > cut) cut = final ? data.length : holdStart(matcher, data, pos);
  }
  const end = Math.max(pos, cut);
  if (end > pos) out.push(data.subarray(pos, end));
  return {
    out: out.length === 1 && out[0] !== redacted ? out[0]! : Buffer.concat(out),
    held: data.subarray(end),
  };
}

/** The first complete form in data[from..], longest at its position (Wu-Manber with 2-byte blocks). */
function nextMatch(
  matcher: ByteMatcher,
  data: Buffer,
  from: number,
): { at: number; length: number } | undefined {
  const { forms, window, shift } = matcher;
  const n = data.length;
  for (let end = from + window - 1; end < n;) {
    const skip = window < 2 ? 0 : shift[(data[end - 1]! << 8) | data[end]!]!;
    if (skip !== 0) {
      end += skip;
      continue;
    }
    const at = end - window + 1;
    for (const form of forms) {
      if (form[0] === data[at] && at + form.length <= n && form.compare(data, at, at + form.length) === 0) {
        return { at, length: form.length };
      }
    }
    end++;
  }
  return undefined;
}

/** Start of the longest suffix of data[from..] that is a proper prefix of some form (data.length if none). */
function holdStart(matcher: ByteMatcher, data: Buffer, from: number): number {
  const longest = matcher.forms[0]?.length ?? 0;
  for (let i = Math.max(from, data.length - longest + 1); i < data.length; i++) {
    if (matcher.starts[data[i]!] === 1 && matcher.prefixes.has(data.toString('latin1', i))) return i;
  }
  return data.length;
}
