// TEMPORARY dev harness (deleted before handing over).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { api, login, startCompute } from '../support/compute-testbed.js';
import { launcherInEmptyDir, runLauncher } from '../support/launcher.js';

const MEMBERS = ['demo', 'alt_demo', 'demo2', 'alt_demo2'];
it('dev', async () => {
  const bed = await startCompute({ members: MEMBERS, memberPassword: 'pw%x' });
  try {
    const admin = await login(bed.authUrl, {
      username: 'admin',
      password: bed.adminPassword,
      project: 'admin',
    });
    const image = await api<{ id: string }>(admin, 'image', 'POST', '/v2/images', {
      name: 'tiny-raw',
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'community',
    });
    await api(admin, 'image', 'PUT', `/v2/images/${image.id}/file`, new Uint8Array(1 << 20));
    const before = await bed.projectResources(MEMBERS);
    const { dir, launcher } = launcherInEmptyDir();
    writeFileSync(
      join(dir, 'accounts.yaml'),
      renderAccountsYaml(
        bed.members.map((m) => ({
          username: m.username,
          password: m.password,
          projectName: m.project,
          domainName: 'Default',
        })),
      ),
    );
    writeFileSync(join(dir, 'list.txt'), (process.env.DEV_TESTS ?? '').split(',').join('\n') + '\n');
    writeFileSync(join(dir, 'disk.raw'), Buffer.alloc(1 << 20));
    const m = bed.members[0]!;
    const env = {
      OS_AUTH_URL: bed.authUrl,
      OS_USERNAME: m.username,
      OS_PASSWORD: m.password,
      OS_PROJECT_NAME: m.project,
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    };
    for (const args of JSON.parse(process.env.DEV_RUNS ?? '[]') as string[][]) {
      const run = await runLauncher(launcher, [...args, '-o', join(dir, 'out' + Math.random())], {
        cwd: dir,
        env,
        timeoutMs: 1_800_000,
      });
      console.log('ARGS', args.join(' '), 'CODE', run.code, '\n', run.stderr);
      console.log(
        'LEFT',
        JSON.stringify(before) === JSON.stringify(await bed.projectResources(MEMBERS))
          ? 'none'
          : JSON.stringify(await bed.projectResources(MEMBERS)),
      );
    }
  } finally {
    await bed.stop();
  }
}, 3_600_000);
