/**
 * The test bed: a real Keystone and a real Swift in containers, built and started by the tests, of
 * either OpenStack release: Zed (Debian 12's packages, the default) or 2025.1 (Debian 13's), chosen by
 * the recipes' DEBIAN build arg. Images are tagged by a hash of their recipe and that arg (Keystone:
 * demo/keystone/, the one `tcup demo` ships; Swift: test/support/testbed/swift/), so test files and
 * runs reuse them; containers run on the host
 * network, bound to 127.0.0.1, labelled `tcup.test=1` and with this process's session, and are removed
 * (with their volumes) by `stop()`.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { describe } from 'vitest';
import { contextHash, loadImageFiles, packContext, type ImageFile } from '../../src/engine/build-context.js';
import { createEngine, demuxLogs, removeContainer as removeContainerOn } from '../../src/engine/engine.js';
import { ensureImage, imageExists as imageExistsOn } from '../../src/engine/image.js';
import { tempestImageOptions, variantById, type VariantId } from '../../src/tempest/variant.js';

export const LABEL_TEST = 'tcup.test';
/** Set on every container this process starts, so a test can check that it left none behind. */
export const LABEL_SESSION = 'tcup.test.session';
export const testbedSession = randomUUID();

const RECIPES = fileURLToPath(new URL('./testbed/', import.meta.url));
/** One Keystone recipe for the test bed and `tcup demo`. */
const KEYSTONE_RECIPE = fileURLToPath(new URL('../../demo/keystone/', import.meta.url));
const KEYSTONE_HEALTHY_MS = 300_000;
const SWIFT_HEALTHY_MS = 300_000;

/** The OpenStack release of a test-bed service: Zed (Debian 12) or 2025.1 (Debian 13). */
export type TestbedRelease = 'zed' | '2025.1';

/** The recipes' build args for a release (none for the recipes' default, Zed: the demo's tag). */
function releaseArgs(release: TestbedRelease): Record<string, string> {
  return release === 'zed' ? {} : { DEBIAN: 'trixie' };
}

export interface TestbedUser {
  username: string;
  password: string;
  /** The user's project (named like the user). */
  project: string;
}

export interface StartedKeystone {
  release: TestbedRelease;
  /** `http://127.0.0.1:PORT/v3`, also the catalog's identity URL. */
  authUrl: string;
  port: number;
  adminPassword: string;
  /** Non-admin users, each with its own project and the `member` role. */
  members: TestbedUser[];
  containerId: string;
  /** Removes the container (force, with volumes); safe to call twice. */
  stop(): Promise<void>;
}

export interface StartedSwift {
  /** The proxy's base URL, `http://127.0.0.1:PORT`; accounts are at `/v1/AUTH_<project id>`. */
  url: string;
  port: number;
  /** Users with their own project and the roles `member` and `ResellerAdmin`. */
  resellers: TestbedUser[];
  containerId: string;
  stop(): Promise<void>;
}

export interface KeystoneOptions {
  /** Default zed. */
  release?: TestbedRelease;
  port?: number;
  members?: string[];
  memberPassword?: string;
  adminPassword?: string;
}

export interface SwiftOptions {
  /** Default: the Keystone's. */
  release?: TestbedRelease;
  /** The proxy port; the account, container and object servers take the next three. */
  port?: number;
  resellers?: string[];
  resellerPassword?: string;
}

let engine: Docker | undefined;
function docker(): Docker {
  engine ??= createEngine(process.env);
  return engine;
}

// ---------------------------------------------------------------------------------------------- Docker

export async function dockerReachable(): Promise<boolean> {
  try {
    await Promise.race([
      docker().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out')), 5_000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

function inCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/** true when Docker answers; false (the caller may skip) when it does not, except in CI, where it throws. */
export async function requireDocker(): Promise<boolean> {
  if (await dockerReachable()) return true;
  if (inCi()) throw new Error('CI=true and Docker is not reachable: the integration tests must run in CI');
  return false;
}

/** `describe` when Docker answers or in CI (where `requireDocker()` in a hook then fails), else `describe.skip`. */
export const describeDocker = describe.skipIf(!((await dockerReachable()) || inCi()));

// ---------------------------------------------------------------------------------------------- images

function readRecipe(dir: string): ImageFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, content: readFileSync(join(dir, e.name)) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function recipeTag(dir: string, repo: string, args: Record<string, string> = {}): string {
  return `${repo}:${contextHash(readRecipe(dir), args).slice(0, 16)}`;
}

export function keystoneImage(release: TestbedRelease = 'zed'): string {
  return recipeTag(KEYSTONE_RECIPE, 'tcup-testbed-keystone', releaseArgs(release));
}

export function swiftImage(release: TestbedRelease = 'zed'): string {
  return recipeTag(join(RECIPES, 'swift'), 'tcup-testbed-swift', releaseArgs(release));
}

const imageExists = (tag: string): Promise<boolean> => imageExistsOn(docker(), tag);

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Builds the image of a flat recipe folder as `repo:<content hash>`, unless that tag exists; returns the tag.
 * Rejects with the build's own message (and its last lines) when any progress event reports an error.
 */
export async function buildRecipeImage(
  dir: string,
  repo: string,
  args: Record<string, string> = {},
): Promise<string> {
  const tag = recipeTag(dir, repo, args);
  if (await imageExists(tag)) return tag;
  // Legacy builder (no `version`), never `pull`: the base image exists only locally.
  const stream = await docker().buildImage(packContext(readRecipe(dir)), {
    t: tag,
    rm: true,
    forcerm: true,
    buildargs: args,
  });
  const tail: string[] = [];
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker().modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: BuildEvent) => {
        if (event.stream) tail.push(...event.stream.split('\n').filter(Boolean));
        tail.splice(0, Math.max(0, tail.length - 30));
        if (event.error || event.errorDetail) failure ??= event.errorDetail?.message ?? event.error;
      },
    );
  });
  if (failure !== undefined)
    throw new Error(`building ${tag} failed: ${failure}\n--- last build output:\n${tail.join('\n')}`);
  if (!(await imageExists(tag))) throw new Error(`building ${tag} ended without an image`);
  return tag;
}

const building = new Map<TestbedRelease, Promise<void>>();

/**
 * Builds both images of a release (default Zed) unless their content-hash tags exist; one after the
 * other, to spare the cores.
 */
export function buildTestbedImages(release: TestbedRelease = 'zed'): Promise<void> {
  let done = building.get(release);
  if (!done) {
    done = (async () => {
      await buildRecipeImage(KEYSTONE_RECIPE, 'tcup-testbed-keystone', releaseArgs(release));
      await buildRecipeImage(join(RECIPES, 'swift'), 'tcup-testbed-swift', releaseArgs(release));
    })();
    building.set(release, done);
    done.catch(() => building.delete(release));
  }
  return done;
}

// ---------------------------------------------------------------------------------------------- ports

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(got));
    });
  });
}

/** A free loopback port whose next `extra` ports are free as well. */
export async function freePort(extra = 0): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0);
    if (port === undefined || port + extra > 65_535) continue;
    let ok = true;
    for (let i = 1; i <= extra && ok; i++) ok = (await listenOnce(port + i)) !== undefined;
    if (ok) return port;
  }
  throw new Error(`no free run of ${extra + 1} loopback ports found`);
}

// ---------------------------------------------------------------------------------------------- containers

/** `docker logs` of a container, stdout and stderr interleaved (demuxed from the 8-byte frame headers). */
export async function containerLogs(id: string): Promise<string> {
  return demuxLogs(await docker().getContainer(id).logs({ stdout: true, stderr: true, follow: false }));
}

const removeContainer = (id: string): Promise<void> => removeContainerOn(docker().getContainer(id));

interface RunSpec {
  what: string;
  image: string;
  env: Record<string, string>;
  tmpfs?: Record<string, string>;
  healthyWithinMs: number;
}

/** Creates and starts a host-network container and waits until it is healthy; removes it on any failure. */
async function startHealthy(spec: RunSpec): Promise<string> {
  const container = await docker().createContainer({
    Image: spec.image,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: { [LABEL_TEST]: '1', [LABEL_SESSION]: testbedSession },
    HostConfig: { NetworkMode: 'host', ...(spec.tmpfs ? { Tmpfs: spec.tmpfs } : {}) },
  });
  try {
    await container.start();
    await waitHealthy(container, spec);
    return container.id;
  } catch (error) {
    await removeContainer(container.id).catch(() => undefined);
    throw error;
  }
}

async function waitHealthy(container: Docker.Container, spec: RunSpec): Promise<void> {
  const deadline = Date.now() + spec.healthyWithinMs;
  for (;;) {
    const { State } = await container.inspect();
    if (State.Health?.Status === 'healthy') return;
    const timedOut = Date.now() > deadline;
    if (!State.Running || timedOut) {
      const why = timedOut
        ? `not healthy after ${spec.healthyWithinMs / 1000} s`
        : `exited (${State.ExitCode})`;
      const logs = await containerLogs(container.id).catch((e: unknown) => `(no logs: ${String(e)})`);
      throw new Error(`${spec.what} container ${why}; its logs:\n${logs.slice(-8_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function users(names: readonly string[], password: string): TestbedUser[] {
  return names.map((username) => ({ username, password, project: username }));
}

function checkNames(names: readonly string[], what: string): void {
  for (const name of names)
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`${what} names are space-separated words: ${name}`);
}

export async function startKeystone(opts: KeystoneOptions = {}): Promise<StartedKeystone> {
  const members = opts.members ?? ['demo', 'alt_demo', 'demo2', 'alt_demo2'];
  checkNames(members, 'member');
  const memberPassword = opts.memberPassword ?? 'demo';
  const adminPassword = opts.adminPassword ?? 'admin';
  const release = opts.release ?? 'zed';
  const port = opts.port ?? (await freePort());
  const authUrl = `http://127.0.0.1:${port}/v3`;
  const containerId = await startHealthy({
    what: `Keystone (${release})`,
    image: keystoneImage(release),
    env: {
      KEYSTONE_PORT: String(port),
      KEYSTONE_URL: authUrl,
      KEYSTONE_BIND_IP: '127.0.0.1',
      KEYSTONE_ADMIN_PASSWORD: adminPassword,
      KEYSTONE_DEMO_PASSWORD: memberPassword,
      KEYSTONE_MEMBERS: members.join(' '),
    },
    healthyWithinMs: KEYSTONE_HEALTHY_MS,
  });
  return {
    release,
    authUrl,
    port,
    adminPassword,
    members: users(members, memberPassword),
    containerId,
    stop: () => removeContainer(containerId),
  };
}

/** Starts Swift next to a running Keystone and registers it there (service, endpoints, reseller users). */
export async function startSwift(keystone: StartedKeystone, opts: SwiftOptions = {}): Promise<StartedSwift> {
  const resellers = opts.resellers ?? ['reseller', 'reseller2'];
  checkNames(resellers, 'reseller');
  const resellerPassword = opts.resellerPassword ?? 'demo';
  const release = opts.release ?? keystone.release;
  const port = opts.port ?? (await freePort(3));
  const url = `http://127.0.0.1:${port}`;
  const containerId = await startHealthy({
    what: `Swift (${release})`,
    image: swiftImage(release),
    env: {
      SWIFT_PORT: String(port),
      SWIFT_BIND_IP: '127.0.0.1',
      KEYSTONE_AUTH_URL: keystone.authUrl,
      KEYSTONE_ADMIN_PASSWORD: keystone.adminPassword,
      SWIFT_RESELLER_USERS: resellers.join(' '),
      SWIFT_RESELLER_PASSWORD: resellerPassword,
    },
    tmpfs: { '/srv/node': 'rw,size=1g' },
    healthyWithinMs: SWIFT_HEALTHY_MS,
  });
  return {
    url,
    port,
    resellers: users(resellers, resellerPassword),
    containerId,
    stop: () => removeContainer(containerId),
  };
}

/** Ids of the containers this process started that still exist (running or not). */
export async function leftoverContainers(): Promise<string[]> {
  const found = await docker().listContainers({
    all: true,
    filters: { label: [`${LABEL_TEST}=1`, `${LABEL_SESSION}=${testbedSession}`] },
  });
  return found.map((c) => c.Id);
}

/** What `source openrc` would set for one user of the test bed. */
export function openrcEnv(keystone: StartedKeystone, user: TestbedUser): Record<string, string> {
  return {
    OS_AUTH_URL: keystone.authUrl,
    OS_USERNAME: user.username,
    OS_PASSWORD: user.password,
    OS_PROJECT_NAME: user.project,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_IDENTITY_API_VERSION: '3',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'public',
  };
}

export interface UserToken {
  token: string;
  userId: string;
  roles: string[];
}

/** A project-scoped token of a test-bed user, as Keystone gives it to a password login. */
export async function userToken(keystone: StartedKeystone, user: TestbedUser): Promise<UserToken> {
  const domain = { name: 'Default' };
  const response = await fetch(`${keystone.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user.username, password: user.password, domain } },
        },
        scope: { project: { name: user.project, domain } },
      },
    }),
  });
  if (response.status !== 201)
    throw new Error(`Keystone answered ${response.status} to ${user.username}'s password`);
  const body = (await response.json()) as { token: { user: { id: string }; roles: { name: string }[] } };
  return {
    token: response.headers.get('x-subject-token')!,
    userId: body.token.user.id,
    roles: body.token.roles.map((r) => r.name),
  };
}

/**
 * tcup's Tempest image of a variant (default 43, what tcup picks for a cloud that does not tell its
 * release), built (or found) before a test times tcup or points it at a proxy.
 */
export async function buildTempestImage(variant: VariantId = '43'): Promise<string> {
  const image = await ensureImage(docker(), loadImageFiles(), {
    ...tempestImageOptions(variantById(variant)!, []),
    proxy: {},
    onLine: () => undefined,
  });
  return image.tag;
}
