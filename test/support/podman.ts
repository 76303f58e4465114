/**
 * Podman's API service for the e2e, rootful and rootless, started by the test and stopped after it (the
 * machine has Debian's `podman`, `catatonit`, `uidmap` and a user with subuid/subgid ranges: .ci/run).
 * Each service gets this file's containers.conf (`default_ulimits = []`: Podman's default nofile is above
 * this sandbox's hard limit); the rootless one also a storage.conf (native overlay: without it Podman
 * 4.3 falls back to vfs, a full copy per layer). The Docker engine keeps the test beds: tcup's container
 * on Podman reaches them on the host network, as it would a cloud.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCi } from './testbed.js';
import { engineCli, type EngineCli } from './launcher.js';

export type PodmanMode = 'rootful' | 'rootless';

/** The rootless user .ci/run makes (subuid/subgid ranges in /etc/subuid, /etc/subgid). */
export const PODMAN_USER = process.env.TCUP_TEST_PODMAN_USER ?? 'tcup-podman';

export interface PodmanService {
  mode: PodmanMode;
  /** `unix:///…/podman.sock` */
  address: string;
  /** The Podman command line of this service's storage (as the rootless user for rootless). */
  cli: EngineCli;
  /** What a launcher needs in its environment to find this Podman as a user would. */
  launcherEnv: Record<string, string>;
  /** The user the launcher runs as (rootless), else the test's own. */
  user?: { uid: number; gid: number; home: string };
  /** Where this Podman keeps state on the host disk: searched for secrets (layer contents passed over). */
  stateDirs: string[];
  /** The service's own log (for a failure). */
  log: string;
  stop(): Promise<void>;
}

/** Why Podman e2e cannot run here, or undefined. In CI a reason is a failure, not a skip. */
export function podmanMissing(): string | undefined {
  const why = (() => {
    try {
      execFileSync('podman', ['--version'], { stdio: 'ignore' });
    } catch {
      return 'no podman command (Debian: apt install podman catatonit uidmap)';
    }
    if (process.getuid?.() !== 0) return 'the Podman e2e starts rootful Podman: run it as root';
    try {
      execFileSync('id', ['-u', PODMAN_USER], { stdio: 'ignore' });
    } catch {
      return `no user ${PODMAN_USER} for rootless Podman (.ci/run makes it)`;
    }
    return undefined;
  })();
  if (why && inCi()) throw new Error(`Podman e2e: ${why}`);
  return why;
}

function confDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-podman-conf-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'containers.conf'), '[containers]\ndefault_ulimits = []\n', { mode: 0o644 });
  writeFileSync(join(dir, 'storage.conf'), '[storage]\ndriver = "overlay"\n', { mode: 0o644 });
  return dir;
}

/** Resolves when the API answers `/_ping` (or rejects after `ms`). */
async function waitForApi(socket: string, child: ChildProcess, log: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ socketPath: socket, path: '/_ping' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(
        `Podman's API service did not answer at ${socket}: ${readFileSync(log, 'utf8').slice(-4000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startPodman(mode: PodmanMode): Promise<PodmanService> {
  const conf = confDir();
  const log = join(conf, 'service.log');
  const out = openSync(log, 'a');
  const confEnv = {
    CONTAINERS_CONF: join(conf, 'containers.conf'),
    ...(mode === 'rootless' ? { CONTAINERS_STORAGE_CONF: join(conf, 'storage.conf') } : {}),
  };
  if (mode === 'rootful') {
    const socket = join(conf, 'podman.sock');
    const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
      env: { ...process.env, ...confEnv },
      stdio: ['ignore', out, out],
      detached: true,
    });
    await waitForApi(socket, child, log);
    return {
      mode,
      address: `unix://${socket}`,
      cli: { kind: 'podman', argv: ['podman'], env: confEnv },
      launcherEnv: { DOCKER_HOST: `unix://${socket}` },
      stateDirs: ['/var/lib/containers/storage', '/run/containers/storage', '/run/libpod'],
      log,
      stop: () => stopService(child),
    };
  }
  const uid = Number(execFileSync('id', ['-u', PODMAN_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', PODMAN_USER], { encoding: 'utf8' }).trim());
  const home = execFileSync('getent', ['passwd', PODMAN_USER], { encoding: 'utf8' }).split(':')[5]!;
  // What a login session gives the user (logind): its runtime directory.
  const runtime = `/run/user/${uid}`;
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  chownSync(runtime, uid, gid);
  const userEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    ...confEnv,
  };
  const child = spawn('runuser', ['-u', PODMAN_USER, '--', 'podman', 'system', 'service', '--time=0'], {
    cwd: home,
    env: userEnv,
    stdio: ['ignore', out, out],
    detached: true,
  });
  const socket = `${runtime}/podman/podman.sock`;
  await waitForApi(socket, child, log);
  return {
    mode,
    address: `unix://${socket}`,
    cli: { kind: 'podman', argv: ['runuser', '-u', PODMAN_USER, '--', 'podman'], env: userEnv },
    // No DOCKER_HOST: tcup finds the user's rootless socket itself (Docker's socket is root's).
    launcherEnv: { XDG_RUNTIME_DIR: runtime },
    user: { uid, gid, home },
    stateDirs: [
      join(home, '.local/share/containers/storage'),
      join(runtime, 'containers'),
      join(runtime, 'libpod'),
    ],
    log,
    stop: () => stopService(child),
  };
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
}

/**
 * Makes a Docker image (a debootstrapped base .ci/run made) an image of this Podman under the name a
 * Dockerfile's FROM resolves to (`docker.io/library/NAME`), as `podman load` + `podman tag` would for a
 * user without a registry.
 */
export function copyImageFromDocker(service: PodmanService, image: string): void {
  const qualified = `docker.io/library/${image}`;
  try {
    engineCli(service.cli, ['image', 'exists', qualified]);
    return;
  } catch {
    /* not there yet */
  }
  const dir = mkdtempSync(join(tmpdir(), 'tcup-podman-base-'));
  const archive = join(dir, 'image.tar');
  try {
    execFileSync('docker', ['save', '-o', archive, image]);
    chmodSync(archive, 0o644);
    chmodSync(dir, 0o755);
    const loaded = engineCli(service.cli, ['load', '-q', '-i', archive]);
    const name = /Loaded image(?:\(s\))?: (\S+)/.exec(loaded)?.[1] ?? `localhost/${image}`;
    engineCli(service.cli, ['tag', name, qualified]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** tcup's containers, volumes and networks on this Podman (label tcup=1), one line each. */
export function tcupResourcesOn(service: PodmanService): string[] {
  const list = (args: string[]) => engineCli(service.cli, args).split('\n').filter(Boolean);
  return [
    ...list(['ps', '-a', '--filter', 'label=tcup', '--format', 'container {{.ID}} {{.Names}}']),
    ...list(['volume', 'ls', '--filter', 'label=tcup', '--format', 'volume {{.Name}}']),
    ...list(['network', 'ls', '--filter', 'label=tcup', '--format', 'network {{.Name}}']),
  ];
}
