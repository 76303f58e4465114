/**
 * What to do about a test that did not run, when tcup knows more than Tempest's skip reason says (pure,
 * one table): each row matches a test name and its skip reason, and gives the hint shown with it.
 */
export interface SkipHint {
  /** Matched against the test's name (the full id, or a class for a fixture). */
  test: RegExp;
  /** Matched against the skip reason Tempest gave. */
  reason: RegExp;
  hint: string;
}

export const SKIP_HINTS: readonly SkipHint[] = [
  {
    // Keystone's [security_compliance] password history is not discoverable by a non-admin user, so
    // python-tempestconf leaves the feature off and Tempest skips the test.
    test: /test_password_history_check_self_service_api/,
    reason: /security compliance not available/i,
    hint:
      "Keystone's password-history setting is invisible to a non-admin user: if your cloud enforces it " +
      '(keystone.conf [security_compliance] unique_last_password_count), run with ' +
      '--tempest-option identity-feature-enabled.security_compliance=true',
  },
];

/** The hints for these skipped tests, each once, in table order. */
export function skipHints(skipped: readonly { name: string; reason?: string | undefined }[]): string[] {
  return SKIP_HINTS.filter((row) =>
    skipped.some((t) => row.test.test(t.name) && row.reason.test(t.reason ?? '')),
  ).map((row) => row.hint);
}
