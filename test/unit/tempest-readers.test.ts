import { describe, expect, it } from 'vitest';
import type { PlannedAccount } from '../../src/tempest/accounts.js';
import { needsReaderTwins, withReaderTwins } from '../../src/tempest/readers.js';

const acct = (username: string, roles: string[], extra: Partial<PlannedAccount> = {}): PlannedAccount => ({
  username,
  password: `pw-${username}`,
  projectName: `p-${username}`,
  domainName: 'Default',
  scopeProjectId: `pid-${username}`,
  roles,
  ...extra,
});
const MR = ['member', 'reader'];

/**
 * The fields Tempest hashes an entry by (preprov_creds.HASH_CRED_FIELDS: the user, password and project
 * fields both Keystone v2 and v3 credentials have), as accountForTempest names them.
 */
const hashed = (a: PlannedAccount): Record<string, string> =>
  Object.fromEntries(
    Object.entries({
      username: a.username,
      password: a.password,
      project_name: a.projectName,
      project_id: a.projectId,
    }).filter((e): e is [string, string] => e[1] !== undefined),
  );

describe('needsReaderTwins: the Tempests that take the project reader from the primary project', () => {
  it.each([
    ['47.0.0', true],
    ['46.3.0', true],
    ['46.2.0', false],
    ['43.0.0', false],
    ['33.0.0', false],
    [undefined, false],
  ] as const)('%s: %s', (version, needed) => {
    expect(needsReaderTwins(version)).toBe(needed);
  });
});

describe('withReaderTwins', () => {
  type Row = [
    name: string,
    accounts: PlannedAccount[],
    twinned: string[],
    /** The file's entries: username, roles and project id. */
    file: [string, string[], string | undefined][],
    notes: RegExp[],
  ];
  const rows: Row[] = [
    [
      'two members whose tokens carry reader: each listed again, last, as reader with the project id',
      [acct('a', MR), acct('b', MR)],
      ['a', 'b'],
      [
        ['a', MR, undefined],
        ['b', MR, undefined],
        ['a', ['reader'], 'pid-a'],
        ['b', ['reader'], 'pid-b'],
      ],
      [],
    ],
    [
      "a project id from the file moves to the twin (the token's is the same)",
      [acct('a', MR, { projectId: 'given-a' }), acct('b', MR)],
      ['a', 'b'],
      [
        ['a', MR, undefined],
        ['b', MR, undefined],
        ['a', ['reader'], 'given-a'],
        ['b', ['reader'], 'pid-b'],
      ],
      [],
    ],
    [
      'one account: no twin (it would pass for the second user)',
      [acct('a', MR)],
      [],
      [['a', MR, undefined]],
      [/^one account: .*second user/],
    ],
    [
      'a reseller admin (listed with that role only) gets no twin',
      [acct('a', MR), acct('b', MR), acct('r', ['ResellerAdmin'])],
      ['a', 'b'],
      [
        ['a', MR, undefined],
        ['b', MR, undefined],
        ['r', ['ResellerAdmin'], undefined],
        ['a', ['reader'], 'pid-a'],
        ['b', ['reader'], 'pid-b'],
      ],
      [],
    ],
    [
      'a member whose token has no reader: no twin, said',
      [acct('a', ['member']), acct('b', MR)],
      ['b'],
      [
        ['a', ['member'], undefined],
        ['b', MR, undefined],
        ['b', ['reader'], 'pid-b'],
      ],
      [/^account a's token carries no reader role/],
    ],
    [
      'a member without reader beside a reader of its project: no twin, nothing to say',
      [acct('a', ['member']), acct('ra', ['reader'], { projectName: 'p-a', scopeProjectId: 'pid-a' })],
      [],
      [
        ['a', ['member'], undefined],
        ['ra', ['reader'], undefined],
      ],
      [],
    ],
    [
      'a project named by id only: no twin (Tempest matches the reader by project name), said',
      [acct('a', MR, { projectName: undefined, projectId: 'pid-a' }), acct('b', MR)],
      ['b'],
      [
        ['a', MR, 'pid-a'],
        ['b', MR, undefined],
        ['b', ['reader'], 'pid-b'],
      ],
      [/^account a names its project by id only/],
    ],
    [
      'no project id from the file or the token: no twin, said',
      [acct('a', MR, { scopeProjectId: undefined }), acct('b', MR)],
      ['b'],
      [
        ['a', MR, undefined],
        ['b', MR, undefined],
        ['b', ['reader'], 'pid-b'],
      ],
      [/^account a names its project but its token gave no project id/],
    ],
  ];

  it.each(rows)('%s', (_name, accounts, twinned, file, notes) => {
    const r = withReaderTwins(accounts);
    expect(r.twinned).toEqual(twinned);
    expect(r.accounts.map((a) => [a.username, a.roles, a.projectId])).toEqual(file);
    expect(r.notes).toHaveLength(notes.length);
    notes.forEach((n, i) => expect(r.notes[i]).toMatch(n));
  });

  it.each(rows)(
    "%s: Tempest's hashing keeps every entry apart, a twin after and a superset of its member",
    (_name, accounts) => {
      const file = withReaderTwins(accounts).accounts;
      const keys = file.map((a) => JSON.stringify(hashed(a)));
      expect(new Set(keys).size, 'entries Tempest would take for one').toBe(file.length);
      file.forEach((twin, i) => {
        if (!twin.roles.includes('reader') || twin.roles.includes('member')) return;
        const member = file.findIndex((m) => m.username === twin.username && m.roles.includes('member'));
        if (member < 0) return;
        // Tempest releases credentials by the first entry matching the fields they were made from.
        expect(member).toBeLessThan(i);
        expect(hashed(twin)).toMatchObject(hashed(file[member]!));
      });
    },
  );

  it('a twin keeps the user, password, domains and network, and drops the types', () => {
    const a = acct('a', MR, {
      userDomainName: 'users',
      projectDomainName: 'projects',
      types: ['operator'],
      resources: { network: 'net-a' },
    });
    const [, , twin] = withReaderTwins([a, acct('b', MR)]).accounts;
    expect(twin).toEqual({
      username: 'a',
      password: 'pw-a',
      projectName: 'p-a',
      projectId: 'pid-a',
      domainName: 'Default',
      userDomainName: 'users',
      projectDomainName: 'projects',
      scopeProjectId: 'pid-a',
      resources: { network: 'net-a' },
      roles: ['reader'],
    });
  });
});
