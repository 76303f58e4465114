/**
 * Tokens revoked during a run, as an operator makes it happen, on the compute bed: once the schedule is
 * printed (tcup's per-account sessions are made, Tempest has not started) the accounts are disabled and
 * enabled again (Keystone revokes their tokens). The run, tcup's look at the test projects after it and
 * --cleanup-cloud end as in any run, and nothing is lost.
 *
 * What this cannot show here: the bed's services cache a token's validation for five minutes
 * (keystonemiddleware's token_cache_time), so a run this short may never meet the 401 that a long run on
 * a real cloud meets. The answer to a 401 (log in again once, send again; a second refusal named, the
 * results kept) is unit-tested in test/unit/session-renew.test.ts, and the results are written before
 * the look after the run (src/pipeline/pipeline.ts, step 7).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ComputeTenant, useCompute } from '../support/beds.js';
import { when } from '../support/faults.js';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { api } from '../support/rest.js';
import {
  accountsYaml,
  adminSession,
  describeDocker,
  requireDocker,
  type TestbedUser,
} from '../support/testbed.js';

const PASSWORD = `t0ken "pw" #x: %(y)s $z ü`;
const RUN_MS = 20 * 60_000;
const { launch, containers: tcupContainers } = trackedLaunches();

interface Summary {
  compliant: boolean;
  counts: { tests: number; passed: number; failed: number };
  compute: { leftovers?: Record<string, unknown>; leftoversError?: string };
}

describeDocker('tokens revoked during a run, as an operator would', () => {
  let bed: ComputeTenant;
  let revoked: LauncherRun;
  let revokedDir: string;
  let revokedAt: number | undefined;

  beforeAll(
    async () => {
      await requireDocker();
      bed = await useCompute({ members: ['demo', 'alt_demo'], memberPassword: PASSWORD });
      const { dir, launcher } = launcherInEmptyDir();
      writeFileSync(join(dir, 'accounts.yaml'), accountsYaml(bed.members));
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

  it('the run, the look after it and --cleanup-cloud end as in any run', () => {
    expect(revokedAt, revoked.stderr).toBeDefined();
    const summary = summaryOf(revokedDir, revoked);
    expect(revoked.stderr).not.toMatch(/HTTP 401/);
    expect(revoked.stderr).toMatch(/nothing left in the test projects/);
    expect(summary.compute.leftovers).toEqual({});
    expect(summary.compute.leftoversError).toBeUndefined();
    expect(summary.compliant, revoked.stderr).toBe(true);
    expect(revoked.code, revoked.stderr).toBe(0);
  });

  it('leaves no tcup container, and never shows a password', () => {
    expect(tcupContainers()).toEqual([]);
    for (const run of [revoked])
      for (const secret of [PASSWORD]) {
        expect(run.stdout + run.stderr).not.toContain(secret);
        expect(run.argvSeen.join('\n')).not.toContain(secret);
      }
  });
});
