/**
 * `tcup demo`, the README's first command: the single file alone in an empty directory, nothing but
 * Docker. It starts its own Keystone, passes the identity capabilities of 2020.06, writes the results
 * folder, uploads nothing, and leaves no container behind, also when interrupted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  launcherInEmptyDir,
  trackedLaunches,
  type LauncherOptions,
  type LauncherRun,
} from '../support/launcher.js';
import { buildTestbedImages, describeDocker, requireDocker } from '../support/testbed.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
/** This file's launchers: its "nothing left" checks count their containers alone (the engine is shared). */
const launches = trackedLaunches();
/** The sessions of the demo clouds now present (one label finds all of a demo's containers). */
const demoSessions = () =>
  docker('ps', '-a', '--filter', 'label=tcup.role=demo-cloud', '--format', '{{.Label "tcup.session"}}')
    .split('\n')
    .filter(Boolean);

/** Runs the demo, noting the sessions it used, then checks none of their containers is left. */
async function runDemo(launcher: string, args: string[], dir: string, onSpawn?: LauncherOptions['onSpawn']) {
  const sessions = new Set<string>();
  const run = await launches.launch(launcher, ['demo', ...args], {
    cwd: dir,
    env: {},
    onSpawn: (child, output) => {
      const timer = setInterval(() => demoSessions().forEach((s) => sessions.add(s)), 500);
      child.on('close', () => clearInterval(timer));
      onSpawn?.(child, output);
    },
  });
  const left = [...sessions].map((s) => docker('ps', '-aq', '--filter', `label=tcup.session=${s}`)).join('');
  return { run, sessions, left };
}

describeDocker('tcup demo (single-file launcher in an empty directory)', () => {
  let run: LauncherRun;
  let sessions: Set<string>;
  let left: string;
  let dir: string;
  let launcher: string;

  beforeAll(async () => {
    await requireDocker();
    // Warms the layer cache the demo image shares with the test bed's Keystone (same recipe).
    await buildTestbedImages();
    ({ dir, launcher } = launcherInEmptyDir());
    ({ run, sessions, left } = await runDemo(launcher, [], dir));
  });

  it('passes the identity capabilities of the default guideline and says so', () => {
    expect(run.stderr).toMatch(/starting the demo Keystone at http:\/\/127\.0\.0\.1:\d+\/v3/);
    expect(run.stderr).toMatch(/Keystone accepted all 4 accounts/);
    expect(run.stderr).toMatch(/OpenStack Powered Platform 2020\.06: 6 of 6 required capabilities pass/);
    expect(run.code, run.stderr).toBe(0);
  });

  it('writes the results folder and uploads nothing', () => {
    const [folder, ...more] = readdirSync(join(dir, 'tcup-results'));
    expect(more).toEqual([]);
    const files = readdirSync(join(dir, 'tcup-results', folder!));
    for (const f of ['refstack.json', 'summary.json', 'junit.xml', 'results.subunit', 'upload-preview.json'])
      expect(files).toContain(f);
    expect(files).not.toContain('upload.json');
    const summary = JSON.parse(readFileSync(join(dir, 'tcup-results', folder!, 'summary.json'), 'utf8')) as {
      compliant: boolean;
    };
    expect(summary.compliant).toBe(true);
    expect(run.stderr).toMatch(/dry run: nothing sent/);
  });

  it('removes everything it started, the cloud included', () => {
    expect(run.stderr).toMatch(/demo cloud removed/);
    expect(sessions.size).toBe(1);
    expect(left).toBe('');
    expect(launches.containers()).toEqual([]);
  });

  it('Ctrl-C while the cloud starts removes it and exits 130', async () => {
    let sent = false;
    const {
      run: r,
      sessions: seen,
      left: leftover,
    } = await runDemo(launcher, ['-o', 'interrupted'], dir, (child, output) => {
      const timer = setInterval(() => {
        if (!sent && /starting the demo Keystone/.test(output())) {
          sent = true;
          child.kill('SIGINT');
        }
      }, 100);
      child.on('close', () => clearInterval(timer));
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/demo cloud removed/);
    expect(existsSync(join(dir, 'interrupted'))).toBe(false);
    expect(seen.size).toBe(1);
    expect(leftover).toBe('');
    expect(launches.containers()).toEqual([]);
  });
});
