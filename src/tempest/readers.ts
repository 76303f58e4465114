/**
 * Reader twins (pure): Tempest 46.3.0 and newer (tcup's 47) give their compute, network and image classes
 * a project reader beside the primary account (`credentials = ['primary', 'project_reader']`, in
 * tempest/api/compute/base.py since 46.1.0), and their pre-provisioned credential provider takes that
 * reader from the primary's own project (tempest/lib/common/preprov_creds.py `_get_creds`, bug 2143564).
 * An operator's accounts are one member per project: the member's token carries `reader` too (Keystone's
 * default implied role), but Tempest has locked that very entry as the primary, so the class ends with
 * "Insufficient number of users provided".
 *
 * tcup lists each such member a second time, after every account of the file, with the role `reader`
 * only: the same user, password and project, so the reader is exactly what its token says it is. Tempest
 * keys and locks an entry by the md5 of its user, password and project fields, so the twin must differ in
 * one of them: it carries the project's id and the member's entry does not (Tempest finds the primary's
 * project again by name). The twin's hashed fields are a superset of the member's and come after it:
 * Tempest releases credentials by the first entry whose fields match the ones they were made from, so the
 * other way round it would unlock the member's entry in place of the twin's. Listed last and without the
 * `member` role, a twin is never handed out as a primary or an operator, nor as an alt while the
 * concurrency leaves two accounts per worker (tcup's default). A single account gets no twin: Tempest
 * counts entries to decide that a second user exists (`is_alt_available`), and would run the two-user
 * tests with the twin as the other user.
 */
import { compareVersions } from './patches.js';
import type { PlannedAccount } from './accounts.js';

/** The first Tempest that takes the project reader from the primary's project. */
export const READER_TWINS_FROM = '46.3.0';

/** Tempest's persona roles, as it spells them (preprov_creds matches them exactly). */
const MEMBER = 'member';
const READER = 'reader';

export interface ReaderTwins {
  /** The accounts file's entries: the accounts (a twinned member without its project id), then the twins. */
  accounts: PlannedAccount[];
  /** The users given a twin, in order. */
  twinned: string[];
  /** Accounts that get no twin and whose classes would fail for it, one sentence each. */
  notes: string[];
}

/** Whether this Tempest (its version, "47.0.0") needs a project reader beside each primary. */
export const needsReaderTwins = (tempest: string | undefined): boolean =>
  tempest !== undefined && compareVersions(tempest, READER_TWINS_FROM) >= 0;

/** The accounts file for a Tempest that needs reader twins (see above). */
export function withReaderTwins(accounts: readonly PlannedAccount[]): ReaderTwins {
  if (accounts.length < 2)
    return {
      accounts: [...accounts],
      twinned: [],
      notes: [
        `one account: Tempest's compute, network and image classes need a project reader beside it, and a second entry of the same user would also pass for the second user of the two-user tests, so tcup adds none: those classes will not run (pass --accounts with two or more member accounts, each in a project of its own: a second user in the same project would be taken for the other project's user; or, on a cloud up to 2025.1, --tempest 43, whose classes need no reader)`,
      ],
    };
  const notes: string[] = [];
  const twinned: string[] = [];
  const twins: PlannedAccount[] = [];
  const members = accounts.map((a): PlannedAccount => {
    if (!a.roles.includes(MEMBER)) return a;
    const project = a.projectName;
    const projectId = a.projectId ?? a.scopeProjectId;
    if (!a.roles.includes(READER)) {
      if (!accounts.some((o) => o !== a && o.roles.includes(READER) && sameProject(o, a)))
        notes.push(
          `account ${a.username}'s token carries no ${READER} role and no other account of its project has it: Tempest's compute, network and image classes need a project reader beside it (list a reader of ${project ?? 'its project'} in the accounts file)`,
        );
      return a;
    }
    if (project === undefined || projectId === undefined) {
      notes.push(
        `account ${a.username} names its project ${project === undefined ? 'by id only' : 'but its token gave no project id'}: Tempest finds a project reader by project name, so its compute, network and image classes may end "Insufficient number of users provided" (give project_name)`,
      );
      return a;
    }
    // The member's entry without a project id, the twin with it; the twin takes no types (operator,
    // reseller_admin): Tempest would hand it out for those roles.
    const { projectId: _given, ...member } = a;
    const { types: _types, ...twin } = member;
    twinned.push(a.username);
    twins.push({ ...twin, projectId, roles: [READER] });
    return member;
  });
  return { accounts: [...members, ...twins], twinned, notes };
}

/** The same project: by the id the token or the file gave, else by name in the same domain. */
function sameProject(a: PlannedAccount, b: PlannedAccount): boolean {
  const id = (x: PlannedAccount) => x.projectId ?? x.scopeProjectId;
  if (id(a) !== undefined && id(b) !== undefined) return id(a) === id(b);
  const domain = (x: PlannedAccount) => x.projectDomainName ?? x.domainName;
  return a.projectName !== undefined && a.projectName === b.projectName && domain(a) === domain(b);
}
