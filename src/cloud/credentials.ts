/**
 * OpenStack credentials, read the way python-openstackclient reads them: OS_* variables, or one cloud of
 * clouds.yaml merged with secure.yaml (pure: the environment and a file reader are passed in).
 *
 * Choices: Keystone v2 is refused (the interop tests need v3); a user or project named without a domain
 * gets the domain `Default` (keystoneauth would send none); with a cloud, OS_PASSWORD only fills in a
 * password that neither file holds; OS_CLIENT_CONFIG_FILE must name a readable file. Messages name the
 * variable or key, never its value.
 */
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { TcupError } from '../core/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Credentials {
  authUrl: string;
  authType: 'password' | 'v3applicationcredential';
  username?: string;
  userId?: string;
  password?: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  regionName?: string;
  interface: 'public' | 'internal' | 'admin';
  identityApiVersion: string;
  cacert?: string;
  insecure: boolean;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  source: { kind: 'env' } | { kind: 'clouds.yaml'; cloud: string; file: string };
}

export interface CredentialOptions {
  /** The cloud of clouds.yaml to use (--os-cloud); OS_CLOUD when absent. */
  cloud?: string;
  /** Reads a file; undefined when it does not exist or cannot be read. */
  readFile: (path: string) => string | undefined;
  home: string;
  /** Directory searched first for clouds.yaml (default: `.`). */
  cwd?: string;
}

/** Each field: its OS_* variables, then its clouds.yaml keys, in order of preference. */
const FIELDS = {
  authUrl: 'OS_AUTH_URL auth.auth_url',
  authType: 'OS_AUTH_TYPE auth_type',
  username: 'OS_USERNAME auth.username',
  userId: 'OS_USER_ID auth.user_id',
  password: 'OS_PASSWORD auth.password',
  projectName: 'OS_PROJECT_NAME,OS_TENANT_NAME auth.project_name,auth.tenant_name',
  projectId: 'OS_PROJECT_ID,OS_TENANT_ID auth.project_id,auth.tenant_id',
  userDomainName: 'OS_USER_DOMAIN_NAME,OS_DOMAIN_NAME auth.user_domain_name,auth.domain_name',
  userDomainId: 'OS_USER_DOMAIN_ID,OS_DOMAIN_ID auth.user_domain_id,auth.domain_id',
  projectDomainName: 'OS_PROJECT_DOMAIN_NAME,OS_DOMAIN_NAME auth.project_domain_name,auth.domain_name',
  projectDomainId: 'OS_PROJECT_DOMAIN_ID,OS_DOMAIN_ID auth.project_domain_id,auth.domain_id',
  regionName: 'OS_REGION_NAME region_name',
  interface: 'OS_INTERFACE,OS_ENDPOINT_TYPE interface,endpoint_type',
  identityApiVersion: 'OS_IDENTITY_API_VERSION identity_api_version',
  cacert: 'OS_CACERT cacert',
  insecure: 'OS_INSECURE insecure',
  applicationCredentialId: 'OS_APPLICATION_CREDENTIAL_ID auth.application_credential_id',
  applicationCredentialName: 'OS_APPLICATION_CREDENTIAL_NAME auth.application_credential_name',
  applicationCredentialSecret: 'OS_APPLICATION_CREDENTIAL_SECRET auth.application_credential_secret',
} as const;
type Field = keyof typeof FIELDS;
const keysOf = (f: Field, kind: 0 | 1): string[] => (FIELDS[f].split(' ')[kind] ?? '').split(',');
const SECRET_FIELDS: ReadonlySet<Field> = new Set(['password', 'applicationCredentialSecret']);

/** A source of raw values: `get` answers the first key that is set, `name` the key to blame. */
interface Lookup {
  get(field: Field): { value?: string; name: string };
  /** Appended to "<name> is not set": empty for env, ` for cloud "x" in <file>` for clouds.yaml. */
  where: string;
  hint: string;
  source: Credentials['source'];
}

const ENV_HINT = 'source your openrc file (. ./admin-openrc.sh) or pass --os-cloud NAME';

export function parseCredentials(env: Env, opts: CredentialOptions): Credentials {
  const cloud = nonEmpty(opts.cloud) ?? nonEmpty(env.OS_CLOUD);
  if (cloud === undefined) return buildCredentials(envLookup(env));
  const lookup = cloudLookup(env, opts, cloud, opts.cloud ? '--os-cloud' : 'OS_CLOUD');
  return buildCredentials(lookup, nonEmpty(env.OS_PASSWORD));
}

function buildCredentials(lookup: Lookup, fallbackPassword?: string): Credentials {
  const fail = (message: string, hint = lookup.hint): never => {
    throw new TcupError('CREDENTIALS', message + lookup.where, hint);
  };
  const get = (f: Field) => lookup.get(f).value;
  const name = (f: Field) => lookup.get(f).name;
  const authUrl = get('authUrl') ?? fail(`${name('authUrl')} is not set`);
  checkAuthUrl(authUrl, name('authUrl'), fail);
  const identityApiVersion = parseVersion(get('identityApiVersion'), name('identityApiVersion'), fail);
  const authType = parseAuthType(lookup, fail);
  const iface = choose(
    INTERFACES,
    (get('interface') ?? 'public').replace(/url$/i, ''),
    name('interface'),
    fail,
  );
  const insecure = choose(BOOLEANS, get('insecure') ?? 'false', name('insecure'), fail);
  const c: Credentials = {
    authUrl,
    authType,
    interface: iface,
    identityApiVersion,
    insecure,
    source: lookup.source,
  };
  for (const f of Object.keys(FIELDS) as Field[]) {
    const v = get(f);
    if (v !== undefined && isCopied(f)) c[f] = v;
  }
  c.password ??= fallbackPassword;
  const user = c.username ?? c.userId;
  if (authType === 'v3applicationcredential') {
    if (!c.applicationCredentialSecret) fail(`${name('applicationCredentialSecret')} is not set`);
    if (!c.applicationCredentialId && !c.applicationCredentialName)
      fail(`${name('applicationCredentialId')} is not set`, `set it, or the credential's name and its user`);
    if (!c.applicationCredentialId && user === undefined)
      fail(`${name('username')} is not set`, 'an application credential given by name needs its user too');
  } else {
    if (user === undefined) fail(`${name('username')} is not set`, `${lookup.hint} (or set the user id)`);
    if (c.projectName === undefined && c.projectId === undefined)
      fail(
        `${name('projectName')} is not set`,
        'the interop tests need a project-scoped token: set it or the project id',
      );
  }
  if (c.username !== undefined && !c.userDomainId) c.userDomainName ??= 'Default';
  if (c.projectName !== undefined && !c.projectDomainId) c.projectDomainName ??= 'Default';
  return c;
}

type Fail = (message: string, hint?: string) => never;
const OWN_PARSERS: ReadonlySet<Field> = new Set([
  'authUrl',
  'authType',
  'interface',
  'identityApiVersion',
  'insecure',
]);
const isCopied = (f: Field): f is Exclude<Field, 'authType' | 'interface' | 'insecure'> =>
  !OWN_PARSERS.has(f);

function checkAuthUrl(value: string, name: string, fail: Fail): void {
  const example = 'write the identity endpoint with its scheme, e.g. https://keystone.example.com:5000/v3';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${name} is not a URL`, example);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(`${name} does not start with http(s)://`, example);
  if (!url.hostname) fail(`${name} has no host`, example);
  if (url.username || url.password)
    fail(`${name} contains a user name or password`, 'remove them from the URL');
}

const table = <T>(...pairs: [string, T][]): ReadonlyMap<string, T> => new Map(pairs);
const VERSIONS = table(['3', '3'], ['3.0', '3'], ['v3', '3']);
const AUTH_TYPES = table<Credentials['authType']>(
  ['password', 'password'],
  ['v3password', 'password'],
  ['v3applicationcredential', 'v3applicationcredential'],
);
const INTERFACES = table<Credentials['interface']>(
  ['public', 'public'],
  ['internal', 'internal'],
  ['admin', 'admin'],
);
const BOOLEANS = table(
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
  ['1', true],
  ['0', false],
);

/** The value of `choices` for a raw value (case-insensitive), or a failure naming the key and the choices. */
function choose<T>(choices: ReadonlyMap<string, T>, raw: string, name: string, fail: Fail, hint?: string): T {
  const value = choices.get(raw.toLowerCase());
  if (value !== undefined) return value;
  return fail(`${name} is not one of ${[...choices.keys()].join(', ')}`, hint ?? 'set it to one of those');
}

function parseVersion(value: string | undefined, name: string, fail: Fail): string {
  const hint = 'the interop tests need the identity v3 API: set it to 3 and use a v3 auth URL';
  if (value && /^v?2(\.0)?$/i.test(value))
    fail(`${name} asks for Keystone v2, which tcup does not support`, hint);
  return choose(VERSIONS, value ?? '3', name, fail, hint);
}

function parseAuthType(lookup: Lookup, fail: Fail): Credentials['authType'] {
  const { value, name } = lookup.get('authType');
  if (value !== undefined) return choose(AUTH_TYPES, value, name, fail);
  const has = (f: Field) => lookup.get(f).value !== undefined;
  const appCred =
    has('applicationCredentialSecret') &&
    (has('applicationCredentialId') || has('applicationCredentialName')) &&
    !has('projectName') &&
    !has('projectId');
  return appCred ? 'v3applicationcredential' : 'password';
}

function envLookup(env: Env): Lookup {
  return {
    get(field) {
      const names = keysOf(field, 0);
      for (const n of names) {
        const value = clean(field, env[n]);
        if (value !== undefined) return { value, name: n };
      }
      return { name: names[0] ?? field };
    },
    where: '',
    hint: ENV_HINT,
    source: { kind: 'env' },
  };
}

/** Where openstackclient looks for clouds.yaml and secure.yaml, in order (after OS_CLIENT_CONFIG_FILE). */
const configDirs = (env: Env, opts: CredentialOptions): string[] => [
  opts.cwd ?? '.',
  join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(opts.home, '.config'), 'openstack'),
  '/etc/openstack',
];

/** clouds.yaml as openstackclient finds it: OS_CLIENT_CONFIG_FILE (which must be readable), else the dirs. */
function findCloudsYaml(env: Env, opts: CredentialOptions) {
  const override = nonEmpty(env.OS_CLIENT_CONFIG_FILE);
  const dirs = configDirs(env, opts);
  if (override && opts.readFile(override) === undefined)
    throw new TcupError(
      'CREDENTIALS',
      'OS_CLIENT_CONFIG_FILE names a file that cannot be read',
      'fix or unset it',
    );
  return { override, dirs, clouds: findYaml(opts, dirs, 'clouds', override) };
}

/**
 * Every cloud of the clouds.yaml openstackclient would read (merged with secure.yaml, so a cloud only
 * secure.yaml names counts too), in the file's order: --all-clouds. No clouds.yaml is a CREDENTIALS error.
 */
export function listClouds(env: Env, opts: CredentialOptions): { file: string; names: string[] } {
  const { override, dirs, clouds } = findCloudsYaml(env, opts);
  if (!clouds)
    throw new TcupError(
      'CREDENTIALS',
      '--all-clouds: no clouds.yaml was found',
      `looked in ${[...(override ? [override] : []), ...dirs.map((d) => inDir(d, 'clouds.yaml'))].join(', ')}`,
    );
  const secure = findYaml(opts, dirs, 'secure', nonEmpty(env.OS_CLIENT_SECURE_FILE));
  const all = merge(clouds.data, secure?.data);
  const entries = isRecord(all) && isRecord(all.clouds) ? all.clouds : {};
  return { file: clouds.file, names: Object.keys(entries).filter((n) => isRecord(entries[n])) };
}

function cloudLookup(env: Env, opts: CredentialOptions, cloud: string, via: string): Lookup {
  const { dirs, clouds } = findCloudsYaml(env, opts);
  if (!clouds) {
    const where = dirs.map((d) => inDir(d, 'clouds.yaml')).join(', ');
    throw new TcupError(
      'CREDENTIALS',
      `${via} names cloud "${cloud}" but no clouds.yaml was found`,
      `looked in ${where}`,
    );
  }
  const secure = findYaml(opts, dirs, 'secure', nonEmpty(env.OS_CLIENT_SECURE_FILE));
  const all = merge(clouds.data, secure?.data);
  const file = clouds.file;
  const entries = isRecord(all) && isRecord(all.clouds) ? all.clouds : {};
  const config = entries[cloud];
  if (!isRecord(config)) {
    const names = Object.keys(entries).join(', ') || 'none';
    throw new TcupError('CREDENTIALS', `cloud "${cloud}" is not in ${file}`, `clouds there: ${names}`);
  }
  const where = ` for cloud "${cloud}" in ${file}`;
  const fail: Fail = (message) => {
    throw new TcupError('CREDENTIALS', message + where, `fix clouds.${cloud} in that file`);
  };
  const read = (key: string): unknown =>
    key.split('.').reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), config);
  return {
    get(field) {
      const keys = keysOf(field, 1);
      for (const key of keys) {
        const value = clean(field, scalar(read(key), key, fail));
        if (value !== undefined) return { value, name: key };
      }
      if (field === 'insecure' && typeof config.verify === 'boolean')
        return { value: String(!config.verify), name: 'verify' };
      if (field === 'regionName' && Array.isArray(config.regions)) {
        const first: unknown = config.regions[0];
        const value = isRecord(first) ? first.name : first;
        if (typeof value === 'string') return { value, name: 'regions' };
      }
      return { name: keys[0] ?? field };
    },
    where,
    hint: `add it under clouds.${cloud} in that file (vendor profiles are not supported)`,
    source: { kind: 'clouds.yaml', cloud, file },
  };
}

function findYaml(opts: CredentialOptions, dirs: string[], base: string, override?: string) {
  const names = ['yaml', 'yml', 'json'].map((ext) => `${base}.${ext}`);
  const files = [...(override ? [override] : []), ...dirs.flatMap((d) => names.map((n) => inDir(d, n)))];
  for (const file of files) {
    const text = opts.readFile(file);
    if (text === undefined) continue;
    const doc = parseDocument(text);
    const line = doc.errors[0]?.linePos?.[0].line;
    if (doc.errors.length > 0)
      throw new TcupError('CREDENTIALS', `${file} is not valid YAML (line ${line ?? '?'})`, 'fix the file');
    return { file, data: doc.toJS() as unknown };
  }
  return undefined;
}

/** secure.yaml over clouds.yaml, as openstacksdk merges them: mappings deeply, anything else replaced. */
function merge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

function scalar(value: unknown, key: string, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return fail(`${key} is not a single value`);
}

/** Trims names and URLs (an openrc saved with CRLF ends each value in \r); secrets are kept verbatim. */
function clean(field: Field, value: string | undefined): string | undefined {
  return SECRET_FIELDS.has(field) ? (value === '' ? undefined : value) : nonEmpty(value?.trim());
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);
const inDir = (dir: string, name: string) => (dir === '.' ? `./${name}` : join(dir, name));
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every secret value, for the redactor. */
export function secretsOf(c: Credentials): string[] {
  return [c.password, c.applicationCredentialSecret].filter((s): s is string => !!s);
}

/** True when the password must still be asked for. */
export function needsPassword(c: Credentials): boolean {
  return c.authType === 'password' && !c.password;
}

/**
 * Asking for the missing password: the prompt, and without a terminal the secret named (whose, which
 * cloud) and what supplies it instead (--password-stdin, the variable, the file).
 */
export function passwordQuestion(
  c: Credentials,
  /** False with several clouds: --password-stdin is refused there, so the hint names a terminal. */
  stdinOffered = true,
): { message: string; missing: string; supply: string } {
  const user = c.username ?? c.userId ?? 'the user';
  const project = c.projectName ?? c.projectId;
  const whose = `the password of user ${user}${project ? `, project ${project}` : ''} on ${new URL(c.authUrl).host}`;
  if (c.source.kind === 'env')
    return {
      message: `OpenStack password for ${user}`,
      missing: `OS_PASSWORD is not set (${whose})`,
      supply: 'export OS_PASSWORD, or pipe the password in with --password-stdin',
    };
  const cloud = c.source.cloud;
  return {
    message: `OpenStack password for ${user} (cloud "${cloud}")`,
    missing: `cloud "${cloud}" of ${c.source.file} has no auth.password and OS_PASSWORD is not set (${whose})`,
    supply: stdinOffered
      ? `put auth.password of "${cloud}" in secure.yaml, export OS_PASSWORD, or pipe the password in with --password-stdin`
      : `put auth.password of "${cloud}" in secure.yaml (or clouds.yaml), or run tcup in a terminal to be asked for it`,
  };
}

/** One safe line: who, where, from which source; never a secret. */
export function describeCredentials(c: Credentials): string {
  const host = new URL(c.authUrl).host;
  const who =
    c.authType === 'v3applicationcredential'
      ? `application credential ${c.applicationCredentialId ?? `${c.applicationCredentialName} of ${c.username ?? c.userId}`}`
      : `${c.username ?? c.userId}@${c.projectName ?? c.projectId}`;
  const from = c.source.kind === 'env' ? 'OS_* variables' : `cloud "${c.source.cloud}" of ${c.source.file}`;
  return `${who} on ${host}${c.regionName ? ` (region ${c.regionName})` : ''}, from ${from}`;
}
