/**
 * Tempest settings that fit the cloud and the Tempest (pure): roles read from the accounts' own tokens
 * decide the object-storage operator and reseller-admin roles and `auth.tempest_roles`; the number of
 * accounts decides the concurrency; the first account's token its domain for
 * `identity.default_domain_id`; the Tempest variant and the selected tests the settings only one Tempest
 * has (`compute-feature-enabled.xenapi_apis`, Tempest 33 only: removed in 39); and, for a Tempest that
 * takes a project reader from the primary's project (47), a reader twin of each member account in the
 * accounts file (src/tempest/readers.ts). The user's --tempest-option values win over everything here.
 */
import { TcupError } from '../core/errors.js';
import type { AccountWithRoles, PlannedAccount } from './accounts.js';
import { needsReaderTwins, withReaderTwins } from './readers.js';

export interface TempestPlan {
  /** The accounts as planned, one per account given. */
  accounts: PlannedAccount[];
  /** Tempest's accounts.yaml, in order: `accounts`, then the reader twins where the Tempest needs them. */
  accountsFile: PlannedAccount[];
  concurrency: number;
  /** `section.key value` pairs for python-tempestconf, in order. */
  overrides: [string, string][];
  operatorRole?: string;
  resellerRole?: string;
  /** What this leaves out and why, one sentence each. */
  notes: string[];
  /** Settings chosen here beyond the roles, one line each saying what and why (shown, and in summary.json). */
  choices: string[];
}

export interface PlanOptions {
  concurrency?: number;
  userOptions?: readonly [string, string][];
  /** The Tempest variant that runs ("47", "43", "33"). */
  tempest?: string;
  /** Its Tempest's version ("47.0.0"). */
  tempestVersion?: string;
  /** The test ids that run. */
  tests?: readonly string[];
}

/** Tempest 33 runs these only with compute-feature-enabled.xenapi_apis=True. */
const XENAPI_GATED = /^tempest\.api\.compute\.servers\.test_server_metadata(_negative)?\./;
/** Tests of APIs Nova really removed with XenAPI (os-agents, resetNetwork): never enabled for them. */
const XENAPI_REMOVED = /^tempest\.api\.compute\.admin\.(test_agents|test_servers\.[^.]+\.test_reset_network)/;
const XENAPI = 'compute-feature-enabled.xenapi_apis';
const DEFAULT_DOMAIN = 'identity.default_domain_id';

const MAX_WORKERS = 8;

export function planTempest(accounts: readonly AccountWithRoles[], options: PlanOptions = {}): TempestPlan {
  const notes: string[] = [];
  const choices: string[] = [];
  const resellerRole = accounts.flatMap((a) => a.roles).find((r) => /^reseller_?admin$/i.test(r));
  const isReseller = (a: AccountWithRoles) => resellerRole !== undefined && a.roles.includes(resellerRole);
  const members = accounts.filter((a) => !isReseller(a));
  const resellers = accounts.filter(isReseller);
  const operatorRole = commonRole(members);

  const planned: PlannedAccount[] = accounts.map((a) => ({
    ...a,
    // A reseller admin is listed with that role only, so it is never handed out as an operator.
    roles: isReseller(a) ? [resellerRole!] : a.roles.filter((r) => r !== resellerRole),
  }));

  let workers = Math.max(1, Math.floor(members.length / 2));
  if (resellers.length > 0) workers = Math.min(workers, resellers.length);
  workers = Math.min(workers, MAX_WORKERS);
  const concurrency = options.concurrency ?? workers;

  if (members.length < 2)
    notes.push(
      `only ${members.length} non-admin account: tests that need a second user or project are skipped (pass --accounts FILE with more)`,
    );
  if (members.length > 0 && !operatorRole)
    notes.push('the non-admin accounts share no role: object-storage tests cannot pick an operator account');
  if (!resellerRole)
    notes.push('no account has a reseller admin role: the object-storage quota tests are skipped');
  if (options.concurrency !== undefined && options.concurrency > workers)
    notes.push(
      `concurrency ${options.concurrency} is more than the accounts allow (${workers}: two accounts per worker, one reseller admin each); some classes may fail with "Insufficient number of users provided"`,
    );

  const readers = needsReaderTwins(options.tempestVersion) ? withReaderTwins(planned) : undefined;
  if (readers) notes.push(...readers.notes);

  const overrides: [string, string][] = [];
  if (operatorRole) {
    overrides.push(['auth.tempest_roles', operatorRole], ['object-storage.operator_role', operatorRole]);
  }
  if (resellerRole) overrides.push(['object-storage.reseller_admin_role', resellerRole]);
  const user = options.userOptions ?? [];
  const userKeys = new Set(user.map(([k]) => k));
  for (const [key, value, why] of tempestFacts(accounts, options))
    if (!userKeys.has(key)) {
      overrides.push([key, value]);
      choices.push(`${key}=${value}: ${why}`);
    }
  if (readers && readers.twinned.length > 0) {
    choices.push(
      `accounts file: ${readers.twinned.length} member account(s) listed again with the role reader (${listed(readers.twinned)}): Tempest ${options.tempestVersion} takes each class's project reader from its primary's project, and their tokens carry reader (Keystone's member implies it)`,
    );
    const scoped = user.filter(([k, v]) => /^enforce_scope\./.test(k) && /^true$/i.test(v)).map(([k]) => k);
    if (scoped.length > 0)
      notes.push(
        `${scoped.join(', ')} with reader twins: Tempest's project-reader calls run with a member's token, so they do not show what a reader-only user may not do`,
      );
  }
  // Tempest refuses an accounts file whose types name a role it has not been told.
  const roleFor = {
    operator: 'object-storage.operator_role',
    reseller_admin: 'object-storage.reseller_admin_role',
  };
  const known = { operator: operatorRole, reseller_admin: resellerRole };
  for (const a of accounts)
    for (const type of a.types ?? [])
      if (!known[type] && !userKeys.has(roleFor[type]))
        throw new TcupError(
          'USAGE',
          `account ${a.username} has type ${type}, but no ${type.replace('_', ' ')} role could be read from the accounts' roles`,
          `name it with --tempest-option ${roleFor[type]}=ROLE, or remove the type from the accounts file`,
        );
  return {
    accounts: planned,
    accountsFile: readers?.accounts ?? planned,
    concurrency,
    overrides: [...overrides.filter(([k]) => !userKeys.has(k)), ...user],
    ...(operatorRole ? { operatorRole } : {}),
    ...(resellerRole ? { resellerRole } : {}),
    notes,
    choices,
  };
}

/**
 * Settings from the accounts' tokens and the Tempest, with the reason for each:
 * - `identity.default_domain_id`: the first account's own domain. A non-admin may read only its own
 *   domain, so test_default_domain_exists checks that one (SCS's decision, SovereignCloudStack/standards
 *   issue 990: "faking the default_domain_id is the appropriate way").
 * - `compute-feature-enabled.xenapi_apis=True` for Tempest 33 when the selection holds the
 *   server-metadata tests (2020.06 does; 2022.11 dropped them): Tempest 33 skips them otherwise ("read-only
 *   on non-Xen-based deployments"), though every Nova serves server metadata. Tempest 39 removed the option.
 */
export function tempestFacts(
  accounts: readonly AccountWithRoles[],
  options: Pick<PlanOptions, 'tempest' | 'tests'>,
): [string, string, string][] {
  const facts: [string, string, string][] = [];
  const domain = accounts[0]?.scopeDomainId;
  if (domain)
    facts.push([
      DEFAULT_DOMAIN,
      domain,
      `the domain of ${accounts[0]!.username}'s project, from its token: the default domain is not a non-admin's to read, its own is (SCS's decision for test_default_domain_exists, standards issue 990)`,
    ]);
  const tests = options.tests ?? [];
  const gated = tests.filter((t) => XENAPI_GATED.test(t));
  if (options.tempest === '33' && gated.length > 0 && !tests.some((t) => XENAPI_REMOVED.test(t)))
    facts.push([
      XENAPI,
      'True',
      `Tempest 33 runs the ${gated.length} selected server-metadata test(s) only with it; every Nova serves that API`,
    ]);
  return facts;
}

/** The role every member account has: `member` first (any case), then the first shared non-admin role. */
function commonRole(members: readonly AccountWithRoles[]): string | undefined {
  const [first, ...rest] = members;
  if (!first) return undefined;
  const shared = first.roles.filter((r) => rest.every((a) => a.roles.includes(r)));
  return (
    shared.find((r) => r.toLowerCase() === 'member') ??
    shared.find((r) => r.toLowerCase() === '_member_') ??
    shared.find((r) => !/^(admin|reader)$/i.test(r))
  );
}

/** "a, b, c" or "a, b, c and 5 more". */
const listed = (names: readonly string[], max = 3): string =>
  names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');

/** Parses `section.key=value` (the value may hold `=`). */
export function parseTempestOption(text: string): [string, string] | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const key = text.slice(0, eq).trim();
  if (!/^[\w-]+\.[\w-]+$/.test(key)) return undefined;
  return [key, text.slice(eq + 1)];
}
