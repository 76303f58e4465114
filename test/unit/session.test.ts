import { describe, expect, it } from 'vitest';
import { isOrphaned, newSession, type Owner } from '../../src/core/session.js';

const owner: Owner = { host: 'box', pid: 100, isAlive: (pid) => pid === 200 };

describe('sessions', () => {
  it('name the host and the launcher', () => expect(newSession(owner)).toMatch(/^box\/100\/[0-9a-f]{8}$/));

  it.each([
    ['box/300/abcd', true],
    ['box/200/abcd', false],
    ['box/100/abcd', false],
    ['other/300/abcd', false],
    ['0123456789ab', false],
    ['', false],
  ])('%s is orphaned: %s', (session, expected) => expect(isOrphaned(session, owner)).toBe(expected));
});
