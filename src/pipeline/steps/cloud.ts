/** Steps 1 and 2 of a run: whose credentials, every secret registered, every account checked with Keystone. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { accountsNeedingPassword, parseAccounts, type Account } from '../../cloud/accounts.js';
import {
  describeCredentials,
  needsPassword,
  parseCredentials,
  passwordQuestion,
  secretsOf,
  type Credentials,
} from '../../cloud/credentials.js';
import { TcupError } from '../../core/errors.js';
import { readCaBundle, type HttpClient } from '../../core/http.js';
import { authenticate, type CatalogEntry, type KeystoneToken } from '../../cloud/keystone.js';
import type { Reporter } from '../../core/log.js';
import { askPassword, readSecretFromStream } from '../../core/prompt.js';
import type { Deps } from '../options.js';
import type { AccountWithRoles } from '../../tempest/accounts.js';
import type { RequestFields } from '../../protocol/container.js';

export interface ResolvedCloud {
  credentials: Credentials;
  /** From --accounts; undefined: the OS_* user is the only account. */
  accounts?: Account[];
}

export interface CheckedAccounts {
  cpid: string;
  /** The OS_* user's service catalog (where the version documents are: src/cloud/versions.ts). */
  catalog: CatalogEntry[];
  withRoles: AccountWithRoles[];
}

interface CloudOptions {
  cloud?: string | undefined;
  passwordStdin: boolean;
  /** Several clouds: --password-stdin is refused, so a missing password's hint does not offer it. */
  severalClouds?: boolean | undefined;
  accountsFile?: string | undefined;
  /** Accounts given directly (tcup demo), instead of a file; their passwords are set. */
  accounts?: Account[] | undefined;
  cacert?: string | undefined;
  insecure?: boolean | undefined;
}

const readFileOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export async function resolveCloud(
  deps: Deps,
  options: CloudOptions,
  reporter: Reporter,
): Promise<ResolvedCloud> {
  const credentials = parseCredentials(deps.env, {
    ...(options.cloud ? { cloud: options.cloud } : {}),
    readFile: readFileOrUndefined,
    home: deps.env.HOME ?? homedir(),
    cwd: deps.cwd,
  });
  if (options.cacert) credentials.cacert = resolve(deps.cwd, options.cacert);
  if (options.insecure) credentials.insecure = true;
  if (needsPassword(credentials)) {
    const { message, missing, supply } = passwordQuestion(credentials, !options.severalClouds);
    credentials.password = options.passwordStdin
      ? await readSecretFromStream(deps.stdin, 'the password')
      : await askPassword({
          message,
          unasked: { missing, supply },
          signal: deps.signal,
          input: deps.stdin,
          output: deps.stderr,
        });
  }
  for (const secret of secretsOf(credentials)) deps.redactor.add(secret, 'the password');
  for (const weak of deps.redactor.weakSecrets())
    reporter.warn(
      `${weak.name ?? 'a secret'} has only ${weak.length} characters: every occurrence of it in the output is redacted`,
    );
  reporter.step(`credentials: ${describeCredentials(credentials)}`);

  if (options.accounts) {
    for (const account of options.accounts) if (account.password) deps.redactor.add(account.password);
    reporter.step(`accounts: ${options.accounts.length}`);
    return { credentials, accounts: options.accounts };
  }
  if (!options.accountsFile) return { credentials };
  const text = readFileOrUndefined(resolve(deps.cwd, options.accountsFile));
  if (text === undefined)
    throw new TcupError(
      'USAGE',
      `cannot read the accounts file ${options.accountsFile}`,
      'check the path given to --accounts',
    );
  const accounts = parseAccounts(text, options.accountsFile);
  for (const account of accountsNeedingPassword(accounts))
    account.password = await askPassword({
      message: `password for account ${account.username}`,
      unasked: accountUnasked(account, options.accountsFile, !options.severalClouds),
      signal: deps.signal,
      input: deps.stdin,
      output: deps.stderr,
    });
  for (const account of accounts) if (account.password) deps.redactor.add(account.password);
  reporter.step(`accounts: ${accounts.length} from ${options.accountsFile}`);
  return { credentials, accounts };
}

/**
 * Without a terminal, an account of the file with no password: --password-stdin carries only the OS_* /
 * clouds.yaml user's (one secret, any characters, so no separator), so the file is where it goes. With
 * several clouds --password-stdin is refused altogether: not named.
 */
function accountUnasked(
  account: Account,
  file: string,
  stdinOffered: boolean,
): { missing: string; supply: string } {
  const project = account.projectName ?? account.projectId;
  return {
    missing: `account ${account.username}${project ? ` (project ${project})` : ''} of ${file} has no password`,
    supply: `add password: to its entry in ${file}, or run tcup in a terminal to be asked${
      stdinOffered ? ' (--password-stdin is only for the OS_* or clouds.yaml user)' : ''
    }`,
  };
}

/** Authenticates the OS_* user and every account (in parallel): the cpid, and each account's real roles. */
export async function checkAccounts(
  http: HttpClient,
  cloud: ResolvedCloud,
  deps: Deps,
  reporter: Reporter,
): Promise<CheckedAccounts> {
  const started = deps.now();
  const main = await authenticate(http, cloud.credentials, { signal: deps.signal });
  deps.redactor.add(main.token);
  let withRoles: AccountWithRoles[];
  if (cloud.accounts) {
    withRoles = await Promise.all(
      cloud.accounts.map(async (account) => {
        const auth = await authenticate(http, accountCredentials(account, cloud.credentials), {
          signal: deps.signal,
        }).catch((error: unknown) => {
          if (error instanceof TcupError)
            throw new TcupError(error.code, `account ${account.username}: ${error.message}`, error.hint, {
              cause: error,
            });
          throw error;
        });
        deps.redactor.add(auth.token);
        return toAccountWithRoles(account, auth);
      }),
    );
  } else {
    const c = cloud.credentials;
    if (c.authType !== 'password' || !c.username || c.password === undefined)
      throw new TcupError(
        'CREDENTIALS',
        'Tempest needs user accounts with passwords; application credentials alone cannot run the interop tests',
        'pass --accounts FILE listing non-admin users (Tempest accounts format)',
      );
    withRoles = [
      {
        username: c.username,
        password: c.password,
        ...(c.projectName ? { projectName: c.projectName } : {}),
        ...(c.projectId ? { projectId: c.projectId } : {}),
        ...(c.userDomainName ? { userDomainName: c.userDomainName } : {}),
        ...(c.projectDomainName ? { projectDomainName: c.projectDomainName } : {}),
        ...(main.scopeDomainId ? { scopeDomainId: main.scopeDomainId } : {}),
        ...(main.projectId ? { scopeProjectId: main.projectId } : {}),
        roles: main.roles,
      },
    ];
  }
  reporter.step(
    `Keystone accepted ${withRoles.length === 1 ? 'the credentials' : `all ${withRoles.length} accounts`} ` +
      `(${((deps.now() - started) / 1000).toFixed(1)} s); cpid ${main.cpid}`,
  );
  return { cpid: main.cpid, catalog: main.catalog, withRoles };
}

function accountCredentials(account: Account, base: Credentials): Credentials {
  const domain = account.domainName;
  return {
    authUrl: base.authUrl,
    authType: 'password',
    username: account.username,
    password: account.password ?? '',
    ...(account.projectName ? { projectName: account.projectName } : {}),
    ...(account.projectId ? { projectId: account.projectId } : {}),
    userDomainName: account.userDomainName ?? domain ?? base.userDomainName ?? 'Default',
    projectDomainName: account.projectDomainName ?? domain ?? base.projectDomainName ?? 'Default',
    interface: base.interface,
    identityApiVersion: base.identityApiVersion,
    ...(base.cacert ? { cacert: base.cacert } : {}),
    insecure: base.insecure,
    ...(base.regionName ? { regionName: base.regionName } : {}),
    source: base.source,
  };
}

function toAccountWithRoles(
  account: Account,
  { roles, scopeDomainId, projectId }: Pick<KeystoneToken, 'roles' | 'scopeDomainId' | 'projectId'>,
): AccountWithRoles {
  return {
    username: account.username,
    password: account.password ?? '',
    ...(account.projectName ? { projectName: account.projectName } : {}),
    ...(account.projectId ? { projectId: account.projectId } : {}),
    ...(account.domainName ? { domainName: account.domainName } : {}),
    ...(account.userDomainName ? { userDomainName: account.userDomainName } : {}),
    ...(account.projectDomainName ? { projectDomainName: account.projectDomainName } : {}),
    ...(account.types ? { types: account.types } : {}),
    ...(account.resources ? { resources: account.resources } : {}),
    ...(scopeDomainId ? { scopeDomainId } : {}),
    ...(projectId ? { scopeProjectId: projectId } : {}),
    roles,
  };
}

/**
 * The `cloud` part of the container request: what python-tempestconf needs (secrets included). It
 * discovers the cloud as a user with a password, so with application credentials the first account does it.
 */
export function containerCloud(cloud: ResolvedCloud): RequestFields['cloud'] {
  const first = cloud.accounts?.[0];
  const c =
    cloud.credentials.authType === 'v3applicationcredential' && first
      ? accountCredentials(first, cloud.credentials)
      : cloud.credentials;
  return {
    auth_url: c.authUrl,
    auth_type: c.authType === 'v3applicationcredential' ? 'v3applicationcredential' : 'password',
    username: c.username,
    user_id: c.userId,
    password: c.password,
    project_name: c.projectName,
    project_id: c.projectId,
    user_domain_name: c.userDomainName,
    user_domain_id: c.userDomainId,
    project_domain_name: c.projectDomainName,
    project_domain_id: c.projectDomainId,
    region_name: c.regionName,
    interface: c.interface,
    application_credential_id: c.applicationCredentialId,
    application_credential_name: c.applicationCredentialName,
    application_credential_secret: c.applicationCredentialSecret,
    cacert_pem: c.cacert ? readCaBundle(c.cacert).toString('utf8') : undefined,
    insecure: c.insecure,
  };
}
