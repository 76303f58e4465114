import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../src/core/log.js';
import { createRedactor } from '../../src/redaction/redactor.js';

const make = (isTTY: boolean, verbose = false) => {
  let out = '';
  const redactor = createRedactor(['s3cret']);
  const reporter = createReporter({
    write: (t) => (out += t),
    isTTY,
    verbose,
    redact: (t) => redactor.redact(t),
  });
  return { reporter, out: () => out };
};

describe('reporter', () => {
  it('redacts every line, the status line and the transcript', () => {
    const { reporter, out } = make(false, true);
    reporter.step('user s3cret');
    reporter.log('container says s3cret');
    reporter.progress('[1/2] s3cret');
    reporter.endProgress();
    expect(out()).not.toContain('s3cret');
    expect(reporter.transcript()).not.toContain('s3cret');
    expect(out()).toBe('› user [REDACTED]\n  | container says [REDACTED]\n[1/2] [REDACTED]\n');
  });

  it('keeps the container log out of the output unless verbose, but in the transcript', () => {
    const { reporter, out } = make(false);
    reporter.log('tempestconf: discovering');
    expect(out()).toBe('');
    expect(reporter.transcript()).toContain('tempestconf: discovering');
  });

  it('rewrites the status line in place on a terminal and keeps it below messages', () => {
    const { reporter, out } = make(true);
    reporter.progress('[1/3]');
    reporter.progress('[2/3]');
    reporter.warn('FAIL x');
    reporter.endProgress();
    expect(out()).toBe('[1/3]\r\x1b[2K[2/3]\r\x1b[2K! FAIL x\n[2/3]\n');
  });

  it('prints a status line only when it changes when not on a terminal', () => {
    const { reporter, out } = make(false);
    reporter.progress('[1/3]');
    reporter.progress('[1/3]');
    reporter.progress('[2/3]');
    expect(out()).toBe('[1/3]\n[2/3]\n');
  });
});

describe('NODE_DEBUG=tcup', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const script = [
    "import { debug, debugEnabled, redactDebugWith } from './src/core/log.ts';",
    "redactDebugWith((t) => t.replaceAll('s3cret', '[REDACTED]'));",
    "debug('token %s of %d, enabled %s', 's3cret', 7, debugEnabled());",
  ].join('\n');
  const stderrWith = (NODE_DEBUG: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, NODE_DEBUG },
      encoding: 'utf8',
    }).stderr;

  it.each([
    ['tcup', /^TCUP \d+: token \[REDACTED\] of 7, enabled true$/m],
    ['http,tcup', /^TCUP \d+: token \[REDACTED\] of 7, enabled true$/m],
    ['', /^$/],
    ['http', /^$/],
  ])('NODE_DEBUG=%j: %s', (value, expected) => {
    const stderr = stderrWith(value)
      .split('\n')
      .filter((l) => !l.startsWith('HTTP '))
      .join('\n');
    expect(stderr).toMatch(expected);
    expect(stderr).not.toContain('s3cret');
  });
});
