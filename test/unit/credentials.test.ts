import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  describeCredentials,
  needsPassword,
  parseCredentials,
  secretsOf,
  type Credentials,
  type Env,
} from '../../src/cloud/credentials.js';
import { TcupError } from '../../src/core/errors.js';
import { createReporter } from '../../src/core/log.js';
import type { Deps } from '../../src/pipeline/options.js';
import { resolveCloud } from '../../src/pipeline/steps/cloud.js';
import { createRedactor } from '../../src/redaction/redactor.js';

const PASSWORD = 's3cr#t: "pa ss"';
const BASE: Env = {
  OS_AUTH_URL: 'https://keystone.example.com:5000/v3',
  OS_USERNAME: 'admin',
  OS_PASSWORD: PASSWORD,
  OS_PROJECT_NAME: 'demo',
};
const noFiles = { readFile: () => undefined, home: '/home/u' };
const fromEnv = (env: Env) => parseCredentials(env, noFiles);
const without = (...names: string[]): Env =>
  Object.fromEntries(Object.entries(BASE).filter(([k]) => !names.includes(k)));

/** Only the fields that `expected` names (a missing field reads as undefined). */
const fieldsOf = (c: Credentials, expected: Partial<Credentials>) =>
  Object.fromEntries(Object.keys(expected).map((k) => [k, c[k as keyof Credentials]]));

/** The error thrown, with its code, message and hint checked for the password. */
function errorOf(fn: () => unknown): TcupError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TcupError);
    const e = error as TcupError;
    expect(`${e.message} ${e.hint}`).not.toContain(PASSWORD);
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('expected a TcupError');
}

describe('parseCredentials from OS_* variables', () => {
  it.each<[string, Env, Partial<Credentials>]>([
    [
      'names, default domains',
      BASE,
      { username: 'admin', projectName: 'demo', userDomainName: 'Default', projectDomainName: 'Default' },
    ],
    [
      'defaults',
      BASE,
      {
        authType: 'password',
        interface: 'public',
        identityApiVersion: '3',
        insecure: false,
        source: { kind: 'env' },
      },
    ],
    ['password kept verbatim', { ...BASE, OS_PASSWORD: ' pw \r' }, { password: ' pw \r' }],
    [
      'values trimmed (CRLF openrc)',
      { ...BASE, OS_PROJECT_NAME: 'demo\r', OS_AUTH_URL: 'http://k:5000/v3\r' },
      { projectName: 'demo', authUrl: 'http://k:5000/v3' },
    ],
    ['tenant name synonym', { ...without('OS_PROJECT_NAME'), OS_TENANT_NAME: 'old' }, { projectName: 'old' }],
    [
      'tenant id synonym',
      { ...without('OS_PROJECT_NAME'), OS_TENANT_ID: 'p1' },
      { projectId: 'p1', projectName: undefined },
    ],
    ['project name wins over tenant', { ...BASE, OS_TENANT_NAME: 'old' }, { projectName: 'demo' }],
    [
      'user id, no domain default',
      { ...without('OS_USERNAME'), OS_USER_ID: 'u1' },
      { userId: 'u1', userDomainName: undefined },
    ],
    [
      'OS_DOMAIN_NAME fills both',
      { ...BASE, OS_DOMAIN_NAME: 'corp' },
      { userDomainName: 'corp', projectDomainName: 'corp' },
    ],
    [
      'specific domain wins',
      { ...BASE, OS_DOMAIN_NAME: 'corp', OS_USER_DOMAIN_NAME: 'users' },
      { userDomainName: 'users', projectDomainName: 'corp' },
    ],
    [
      'domain id: no default name',
      { ...BASE, OS_USER_DOMAIN_ID: 'd1' },
      { userDomainId: 'd1', userDomainName: undefined },
    ],
    [
      'OS_DOMAIN_ID fills both ids',
      { ...BASE, OS_DOMAIN_ID: 'd9' },
      { userDomainId: 'd9', projectDomainId: 'd9', projectDomainName: undefined },
    ],
    ['publicURL', { ...BASE, OS_INTERFACE: 'publicURL' }, { interface: 'public' }],
    ['internalURL', { ...BASE, OS_INTERFACE: 'internalURL' }, { interface: 'internal' }],
    ['OS_ENDPOINT_TYPE', { ...BASE, OS_ENDPOINT_TYPE: 'adminURL' }, { interface: 'admin' }],
    ['version 3.0', { ...BASE, OS_IDENTITY_API_VERSION: '3.0' }, { identityApiVersion: '3' }],
    ['insecure true', { ...BASE, OS_INSECURE: 'True' }, { insecure: true }],
    ['insecure 0', { ...BASE, OS_INSECURE: '0' }, { insecure: false }],
    [
      'region and cacert',
      { ...BASE, OS_REGION_NAME: 'RegionOne', OS_CACERT: '/ca.pem' },
      { regionName: 'RegionOne', cacert: '/ca.pem' },
    ],
    ['v3password', { ...BASE, OS_AUTH_TYPE: 'v3password' }, { authType: 'password' }],
    ['empty password = none', { ...BASE, OS_PASSWORD: '' }, { password: undefined }],
    [
      'app credential by id',
      {
        OS_AUTH_URL: 'http://k/v3',
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_ID: 'ac',
        OS_APPLICATION_CREDENTIAL_SECRET: 'x',
      },
      { authType: 'v3applicationcredential', applicationCredentialId: 'ac' },
    ],
    [
      'app credential inferred',
      {
        OS_AUTH_URL: 'http://k/v3',
        OS_APPLICATION_CREDENTIAL_ID: 'ac',
        OS_APPLICATION_CREDENTIAL_SECRET: 'x',
      },
      { authType: 'v3applicationcredential' },
    ],
    [
      'app credential by name',
      {
        OS_AUTH_URL: 'http://k/v3',
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_NAME: 'n',
        OS_USERNAME: 'bob',
        OS_APPLICATION_CREDENTIAL_SECRET: 'x',
      },
      { applicationCredentialName: 'n', userDomainName: 'Default' },
    ],
  ])('%s', (_name, env, expected) => expect(fieldsOf(fromEnv(env), expected)).toEqual(expected));

  it.each<[string, Env, string, RegExp?]>([
    ['no auth URL', without('OS_AUTH_URL'), 'OS_AUTH_URL is not set', /openrc/],
    [
      'auth URL without scheme',
      { ...BASE, OS_AUTH_URL: 'keystone.example.com:5000/v3' },
      'OS_AUTH_URL does not start with http(s)://',
      /https:\/\//,
    ],
    ['auth URL not a URL', { ...BASE, OS_AUTH_URL: '/v3' }, 'OS_AUTH_URL is not a URL'],
    ['auth URL ftp', { ...BASE, OS_AUTH_URL: 'ftp://k/v3' }, 'OS_AUTH_URL does not start with http(s)://'],
    [
      'auth URL with user info',
      { ...BASE, OS_AUTH_URL: 'https://admin:pw@k/v3' },
      'OS_AUTH_URL contains a user name or password',
    ],
    ['no user', without('OS_USERNAME'), 'OS_USERNAME is not set', /user id/],
    ['no project', without('OS_PROJECT_NAME'), 'OS_PROJECT_NAME is not set', /project-scoped/],
    [
      'keystone v2',
      { ...BASE, OS_IDENTITY_API_VERSION: '2.0' },
      'OS_IDENTITY_API_VERSION asks for Keystone v2, which tcup does not support',
      /v3/,
    ],
    [
      'version 4',
      { ...BASE, OS_IDENTITY_API_VERSION: '4' },
      'OS_IDENTITY_API_VERSION is not one of 3, 3.0, v3',
    ],
    [
      'bad interface',
      { ...BASE, OS_INTERFACE: 'private' },
      'OS_INTERFACE is not one of public, internal, admin',
    ],
    [
      'bad insecure',
      { ...BASE, OS_INSECURE: 'maybe' },
      'OS_INSECURE is not one of true, false, yes, no, 1, 0',
    ],
    [
      'token auth',
      { ...BASE, OS_AUTH_TYPE: 'token' },
      'OS_AUTH_TYPE is not one of password, v3password, v3applicationcredential',
    ],
    [
      'app cred no secret',
      {
        OS_AUTH_URL: 'http://k/v3',
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_ID: 'ac',
      },
      'OS_APPLICATION_CREDENTIAL_SECRET is not set',
    ],
    [
      'app cred no id',
      {
        OS_AUTH_URL: 'http://k/v3',
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_SECRET: PASSWORD,
      },
      'OS_APPLICATION_CREDENTIAL_ID is not set',
    ],
    [
      'app cred name no user',
      {
        OS_AUTH_URL: 'http://k/v3',
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_NAME: 'n',
        OS_APPLICATION_CREDENTIAL_SECRET: PASSWORD,
      },
      'OS_USERNAME is not set',
      /by name/,
    ],
  ])('rejects %s', (_name, env, message, hint) => {
    const e = errorOf(() => fromEnv(env));
    expect([e.code, e.message]).toEqual(['CREDENTIALS', message]);
    if (hint) expect(e.hint).toMatch(hint);
  });

  it('accepts a missing password (the caller prompts)', () => {
    const c = fromEnv(without('OS_PASSWORD'));
    expect([needsPassword(c), secretsOf(c)]).toEqual([true, []]);
  });
});

const CLOUDS = `
clouds:
  prod:
    auth:
      auth_url: https://keystone.prod.example:5000/v3
      username: alice
      project_name: web
      user_domain_name: corp
      project_domain_id: pd1
    region_name: RegionTwo
    interface: internal
    identity_api_version: 3
    cacert: /etc/ssl/prod.pem
  lab:
    auth:
      auth_url: http://lab:5000
      user_id: u1
      project_id: p1
      domain_name: labdom
    regions: [east, west]
    verify: false
  broken:
    auth:
      username: x
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://k/v3
      application_credential_id: ac1
  list:
    auth:
      auth_url: https://k/v3
      username: [a, b]
`;
const SECURE = `
clouds:
  prod:
    auth:
      password: "${PASSWORD.replaceAll('"', '\\"')}"
  appcred:
    auth:
      application_credential_secret: sekrit
`;

/** A fake file system: path -> text. */
const files = (fs: Record<string, string>) => ({ readFile: (p: string) => fs[p], home: '/home/u' });
const HOME_CLOUDS = '/home/u/.config/openstack/clouds.yaml';
const HOME_SECURE = '/home/u/.config/openstack/secure.yaml';
const homeFs = files({ [HOME_CLOUDS]: CLOUDS, [HOME_SECURE]: SECURE });

describe('parseCredentials from clouds.yaml', () => {
  it.each<[string, Env, { cloud?: string }, Partial<Credentials>]>([
    [
      'secure.yaml merged over clouds.yaml',
      {},
      { cloud: 'prod' },
      {
        username: 'alice',
        password: PASSWORD,
        projectName: 'web',
        userDomainName: 'corp',
        projectDomainId: 'pd1',
        projectDomainName: undefined,
      },
    ],
    [
      'top-level settings',
      {},
      { cloud: 'prod' },
      {
        regionName: 'RegionTwo',
        interface: 'internal',
        identityApiVersion: '3',
        cacert: '/etc/ssl/prod.pem',
        insecure: false,
      },
    ],
    [
      'source names cloud and file',
      {},
      { cloud: 'prod' },
      { source: { kind: 'clouds.yaml', cloud: 'prod', file: HOME_CLOUDS } },
    ],
    ['OS_CLOUD picks the cloud', { OS_CLOUD: 'prod' }, {}, { username: 'alice' }],
    ['option wins over OS_CLOUD', { OS_CLOUD: 'prod' }, { cloud: 'lab' }, { userId: 'u1' }],
    [
      'OS_* ignored with a cloud',
      { OS_USERNAME: 'mallory', OS_AUTH_URL: 'http://other/v3' },
      { cloud: 'prod' },
      { username: 'alice' },
    ],
    [
      'verify false = insecure, first region',
      {},
      { cloud: 'lab' },
      { insecure: true, regionName: 'east', userId: 'u1', projectId: 'p1' },
    ],
    [
      'domain_name fills both',
      {},
      { cloud: 'lab' },
      { userDomainName: 'labdom', projectDomainName: 'labdom' },
    ],
    [
      'OS_PASSWORD fills a missing password',
      { OS_PASSWORD: 'from-env' },
      { cloud: 'lab' },
      { password: 'from-env' },
    ],
    [
      'file password wins over OS_PASSWORD',
      { OS_PASSWORD: 'from-env' },
      { cloud: 'prod' },
      { password: PASSWORD },
    ],
    [
      'app credential from secure.yaml',
      {},
      { cloud: 'appcred' },
      { authType: 'v3applicationcredential', applicationCredentialSecret: 'sekrit' },
    ],
  ])('%s', (_name, env, opts, expected) =>
    expect(fieldsOf(parseCredentials(env, { ...homeFs, ...opts }), expected)).toEqual(expected),
  );

  it.each<[string, Env, string]>([
    ['./clouds.yaml first', {}, './clouds.yaml'],
    ['XDG_CONFIG_HOME', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/openstack/clouds.yaml'],
    ['~/.config/openstack', {}, HOME_CLOUDS],
    ['/etc/openstack', {}, '/etc/openstack/clouds.yaml'],
    ['clouds.yml', {}, '/etc/openstack/clouds.yml'],
    ['OS_CLIENT_CONFIG_FILE first', { OS_CLIENT_CONFIG_FILE: '/my/c.yaml' }, '/my/c.yaml'],
  ])('search path: %s', (_name, env, file) => {
    const present = [
      file,
      '/etc/openstack/clouds.yaml',
      HOME_CLOUDS,
      '/xdg/openstack/clouds.yaml',
      './clouds.yaml',
    ];
    const fs = Object.fromEntries(
      present
        .slice(0, present.indexOf(file) + 1)
        .reverse()
        .map((p) => [p, CLOUDS]),
    );
    if (file.endsWith('.yml')) delete fs['/etc/openstack/clouds.yaml'];
    const c = parseCredentials(env, { ...files({ ...fs, [file]: CLOUDS }), cloud: 'lab' });
    expect(c.source).toEqual({ kind: 'clouds.yaml', cloud: 'lab', file });
  });

  it.each<[string, Env, { cloud?: string; fs?: Record<string, string> }, string, RegExp?]>([
    [
      'no clouds.yaml',
      {},
      { cloud: 'prod', fs: {} },
      '--os-cloud names cloud "prod" but no clouds.yaml was found',
      /\.\/clouds\.yaml.*\/etc\/openstack/,
    ],
    [
      'via OS_CLOUD',
      { OS_CLOUD: 'prod' },
      { fs: {} },
      'OS_CLOUD names cloud "prod" but no clouds.yaml was found',
    ],
    ['unknown cloud', {}, { cloud: 'nope' }, `cloud "nope" is not in ${HOME_CLOUDS}`, /prod, lab, broken/],
    [
      'missing auth_url',
      {},
      { cloud: 'broken' },
      `auth.auth_url is not set for cloud "broken" in ${HOME_CLOUDS}`,
      /clouds\.broken/,
    ],
    [
      'no secret',
      {},
      { cloud: 'appcred', fs: { [HOME_CLOUDS]: CLOUDS } },
      `auth.application_credential_secret is not set for cloud "appcred" in ${HOME_CLOUDS}`,
    ],
    [
      'list value',
      {},
      { cloud: 'list' },
      `auth.username is not a single value for cloud "list" in ${HOME_CLOUDS}`,
    ],
    [
      'bad YAML',
      {},
      { cloud: 'prod', fs: { './clouds.yaml': `clouds:\n  prod: [\n  password: ${PASSWORD}` } },
      './clouds.yaml is not valid YAML (line 3)',
    ],
    [
      'unreadable OS_CLIENT_CONFIG_FILE',
      { OS_CLIENT_CONFIG_FILE: '/gone.yaml' },
      { cloud: 'prod' },
      'OS_CLIENT_CONFIG_FILE names a file that cannot be read',
    ],
  ])('rejects %s', (_name, env, { cloud, fs }, message, hint) => {
    const opts = { ...(fs ? files(fs) : homeFs), ...(cloud ? { cloud } : {}) };
    const e = errorOf(() => parseCredentials(env, opts));
    expect([e.code, e.message]).toEqual(['CREDENTIALS', message]);
    if (hint) expect(e.hint).toMatch(hint);
  });
});

describe('helpers', () => {
  const app = () =>
    fromEnv({
      OS_AUTH_URL: 'http://k:5000/v3',
      OS_APPLICATION_CREDENTIAL_ID: 'ac',
      OS_APPLICATION_CREDENTIAL_SECRET: 'x',
      OS_PASSWORD: 'pw',
    });
  it.each<[string, () => unknown, unknown]>([
    ['secrets of a password user', () => secretsOf(fromEnv(BASE)), [PASSWORD]],
    ['secrets of an app credential', () => secretsOf(app()), ['pw', 'x']],
    ['password user with password', () => needsPassword(fromEnv(BASE)), false],
    ['app credential never prompts', () => needsPassword(app()), false],
    [
      'describe user',
      () => describeCredentials(fromEnv(BASE)),
      'admin@demo on keystone.example.com:5000, from OS_* variables',
    ],
    [
      'describe app credential',
      () => describeCredentials(app()),
      'application credential ac on k:5000, from OS_* variables',
    ],
    [
      'describe cloud',
      () => describeCredentials(parseCredentials({}, { ...homeFs, cloud: 'prod' })),
      `alice@web on keystone.prod.example:5000 (region RegionTwo), from cloud "prod" of ${HOME_CLOUDS}`,
    ],
  ])('%s', (_name, fn, expected) => expect(fn()).toEqual(expected));
});

describe('a missing password without a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-cred-'));
  writeFileSync(join(dir, 'clouds.yaml'), CLOUDS);
  writeFileSync(
    join(dir, 'accounts.yaml'),
    `- {username: demo, password: "${PASSWORD.replaceAll('"', '\\"')}", project_name: demo}\n- {username: alt_demo, project_name: alt}\n`,
  );
  const refusal = async (
    env: Env,
    options: { cloud?: string; accountsFile?: string; severalClouds?: boolean },
  ) => {
    const stdin = Object.assign(Readable.from([]), { isTTY: false }) as unknown as NodeJS.ReadStream;
    const deps = {
      env: { HOME: dir, ...env },
      cwd: dir,
      stdin,
      stderr: new PassThrough() as unknown as NodeJS.WriteStream,
      redactor: createRedactor(),
      signal: new AbortController().signal,
    } as unknown as Deps;
    const reporter = createReporter({
      write: () => undefined,
      isTTY: false,
      verbose: false,
      redact: (s) => s,
    });
    const error = await resolveCloud(deps, { passwordStdin: false, ...options }, reporter).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TcupError);
    const e = error as TcupError;
    expect(`${e.message} ${e.hint}`).not.toContain(PASSWORD);
    return [e.code, e.message, e.hint];
  };

  it.each<[string, Env, { cloud?: string; accountsFile?: string; severalClouds?: boolean }, string, string]>([
    [
      'the OS_* user: OS_PASSWORD and --password-stdin',
      without('OS_PASSWORD'),
      {},
      'OS_PASSWORD is not set (the password of user admin, project demo on keystone.example.com:5000) and there is no terminal to ask for it',
      'export OS_PASSWORD, or pipe the password in with --password-stdin',
    ],
    [
      'a clouds.yaml user: its cloud, secure.yaml and --password-stdin',
      {},
      { cloud: 'lab' },
      `cloud "lab" of ${join(dir, 'clouds.yaml')} has no auth.password and OS_PASSWORD is not set (the password of user u1, project p1 on lab:5000) and there is no terminal to ask for it`,
      'put auth.password of "lab" in secure.yaml, export OS_PASSWORD, or pipe the password in with --password-stdin',
    ],
    [
      'a cloud of several (--password-stdin is refused there): secure.yaml or a terminal',
      {},
      { cloud: 'lab', severalClouds: true },
      `cloud "lab" of ${join(dir, 'clouds.yaml')} has no auth.password and OS_PASSWORD is not set (the password of user u1, project p1 on lab:5000) and there is no terminal to ask for it`,
      'put auth.password of "lab" in secure.yaml (or clouds.yaml), or run tcup in a terminal to be asked for it',
    ],
    [
      'an account of the file: the account, the file, not --password-stdin',
      BASE,
      { accountsFile: 'accounts.yaml' },
      'account alt_demo (project alt) of accounts.yaml has no password and there is no terminal to ask for it',
      'add password: to its entry in accounts.yaml, or run tcup in a terminal to be asked (--password-stdin is only for the OS_* or clouds.yaml user)',
    ],
    [
      'an account of a cloud of several (--password-stdin is refused there): the file or a terminal',
      BASE,
      { cloud: 'lab', accountsFile: 'accounts.yaml', severalClouds: true },
      'account alt_demo (project alt) of accounts.yaml has no password and there is no terminal to ask for it',
      'add password: to its entry in accounts.yaml, or run tcup in a terminal to be asked',
    ],
  ])('names %s', async (_name, env, options, message, hint) => {
    expect(await refusal(env, options)).toEqual(['CREDENTIALS', message, hint]);
  });
});
