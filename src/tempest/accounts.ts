/**
 * An account as Tempest's accounts file takes it, with the roles its token carries: what the plan
 * (src/tempest/plan.ts) and the reader twins (src/tempest/readers.ts) both read, apart from either so
 * that neither imports the other back.
 */
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
  /**
   * The domain of the project the account's token is scoped to (`token.project.domain.id`): the one
   * domain Keystone's default policy lets a non-admin read.
   */
  scopeDomainId?: string;
  /** The id of the project the account's token is scoped to (`token.project.id`). */
  scopeProjectId?: string;
}

export interface PlannedAccount extends Omit<AccountWithRoles, 'roles'> {
  roles: string[];
}
