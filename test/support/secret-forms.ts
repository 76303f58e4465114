/** The shared table of secret forms (test/fixtures/secret-forms.json), as cases for both scrubbers. */
import { readFileSync } from 'node:fs';
import { REDACTED } from '../../src/redaction/redactor.js';

export interface SecretVector {
  name: string;
  secret: string;
  forms: Record<string, string>;
}

export const SECRET_VECTORS = (
  JSON.parse(readFileSync(new URL('../fixtures/secret-forms.json', import.meta.url), 'utf8')) as {
    vectors: SecretVector[];
  }
).vectors;

/** Each form between markers: the markers must stay, the form must go. */
export const around = (text: string) => `<<${text}>>`;

export const SECRET_CASES = SECRET_VECTORS.flatMap((v) =>
  Object.entries(v.forms).map(([form, text]) => ({
    name: `${v.name}: ${form}`,
    secret: v.secret,
    text: around(text),
  })),
);

/** The cases as container/scrub.py --apply takes them, and what it must give back. */
export const scrubInput = () => SECRET_CASES.map((c) => ({ secrets: [c.secret], text: c.text }));
export const SCRUBBED = around(REDACTED);
