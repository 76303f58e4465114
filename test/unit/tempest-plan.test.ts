import { describe, expect, it } from 'vitest';
import { parseTempestOption, planTempest, type AccountWithRoles } from '../../src/tempest/plan.js';

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
