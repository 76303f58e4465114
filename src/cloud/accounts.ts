/**
 * Tempest's pre-provisioned accounts file (accounts.yaml): parsing a user's file and writing the one the
 * container reads (pure). Messages name the entry and the key, never a password.
 */
import { parseDocument, stringify } from 'yaml';
import { TcupError } from '../core/errors.js';

export interface Account {
  username: string;
  password?: string;
  projectName?: string;
  projectId?: string;
  domainName?: string;
  userDomainName?: string;
  projectDomainName?: string;
  roles?: string[];
  /** Tempest's credential types (it maps them to the object-storage roles). */
  types?: AccountType[];
  /** Tempest's per-account resources: the name of the network this account's tests use. */
  resources?: { network?: string };
}

/**
 * The `types` tcup passes to Tempest. `admin` is refused: the interop tests run as non-admin users,
 * and python-tempestconf is told so (--non-admin); Tempest ignores any other name silently.
 */
export const ACCOUNT_TYPES = ['operator', 'reseller_admin'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** Tempest's key for each string field of an Account (tenant_name is read as project_name). */
const STRING_KEYS = {
  username: 'username',
  password: 'password',
  projectName: 'project_name',
  projectId: 'project_id',
  domainName: 'domain_name',
  userDomainName: 'user_domain_name',
  projectDomainName: 'project_domain_name',
} as const;
const KNOWN = new Set<string>([...Object.values(STRING_KEYS), 'roles', 'types', 'tenant_name', 'resources']);

/** Parses the text of an accounts file; `file` only names it in messages. */
export function parseAccounts(text: string, file = 'the accounts file'): Account[] {
  const usage = (message: string, hint = "see Tempest's accounts.yaml sample for the format") =>
    new TcupError('USAGE', `${file}: ${message}`, hint);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw usage(`not valid YAML (line ${doc.errors[0]?.linePos?.[0].line ?? '?'})`);
  const data: unknown = doc.toJS();
  if (!Array.isArray(data) || data.length === 0) throw usage('expected a non-empty YAML list of accounts');
  return data.map((entry: unknown, i) => parseEntry(entry, (m, hint) => usage(`entry ${i + 1}: ${m}`, hint)));
}

function parseEntry(entry: unknown, usage: (message: string, hint?: string) => TcupError): Account {
  if (!isRecord(entry)) throw usage('is not a mapping of keys to values');
  for (const key of Object.keys(entry)) if (!KNOWN.has(key)) throw usage(`unknown key "${key}"`);
  const str = (key: string): string | undefined => {
    const v = entry[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw usage(`"${key}" is not a string`, 'quote the value in the file');
    return v;
  };
  const list = (key: string): string[] | undefined => {
    const v = entry[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw usage(`"${key}" is not a list of strings`);
    return v;
  };
  const username = str('username');
  if (!username) throw usage('"username" is missing');
  if (entry.project_name != null && entry.tenant_name != null)
    throw usage('has both "project_name" and "tenant_name"', 'keep project_name only');
  const account: Account = { username };
  for (const [field, key] of Object.entries(STRING_KEYS) as [keyof typeof STRING_KEYS, string][]) {
    const v = str(key);
    if (v !== undefined) account[field] = v;
  }
  const tenant = str('tenant_name');
  if (tenant !== undefined) account.projectName = tenant;
  const roles = list('roles');
  if (roles !== undefined) account.roles = roles;
  const types = list('types');
  if (types !== undefined) {
    for (const t of types) {
      if (t === 'admin')
        throw usage(
          'has "types: [admin]": tcup runs the interop tests as non-admin users and hands Tempest no admin account',
          'remove this entry (or its admin type): the interop tests need no admin',
        );
      if (!(ACCOUNT_TYPES as readonly string[]).includes(t))
        throw usage(
          `has the unknown type "${t}"`,
          `Tempest's types are ${ACCOUNT_TYPES.join(' and ')} (it would ignore any other silently)`,
        );
    }
    account.types = types as AccountType[];
  }
  const resources = entry.resources;
  if (resources != null) {
    if (!isRecord(resources) || !Object.values(resources).every((v) => typeof v === 'string'))
      throw usage('"resources" is not a mapping of names to strings');
    for (const key of Object.keys(resources))
      if (key !== 'network')
        throw usage(
          `"resources" has "${key}", which Tempest does not read`,
          'Tempest reads only resources.network (the name of the network for this account)',
        );
    if (typeof resources.network === 'string') account.resources = { network: resources.network };
  }
  return account;
}

/** The accounts that have no password yet (the caller asks for them). */
export function accountsNeedingPassword(accounts: readonly Account[]): Account[] {
  return accounts.filter((a) => !a.password);
}

/**
 * Tempest's accounts.yaml for these accounts. Every string is double-quoted, so no password can change
 * meaning, and characters that PyYAML (YAML 1.1, which Tempest uses) takes for line breaks or refuses
 * (NEL, LS, PS, DEL, C1 controls, BOM) are escaped.
 */
export function renderAccountsYaml(accounts: readonly Account[]): string {
  const entries = accounts.map((a) => {
    const out: Record<string, unknown> = {};
    for (const [field, key] of Object.entries(STRING_KEYS) as [keyof typeof STRING_KEYS, string][])
      if (a[field] !== undefined) out[key] = a[field];
    if (a.roles !== undefined) out.roles = a.roles;
    if (a.types !== undefined) out.types = a.types;
    if (a.resources !== undefined) out.resources = a.resources;
    return out;
  });
  const text = stringify(entries, {
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  });
  // Keys are fixed ASCII names, so any such character here sits inside a double-quoted string.
  return text.replace(/[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g, escapeChar);
}

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${hex(n, 2)}` : `\\u${hex(n, 4)}`;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
