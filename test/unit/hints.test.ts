import { describe, expect, it } from 'vitest';
import { createReporter } from '../../src/core/log.js';
import { SKIP_HINTS, skipHints } from '../../src/guidelines/hints.js';
import { judge } from '../../src/pipeline/steps/verdict.js';
import type { TestResult } from '../../src/results/tests.js';

const HISTORY =
  'tempest.api.identity.v3.test_users.IdentityV3UsersTest.test_password_history_check_self_service_api[id-941784ee-5342-4571-959b-b80dd2cea516,security]';
const NOT_AVAILABLE = 'Security compliance not available';
const [SECURITY_COMPLIANCE] = SKIP_HINTS.map((row) => row.hint);

describe('skip hints', () => {
  it.each<[string, { name: string; reason?: string }[], string[]]>([
    [
      'the password-history test skipped for security compliance',
      [{ name: HISTORY, reason: NOT_AVAILABLE }],
      [SECURITY_COMPLIANCE!],
    ],
    [
      'the reason in another case',
      [{ name: HISTORY, reason: 'security compliance NOT available' }],
      [SECURITY_COMPLIANCE!],
    ],
    [
      'the same test skipped for another reason',
      [{ name: HISTORY, reason: 'Identity v3 API not available' }],
      [],
    ],
    ['the same test without a reason', [{ name: HISTORY }], []],
    [
      'another test with that reason',
      [{ name: 'tempest.api.identity.v3.test_x.T.test_y', reason: NOT_AVAILABLE }],
      [],
    ],
    [
      'twice: one hint',
      [
        { name: HISTORY, reason: NOT_AVAILABLE },
        { name: `${HISTORY}x`, reason: NOT_AVAILABLE },
      ],
      [SECURITY_COMPLIANCE!],
    ],
    ['nothing skipped', [], []],
  ])('%s', (_name, skipped, expected) => expect(skipHints(skipped)).toEqual(expected));

  it('says which option to give', () => {
    expect(SECURITY_COMPLIANCE).toContain(
      '--tempest-option identity-feature-enabled.security_compliance=true',
    );
    expect(SECURITY_COMPLIANCE).toMatch(/non-admin/);
  });

  it.each<[string, TestResult['status'], boolean]>([
    ['skipped: the hint is shown and kept in summary.json', 'skip', true],
    ['passed: no hint', 'success', false],
  ])('in the verdict step, a test %s', (_name, status, hinted) => {
    const lines: string[] = [];
    const reporter = createReporter({
      write: (t) => lines.push(t),
      isTTY: false,
      verbose: false,
      redact: (s) => s,
    });
    const test: TestResult = { id: HISTORY, name: HISTORY, status, reason: NOT_AVAILABLE };
    const { summary } = judge(
      { tests: [], plugins: [] },
      { ids: [HISTORY], missing: [], renamed: {} },
      [test],
      reporter,
    );
    expect(summary.hints).toEqual(hinted ? [SECURITY_COMPLIANCE] : []);
    expect(lines.join('').includes(`! hint: ${SECURITY_COMPLIANCE}`)).toBe(hinted);
  });
});
