/**
 * How RefStack's database compares test names. They are a unique key in a MySQL/MariaDB column of
 * character set latin1, collation latin1_swedish_ci, so two names that differ only by case, by trailing
 * spaces or by some accents are one name there, and the second makes the POST fail with HTTP 500.
 *
 * Faithful to the server, not to Unicode: MySQL's latin1 is Windows-1252 (the euro sign is a byte, U+0080
 * is not), and latin1_swedish_ci gives each byte one weight (strings/ctype-latin1 `sort_order_latin1`):
 * é = e and ü = y, but å, ä and ö are letters of their own (and share their weights with [ \ ] as in
 * Swedish 7-bit ASCII), ß is not ss, Ÿ is not ÿ. Trailing spaces are ignored (PAD SPACE).
 */

/** The characters of Windows-1252 bytes 0x80-0x9F; the five unassigned bytes stand for the C1 controls. */
const CP1252_80_9F =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/** latin1_swedish_ci weights of the bytes 0xC0-0xFF (below 0xC0 a byte weighs itself, a-z as A-Z). */
// prettier-ignore
const WEIGHTS_C0_FF = [
  65, 65, 65, 65, 92, 91, 92, 67, 69, 69, 69, 69, 73, 73, 73, 73, // À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
  68, 78, 79, 79, 79, 79, 93, 215, 216, 85, 85, 85, 89, 89, 222, 223, // Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
  65, 65, 65, 65, 92, 91, 92, 67, 69, 69, 69, 69, 73, 73, 73, 73, // à á â ã ä å æ ç è é ê ë ì í î ï
  68, 78, 79, 79, 79, 79, 93, 247, 216, 85, 85, 85, 89, 89, 222, 255, // ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ
];

const SPACE = 0x20;

/** The latin1 (Windows-1252) byte of one character, or undefined when the column cannot store it. */
export function latin1Byte(char: string): number | undefined {
  const cp = char.codePointAt(0) ?? 0;
  if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) return cp;
  const at = CP1252_80_9F.indexOf(char);
  return at >= 0 ? 0x80 + at : undefined;
}

/** True when every character of `text` can be stored in a latin1 column. */
export function isLatin1(text: string): boolean {
  return [...text].every((c) => latin1Byte(c) !== undefined);
}

function weight(byte: number): number {
  if (byte >= 0x61 && byte <= 0x7a) return byte - 0x20;
  return byte >= 0xc0 ? (WEIGHTS_C0_FF[byte - 0xc0] ?? byte) : byte;
}

/**
 * The key under which latin1_swedish_ci files `text`: two names with the same key are duplicates in
 * RefStack's database. Undefined when the text cannot be stored in latin1 at all.
 */
export function latin1SwedishKey(text: string): string | undefined {
  const weights: number[] = [];
  for (const char of text) {
    const byte = latin1Byte(char);
    if (byte === undefined) return undefined;
    weights.push(weight(byte));
  }
  while (weights.at(-1) === SPACE) weights.pop();
  return String.fromCharCode(...weights);
}
