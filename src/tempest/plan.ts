/**
 * Tempest settings that fit the cloud (pure): roles read from the accounts' own tokens decide the
 * object-storage operator and reseller-admin roles and `auth.tempest_roles`; the number of accounts
 * decides the concurrency. The user's --tempest-option values win over everything here.
 */
import { TcupError } from '../core/errors.js';

export interface AccountWithRoles {
  username: string;
  password: string;
  projectName?: string;
  projectId?: string;
  domainName?: string;
  userDomainName?: string;
  projectDomainName?: string;
  /** Role names from the account's token, as the cloud spells them. */
  roles: string[];
  /** Tempest's credential types from the accounts file, passed on as written. */
  types?: ('operator' | 'reseller_admin')[];
  /** Tempest's per-account resources from the accounts file (the network name). */
  resources?: { network?: string };
}

export interface PlannedAccount extends Omit<AccountWithRoles, 'roles'> {
  roles: string[];
}

export interface TempestPlan {
  accounts: PlannedAccount[];
  concurrency: number;
  /** `section.key value` pairs for python-tempestconf, in order. */
  overrides: [string, string][];
  operatorRole?: string;
  resellerRole?: string;
  /** What this leaves out and why, one sentence each. */
  notes: string[];
}

const MAX_WORKERS = 8;

export function planTempest(
  accounts: readonly AccountWithRoles[],
  options: { concurrency?: number; userOptions?: readonly [string, string][] } = {},
): TempestPlan {
  const notes: string[] = [];
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

  const overrides: [string, string][] = [];
  if (operatorRole) {
    overrides.push(['auth.tempest_roles', operatorRole], ['object-storage.operator_role', operatorRole]);
  }
  if (resellerRole) overrides.push(['object-storage.reseller_admin_role', resellerRole]);
  const user = options.userOptions ?? [];
  const userKeys = new Set(user.map(([k]) => k));
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
    concurrency,
    overrides: [...overrides.filter(([k]) => !userKeys.has(k)), ...user],
    ...(operatorRole ? { operatorRole } : {}),
    ...(resellerRole ? { resellerRole } : {}),
    notes,
  };
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

/** Parses `section.key=value` (the value may hold `=`). */
export function parseTempestOption(text: string): [string, string] | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const key = text.slice(0, eq).trim();
  if (!/^[\w-]+\.[\w-]+$/.test(key)) return undefined;
  return [key, text.slice(eq + 1)];
}
