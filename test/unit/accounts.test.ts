import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  accountsNeedingPassword,
  parseAccounts,
  renderAccountsYaml,
  type Account,
} from '../../src/cloud/accounts.js';
import { TcupError } from '../../src/core/errors.js';

const SECRET = 'hunter2-secret';

describe('parseAccounts', () => {
  it.each<[string, string, Account[]]>([
    [
      'minimal',
      '- username: a\n  password: p\n  project_name: x',
      [{ username: 'a', password: 'p', projectName: 'x' }],
    ],
    ['tenant_name synonym', '- {username: a, tenant_name: t}', [{ username: 'a', projectName: 't' }]],
    ['project id', '- {username: a, project_id: p1}', [{ username: 'a', projectId: 'p1' }]],
    [
      'domains',
      '- {username: a, domain_name: d, user_domain_name: u, project_domain_name: p}',
      [{ username: 'a', domainName: 'd', userDomainName: 'u', projectDomainName: 'p' }],
    ],
    [
      'roles and types',
      '- {username: a, roles: [admin, member], types: [operator, reseller_admin]}',
      [{ username: 'a', roles: ['admin', 'member'], types: ['operator', 'reseller_admin'] }],
    ],
    [
      'resources',
      '- {username: a, resources: {network: net1}}',
      [{ username: 'a', resources: { network: 'net1' } }],
    ],
    [
      'no password',
      '- {username: a}\n- {username: b, password: x}',
      [{ username: 'a' }, { username: 'b', password: 'x' }],
    ],
    ['nulls skipped', '- {username: a, password: ~, project_name: null}', [{ username: 'a' }]],
  ])('%s', (_name, text, expected) => expect(parseAccounts(text)).toEqual(expected));

  it.each<[string, string, string, RegExp?]>([
    ['not YAML', `- username: a\n  password: "${SECRET}\n bad: [`, 'accounts.yaml: not valid YAML (line 3)'],
    ['not a list', 'username: a', 'accounts.yaml: expected a non-empty YAML list of accounts'],
    ['empty list', '[]', 'accounts.yaml: expected a non-empty YAML list of accounts'],
    ['entry not a mapping', '- a\n', 'accounts.yaml: entry 1: is not a mapping of keys to values'],
    [
      'no username',
      `- {username: a}\n- {password: ${SECRET}}`,
      'accounts.yaml: entry 2: "username" is missing',
    ],
    [
      'number password',
      `- {username: a}\n- {username: b}\n- {username: c, password: 0123}`,
      'accounts.yaml: entry 3: "password" is not a string',
      /quote/,
    ],
    [
      'boolean password',
      '- {username: a, password: true}',
      'accounts.yaml: entry 1: "password" is not a string',
    ],
    ['unknown key', `- {username: a, pasword: ${SECRET}}`, 'accounts.yaml: entry 1: unknown key "pasword"'],
    [
      'both project keys',
      '- {username: a, project_name: x, tenant_name: y}',
      'accounts.yaml: entry 1: has both "project_name" and "tenant_name"',
    ],
    [
      'roles not a list',
      '- {username: a, roles: admin}',
      'accounts.yaml: entry 1: "roles" is not a list of strings',
    ],
    [
      'bad resources',
      '- {username: a, resources: [net]}',
      'accounts.yaml: entry 1: "resources" is not a mapping of names to strings',
    ],
    [
      'a resource Tempest does not read',
      '- {username: a, resources: {network: n, router: r1}}',
      'accounts.yaml: entry 1: "resources" has "router", which Tempest does not read',
      /only resources\.network/,
    ],
    [
      'the admin type',
      '- {username: a}\n- {username: b, types: [admin]}',
      'accounts.yaml: entry 2: has "types: [admin]": tcup runs the interop tests as non-admin users and hands Tempest no admin account',
      /remove/,
    ],
    [
      'an unknown type',
      '- {username: a, types: [operater]}',
      'accounts.yaml: entry 1: has the unknown type "operater"',
      /operator and reseller_admin/,
    ],
    [
      'types not a list',
      '- {username: a, types: operator}',
      'accounts.yaml: entry 1: "types" is not a list of strings',
    ],
  ])('rejects %s', (_name, text, message, hint) => {
    let error: unknown;
    try {
      parseAccounts(text, 'accounts.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TcupError);
    const e = error as TcupError;
    expect([e.code, e.message]).toEqual(['USAGE', message]);
    expect(`${e.message} ${e.hint}`).not.toContain(SECRET);
    if (hint) expect(e.hint).toMatch(hint);
  });

  it('lists the accounts without a password', () => {
    const accounts = parseAccounts(
      '- {username: a}\n- {username: b, password: x}\n- {username: c, password: ""}',
    );
    expect(accountsNeedingPassword(accounts).map((a) => a.username)).toEqual(['a', 'c']);
  });
});

const NASTY = [
  `it's "quoted"`,
  'key: value',
  '# not a comment',
  'a #b',
  '  leading and trailing  ',
  'line\nbreak\r\n',
  'tab\there',
  'unicode ünïcødé 密码 😀',
  '- dash',
  '? question',
  '{flow}',
  '[list]',
  '&anchor *alias !tag',
  '%percent @at `tick` |pipe >gt',
  'yes',
  'no',
  'on',
  'null',
  '~',
  '0123',
  '1e3',
  '0x1F',
  '12:30:00',
  '2001-12-14',
  '',
  ' ',
  'back\\slash \\n not a newline',
  'nel\u0085 ls\u2028 ps\u2029 bom\ufeff del\x7f c1\x9b nul\0 bell\x07',
  '...',
  '---',
  '"',
  "'",
];

describe('renderAccountsYaml', () => {
  const accounts: Account[] = NASTY.map((password, i) => ({
    username: `user_${i}`,
    password,
    projectName: `project ${i}: x`,
    userDomainName: 'Default',
    roles: ['member'],
  }));
  const text = renderAccountsYaml(accounts);

  it('writes Tempest keys', () => {
    const one = renderAccountsYaml([
      {
        username: 'u',
        password: 'p',
        projectName: 'x',
        projectId: 'i',
        domainName: 'd',
        types: ['operator'],
        resources: { network: 'n' },
      },
    ]);
    expect(one).toBe(
      '- username: "u"\n  password: "p"\n  project_name: "x"\n  project_id: "i"\n  domain_name: "d"\n  types:\n    - "operator"\n  resources:\n    network: "n"\n',
    );
  });

  it('round-trips every nasty password through our parser', () => {
    expect(parseAccounts(text)).toEqual(accounts);
  });

  it.each(['1.1', '1.2'] as const)('round-trips through the yaml library as YAML %s', (version) => {
    const data = parse(text, { version }) as { password: string }[];
    expect(data.map((a) => a.password)).toEqual(NASTY);
  });

  it('keeps every line free of raw line-break characters PyYAML would fold', () => {
    expect(text).not.toMatch(/[\u0085\u2028\u2029\x7f]/);
  });

  // Tempest reads accounts.yaml with PyYAML: check with the real thing when this machine has it.
  const hasPyYaml = (() => {
    try {
      execFileSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasPyYaml)('round-trips through PyYAML safe_load', () => {
    const script =
      'import sys, json, yaml; print(json.dumps([a["password"] for a in yaml.safe_load(sys.stdin.read())]))';
    const out = execFileSync('python3', ['-c', script], {
      input: text,
      encoding: 'utf8',
      env: { PYTHONIOENCODING: 'utf-8' },
    });
    expect(JSON.parse(out)).toEqual(NASTY);
  });
});
