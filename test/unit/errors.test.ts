import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, EXIT_INTERNAL, EXIT_OK, SIGNAL_ERRORS, STOP_CODES } from '../../src/core/errors.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('exit codes', () => {
  it('is one table', () => {
    expect(EXIT_CODES).toEqual({
      USAGE: 2,
      CREDENTIALS: 3,
      AUTH_FAILED: 4,
      DOCKER_UNAVAILABLE: 5,
      BUILD_FAILED: 6,
      RUN_FAILED: 7,
      RESULTS_MISSING: 8,
      NOT_COMPLIANT: 9,
      UPLOAD_FAILED: 10,
      PROMPT_ABORTED: 130,
      INTERRUPTED: 130,
      HANGUP: 129,
      OUTPUT_CLOSED: 141,
      TERMINATED: 143,
    });
  });

  it("is README's Exit codes section, row for row", () => {
    const section = README.split('\n## Exit codes\n')[1]!.split('\n## ')[0]!;
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    const codes = [EXIT_OK, EXIT_INTERNAL, ...Object.values(EXIT_CODES)];
    expect(documented.sort((a, b) => a - b)).toEqual([...new Set(codes)].sort((a, b) => a - b));
  });

  it.each(Object.entries(SIGNAL_ERRORS))('%s ends tcup with a code of its own kind', (signal, code) => {
    expect(STOP_CODES.has(code)).toBe(true);
    expect(EXIT_CODES[code]).toBeGreaterThan(128);
    expect(README).toMatch(new RegExp(`^\\| ${EXIT_CODES[code]} \\|.*${signal}`, 'm'));
  });
});
