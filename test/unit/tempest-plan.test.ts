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
