import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeOf, TcupError } from '../../src/core/errors.js';

describe('exit codes', () => {
  it('is the table README documents', () => {
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
      TERMINATED: 143,
    });
  });
  it('maps a TcupError to its code and anything else to 1', () => {
    expect(exitCodeOf(new TcupError('UPLOAD_FAILED', 'x'))).toBe(10);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
  });
});
