/**
 * A token that stops working during a run, as an operator makes it happen, on the compute bed: tcup's
 * look at the test projects after the run must not lose the results. Two runs of one small capability
 * with an accounts file and --cleanup-cloud; once the schedule is printed (tcup's per-account sessions
 * are made, Tempest has not started):
 * - the accounts are disabled and enabled again (Keystone revokes their tokens): after the run tcup's
 *   calls meet 401, each account logs in again once, and the run ends as any other;
 * - the first account's password is changed: it cannot log in again, so tcup names the refusal, says
 *   what was not checked, and the verdict and every result are on disk all the same.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { type ComputeTenant, useCompute } from '../support/beds.js';
import { when } from '../support/faults.js';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { api } from '../support/rest.js';
import { adminSession, describeDocker, requireDocker, type TestbedUser } from '../support/testbed.js';

const PASSWORD = `t0ken "pw" #x: %(y)s $z ü`;
const CHANGED = `${PASSWORD} changed`;
const RUN_MS = 20 * 60_000;
const { launch, containers: tcupContainers } = trackedLaunches();

interface Summary {
  compliant: boolean;
  counts: { tests: number; passed: number; failed: number };
  compute: { leftovers?: Record<string, unknown>; leftoversError?: string };
}

describeDocker('a token revoked during a run, as an operator would', () => {
  let bed: ComputeTenant;
  let revoked: LauncherRun;
  let changed: LauncherRun;
  let revokedDir: string;
  let changedDir: string;
  let revokedAt: number | undefined;
  let changedAt: number | undefined;

  beforeAll(
    async () => {
      await requireDocker();
      bed = await useCompute({ members: ['demo', 'alt_demo'], memberPassword: PASSWORD });
      const { dir, launcher } = launcherInEmptyDir();
      const accounts = bed.members.map((m) => ({
        username: m.username,
        password: m.password,
        projectName: m.project,
        domainName: 'Default',
      }));
      writeFileSync(join(dir, 'accounts.yaml'), renderAccountsYaml(accounts));
      const member = bed.members[0]!;
      const env = {
        OS_AUTH_URL: bed.authUrl,
        OS_USERNAME: member.username,
        OS_PASSWORD: member.password,
        OS_PROJECT_NAME: member.project,
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
      };
      const userIds = async (users: readonly TestbedUser[]) => {
        const admin = await adminSession({ url: bed.authUrl, adminPassword: bed.adminPassword });
        const ids: string[] = [];
        for (const u of users) {
          const q = encodeURIComponent(u.username);
          const found = await api<{ users: { id: string }[] }>(admin, 'identity', 'GET', `/users?name=${q}`);
          ids.push(...found.users.map((x) => x.id));
        }
        return { admin, ids };
      };
      const args = (out: string) => [
        '--guideline',
        '2020.06',
        '--target',
        'compute',
        '--capability',
        'compute-flavors-list',
        '--accounts',
        'accounts.yaml',
        '--cleanup-cloud',
        '-o',
        out,
      ];

      const revoke = when(/schedule: /, async () => {
        const { admin, ids } = await userIds(bed.members);
        for (const id of ids) {
          await api(admin, 'identity', 'PATCH', `/users/${id}`, { user: { enabled: false } });
          await api(admin, 'identity', 'PATCH', `/users/${id}`, { user: { enabled: true } });
        }
      });
      revokedDir = join(dir, 'revoked');
      revoked = await launch(launcher, args(revokedDir), {
        cwd: dir,
        env,
        timeoutMs: RUN_MS,
        onSpawn: revoke.onSpawn,
      });
      revokedAt = revoke.fired();

      const change = when(/schedule: /, async () => {
        const { admin, ids } = await userIds([member]);
        for (const id of ids)
          await api(admin, 'identity', 'PATCH', `/users/${id}`, { user: { password: CHANGED } });
      });
      changedDir = join(dir, 'changed');
      changed = await launch(launcher, args(changedDir), {
        cwd: dir,
        env,
        timeoutMs: RUN_MS,
        onSpawn: change.onSpawn,
      });
      changedAt = change.fired();
    },
    2 * RUN_MS + 300_000,
  );

  afterAll(async () => {
    await bed?.dispose();
  });

  const summaryOf = (dir: string, run: LauncherRun): Summary => {
    const file = join(dir, 'summary.json');
    if (!existsSync(file)) throw new Error(`no summary.json (exit ${run.code}):\n${run.stderr}`);
    return JSON.parse(readFileSync(file, 'utf8')) as Summary;
  };

  it('tokens revoked: tcup logs in again after the run and ends as any run does', () => {
    expect(revokedAt, revoked.stderr).toBeDefined();
    const summary = summaryOf(revokedDir, revoked);
    expect(revoked.stderr).not.toMatch(/HTTP 401/);
    expect(revoked.stderr).toMatch(/nothing left in the test projects/);
    expect(summary.compute.leftovers).toEqual({});
    expect(summary.compute.leftoversError).toBeUndefined();
    expect(summary.compliant, revoked.stderr).toBe(true);
    expect(revoked.code, revoked.stderr).toBe(0);
  });

  it('password changed: the refusal named, what was not checked said, the verdict and results kept', () => {
    expect(changedAt, changed.stderr).toBeDefined();
    const out = changed.stderr;
    expect(out).toMatch(
      /answered HTTP 401 to GET \S+ as demo-\w+: what the run left in the test projects was not checked nor removed; the results are kept \(the account logged in again and was still refused/,
    );
    const summary = summaryOf(changedDir, changed);
    expect(summary.compute.leftoversError).toMatch(/HTTP 401/);
    for (const f of ['results.subunit', 'tests.json', 'junit.xml', 'refstack.json', 'report.html'])
      expect(existsSync(join(changedDir, f)), f).toBe(true);
    // The verdict line is there, and the exit code is the verdict's (Tempest's own logins fail too).
    expect(out).toMatch(/2020\.06 compute required: |OpenStack Powered Compute 2020\.06: /);
    expect(changed.code, out).toBe(summary.compliant ? 0 : 9);
  });

  it('leaves no tcup container, and never shows a password', () => {
    expect(tcupContainers()).toBe('');
    for (const run of [revoked, changed])
      for (const secret of [PASSWORD, CHANGED]) {
        expect(run.stdout + run.stderr).not.toContain(secret);
        expect(run.argvSeen.join('\n')).not.toContain(secret);
      }
  });
});
