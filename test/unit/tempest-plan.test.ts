import { describe, expect, it } from 'vitest';
import type { AccountWithRoles } from '../../src/tempest/accounts.js';
import { parseTempestOption, planTempest } from '../../src/tempest/plan.js';

const acct = (username: string, ...roles: string[]): AccountWithRoles => ({
  username,
  password: `pw-${username}`,
  projectName: username,
  roles,
});
const members = ['demo', 'alt_demo', 'demo2', 'alt_demo2'].map((u) => acct(u, 'member', 'reader'));
const resellers = ['reseller', 'reseller2'].map((u) => acct(u, 'member', 'ResellerAdmin'));

describe('planTempest', () => {
  it.each([
    ['one account', [acct('demo', 'member')], 1, 'member', undefined],
    ['four members, no reseller', members, 2, 'member', undefined],
    ['four members, two resellers', [...members, ...resellers], 2, 'member', 'ResellerAdmin'],
    ['four members, one reseller', [...members, resellers[0]!], 1, 'member', 'ResellerAdmin'],
    ['operator role spelt Member', [acct('a', 'Member'), acct('b', 'Member')], 1, 'Member', undefined],
    [
      'swiftoperator only',
      [acct('a', 'swiftoperator'), acct('b', 'swiftoperator')],
      1,
      'swiftoperator',
      undefined,
    ],
  ])('%s', (_name, accounts, concurrency, operator, reseller) => {
    const plan = planTempest(accounts);
    expect(plan.concurrency).toBe(concurrency);
    expect(plan.operatorRole).toBe(operator);
    expect(plan.resellerRole).toBe(reseller);
  });

  it('lists a reseller admin with that role only, never as an operator', () => {
    const plan = planTempest([...members, ...resellers]);
    expect(plan.accounts.find((a) => a.username === 'reseller')?.roles).toEqual(['ResellerAdmin']);
    expect(plan.accounts.find((a) => a.username === 'demo')?.roles).toEqual(['member', 'reader']);
  });

  it('sets the roles found, and lets the user override them', () => {
    const plan = planTempest([...members, ...resellers], {
      userOptions: [['object-storage.operator_role', 'custom']],
    });
    expect(plan.overrides).toEqual([
      ['auth.tempest_roles', 'member'],
      ['object-storage.reseller_admin_role', 'ResellerAdmin'],
      ['object-storage.operator_role', 'custom'],
    ]);
  });

  it('says what a single account leaves out', () => {
    const notes = planTempest([acct('demo', 'member')]).notes.join('\n');
    expect(notes).toMatch(/second user/);
    expect(notes).toMatch(/reseller admin/);
  });

  it('warns when the concurrency asked for is more than the accounts allow', () => {
    expect(planTempest(members, { concurrency: 4 }).notes.join('\n')).toMatch(/more than the accounts allow/);
    expect(planTempest(members, { concurrency: 2 }).notes.join('\n')).not.toMatch(/more than/);
  });

  it('passes account types and resources on as written', () => {
    const typed = {
      ...acct('alt_demo', 'member'),
      types: ['operator' as const],
      resources: { network: 'n1' },
    };
    const plan = planTempest([acct('demo', 'member'), typed]);
    expect(plan.accounts[1]).toMatchObject({ types: ['operator'], resources: { network: 'n1' } });
  });

  it.each([
    ['operator', [acct('demo', 'member'), acct('alt', 'other')], 'object-storage.operator_role'],
    ['reseller_admin', [acct('demo', 'member'), acct('alt', 'member')], 'object-storage.reseller_admin_role'],
  ] as const)(
    'refuses type %s when no role for it is known, unless --tempest-option names one',
    (type, base, key) => {
      const accounts = [base[0], { ...base[1], types: [type] }];
      expect(() => planTempest(accounts)).toThrow(new RegExp(`account alt has type ${type}`));
      expect(() => planTempest(accounts, { userOptions: [[key, 'role']] })).not.toThrow();
    },
  );
});

describe('parseTempestOption', () => {
  it.each([
    ['compute.flavor_ref=42', ['compute.flavor_ref', '42']],
    ['identity.uri=http://x/?a=b', ['identity.uri', 'http://x/?a=b']],
    ['object-storage.operator_role=', ['object-storage.operator_role', '']],
    ['noseparator', undefined],
    ['nodot=1', undefined],
    ['=1', undefined],
  ])('%s', (text, expected) => expect(parseTempestOption(text)).toEqual(expected));
});

describe("settings from the accounts' tokens and the Tempest", () => {
  const meta =
    'tempest.api.compute.servers.test_server_metadata.ServerMetadataTestJSON.test_set_server_metadata';
  const xenapi = (tempest: string, tests: string[]) =>
    planTempest(members, { tempest, tests }).overrides.some(
      ([k, v]) => k === 'compute-feature-enabled.xenapi_apis' && v === 'True',
    );
  it.each([
    { name: '2020.06 on Tempest 33 (server metadata required)', tempest: '33', tests: [meta], set: true },
    { name: '2020.06 on Tempest 43 (the option is gone since 39)', tempest: '43', tests: [meta], set: false },
    { name: '2020.06 on Tempest 47', tempest: '47', tests: [meta], set: false },
    {
      name: '2022.11 on Tempest 33 (dropped)',
      tempest: '33',
      tests: ['tempest.api.compute.flavors.x'],
      set: false,
    },
    {
      name: 'os-agents selected too: not set (that API is really gone)',
      tempest: '33',
      tests: [meta, 'tempest.api.compute.admin.test_agents.AgentsAdminTestJSON.test_list_agents'],
      set: false,
    },
  ])('xenapi_apis: $name', ({ tempest, tests, set }) => expect(xenapi(tempest, tests)).toBe(set));

  it('says why it set xenapi_apis', () =>
    expect(planTempest(members, { tempest: '33', tests: [meta] }).choices).toEqual([
      expect.stringMatching(
        /^compute-feature-enabled\.xenapi_apis=True: Tempest 33 runs the 1 selected/,
      ) as unknown,
    ]));

  it("sets identity.default_domain_id to the first account's own domain, and says why", () => {
    const scoped = members.map((a, i) => ({ ...a, scopeDomainId: i === 0 ? 'd0' : 'd1' }));
    const plan = planTempest(scoped);
    expect(plan.overrides).toContainEqual(['identity.default_domain_id', 'd0']);
    expect(plan.choices.join('\n')).toMatch(
      /^identity\.default_domain_id=d0: the domain of demo's project, from its token: .*SCS.*990/,
    );
  });

  it('leaves identity.default_domain_id alone when the token did not say, or the user set it', () => {
    expect(planTempest(members).overrides.map(([k]) => k)).not.toContain('identity.default_domain_id');
    const scoped = members.map((a) => ({ ...a, scopeDomainId: 'd0' }));
    const plan = planTempest(scoped, { userOptions: [['identity.default_domain_id', 'mine']] });
    expect(plan.overrides.filter(([k]) => k === 'identity.default_domain_id')).toEqual([
      ['identity.default_domain_id', 'mine'],
    ]);
    expect(plan.choices).toEqual([]);
  });
});

describe('reader twins in the accounts file, by Tempest', () => {
  const scoped = members.map((a) => ({ ...a, scopeProjectId: `pid-${a.username}` }));
  const VARIANTS = { '47': '47.0.0', '43': '43.0.0', '33': '33.0.0' } as const;
  it.each([
    ['47', 8, true],
    ['43', 4, false],
    ['33', 4, false],
  ] as const)('Tempest %s: %i entries, twins %s', (id, entries, twins) => {
    const plan = planTempest(scoped, { tempest: id, tempestVersion: VARIANTS[id] });
    expect(plan.accountsFile).toHaveLength(entries);
    expect(plan.accounts, 'the accounts as given').toHaveLength(4);
    expect(plan.concurrency, 'twins are no accounts of their own').toBe(2);
    expect(plan.choices.some((c) => c.startsWith('accounts file: '))).toBe(twins);
    if (!twins) expect(plan.accountsFile).toEqual(plan.accounts);
  });

  it('says which accounts it listed again, and why', () => {
    const plan = planTempest(scoped, { tempest: '47', tempestVersion: '47.0.0' });
    expect(plan.choices).toContainEqual(
      expect.stringMatching(
        /^accounts file: 4 member account\(s\) listed again with the role reader \(demo, alt_demo, demo2 and 1 more\): Tempest 47\.0\.0 takes each class's project reader from its primary's project/,
      ),
    );
    expect(plan.accountsFile.slice(4).map((a) => [a.username, a.roles, a.projectId])).toEqual(
      members.map((a) => [a.username, ['reader'], `pid-${a.username}`]),
    );
  });

  it('warns that reader calls run with a member token when the user turns enforce_scope on', () => {
    const notes = (value: string) =>
      planTempest(scoped, {
        tempestVersion: '47.0.0',
        userOptions: [['enforce_scope.nova', value]],
      }).notes.join('\n');
    expect(notes('true')).toMatch(/enforce_scope\.nova with reader twins: .*member's token/);
    expect(notes('false')).not.toMatch(/reader twins/);
  });
});
