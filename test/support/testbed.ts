/**
 * The test bed's Keystone and Swift: images of either OpenStack release, Zed (Debian 12's packages, the
 * default) or 2025.1 (Debian 13's), chosen by the recipes' DEBIAN build arg, tagged by a hash of their
 * recipe and that arg (Keystone: demo/keystone/, the one `tcup demo` ships; Swift:
 * test/support/testbed/swift/); their containers started with testcontainers on the host network, bound
 * to 127.0.0.1, labelled `tcup.test=1`. Tests do not start them: test/support/beds.ts starts each once
 * per run and gives each file its own users.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { GenericContainer, Wait } from 'testcontainers';
import { describe } from 'vitest';
import { contextHash, loadImageFiles, packContext, type ImageFile } from '../../src/engine/build-context.js';
import { createEngine } from '../../src/engine/docker.js';
import { demuxLogs } from '../../src/engine/engine.js';
import { ensureImage } from '../../src/engine/image.js';
import {
  tempestImageOptions,
  testbedImageArgs,
  variantById,
  type VariantId,
} from '../../src/tempest/variant.js';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { api, login, type Session } from './rest.js';

export const LABEL_TEST = 'tcup.test';
/** Set on every container this process starts, so a test can check that it left none behind. */
export const LABEL_SESSION = 'tcup.test.session';
export const testbedSession = randomUUID();
/** One start of a bed: finds its container when testcontainers' start fails. */
const LABEL_START = 'tcup.test.start';

const RECIPES = fileURLToPath(new URL('./testbed/', import.meta.url));
/** One Keystone recipe for the test bed and `tcup demo`. */
const KEYSTONE_RECIPE = fileURLToPath(new URL('../../demo/keystone/', import.meta.url));
const KEYSTONE_HEALTHY_MS = 300_000;
const SWIFT_HEALTHY_MS = 300_000;

/**
 * The OpenStack release of a test-bed service: Zed (Debian 12), 2025.1 (Debian 13) or 2026.2 (Debian
 * unstable). CI builds Zed and 2026.2, the oldest and the newest a bundled Tempest supports.
 */
export type TestbedRelease = 'zed' | '2025.1' | '2026.2';

/**
 * Build args for a test bed from Debian unstable on this machine's dated mirror snapshot: its Release
 * file is past Valid-Until, which a test bed (never tcup for a user) may ignore.
 */
export const UNSTABLE_ARGS: Readonly<Record<string, string>> = {
  DEBIAN: 'sid',
  TCUP_TESTBED_APT_VALID_UNTIL: 'ignore',
};

/** The recipes' build args for a release (none for the recipes' default, Zed: the demo's tag). */
function releaseArgs(release: TestbedRelease): Record<string, string> {
  return release === 'zed' ? {} : release === '2025.1' ? { DEBIAN: 'trixie' } : { ...UNSTABLE_ARGS };
}

export interface TestbedUser {
  username: string;
  password: string;
  /** The user's project (named like the user). */
  project: string;
}

let engine: Docker | undefined;
/** The test support's own Docker client (DOCKER_HOST as docker-modem reads it). */
function docker(): Docker {
  engine ??= new Docker();
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

export function inCi(): boolean {
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

export async function imageExists(tag: string): Promise<boolean> {
  try {
    await docker().getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

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

/** Removes a container with its volumes; one already gone (404) or being removed (409) is fine. */
export async function removeContainer(id: string): Promise<void> {
  try {
    await docker().getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw error;
  }
}

function users(names: readonly string[], password: string): TestbedUser[] {
  return names.map((username) => ({ username, password, project: username }));
}

function checkNames(names: readonly string[], what: string): void {
  for (const name of names)
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`${what} names are plain words: ${name}`);
}

/** What the run's registry keeps of a started bed (test/support/beds.ts). */
export interface BedInfo {
  /** The registry key: `keystone-zed`, `compute`, `swift-on-keystone-zed`, ... */
  key: string;
  release: string;
  /** Keystone's `http://127.0.0.1:PORT/v3`; Swift's proxy `http://127.0.0.1:PORT`. */
  url: string;
  /** The admin password of the bed's Keystone. */
  adminPassword: string;
  containerId: string;
}

export interface StartSpec {
  what: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  tmpfs?: Record<string, string>;
  name?: string;
  healthyWithinMs: number;
  /** More of the container's story for a failed start (service logs inside it). */
  moreLogs?: (id: string) => Promise<string>;
}

/** Once healthy, a bed's HEALTHCHECK runs this seldom (its image's interval, 1-2 s, only while it starts). */
const HEALTHY_PROBE_MS = 60_000;

/**
 * A bed's container whose HEALTHCHECK probes fast while it starts and seldom once healthy: the images'
 * 1-2 s probes (a Python process and an exec each) cost a bed a quarter of a core while it idles, and a
 * run keeps several beds (testcontainers' `withHealthCheck` has no start interval, Docker's API since 1.44
 * has).
 */
class BedContainer extends GenericContainer {
  withQuietHealthCheck(check: Docker.HealthConfig): this {
    const interval = check.Interval ?? 0;
    this.createOpts.Healthcheck = {
      ...check,
      Interval: HEALTHY_PROBE_MS * 1e6,
      StartInterval: interval > 0 ? interval : 1e9,
    };
    return this;
  }
}

let startInterval: Promise<boolean> | undefined;
/** Whether the engine speaks Docker's API 1.44 or later (HEALTHCHECK's start interval). */
function engineHasStartInterval(): Promise<boolean> {
  startInterval ??= docker()
    .version()
    .then(({ ApiVersion }) => {
      const [major = 0, minor = 0] = ApiVersion.split('.').map(Number);
      return major > 1 || (major === 1 && minor >= 44);
    });
  return startInterval;
}

/**
 * Starts a bed with testcontainers: a GenericContainer on the host network, healthy by its own
 * HEALTHCHECK (`Wait.forHealthCheck()`, probed seldom once healthy). A start that fails removes the
 * container and rejects with its log. Returns the container id.
 */
export async function startBedContainer(spec: StartSpec): Promise<string> {
  const marker = randomUUID();
  const container = new BedContainer(spec.image);
  // An engine older than API 1.44 (Debian's docker.io 20.10) has no start interval: its probes keep the
  // image's own pace (a quiet one would see a bed healthy a minute late); pausing still quiets idle beds.
  if (await engineHasStartInterval()) {
    const image = await docker().getImage(spec.image).inspect();
    const check = image.Config.Healthcheck;
    if (!check?.Test?.length) throw new Error(`${spec.what}: the image ${spec.image} has no HEALTHCHECK`);
    container.withQuietHealthCheck(check);
  }
  container
    .withNetworkMode('host')
    .withEnvironment(spec.env)
    .withLabels({ [LABEL_TEST]: '1', [LABEL_SESSION]: testbedSession, [LABEL_START]: marker, ...spec.labels })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(spec.healthyWithinMs);
  if (spec.tmpfs) container.withTmpFs(spec.tmpfs);
  if (spec.name) container.withName(spec.name);
  try {
    return (await container.start()).getId();
  } catch (error) {
    const [found] = await docker().listContainers({
      all: true,
      filters: { label: [`${LABEL_START}=${marker}`] },
    });
    let logs = '(no container was made)';
    if (found) {
      logs = await containerLogs(found.Id).catch((e: unknown) => `(no logs: ${String(e)})`);
      if (spec.moreLogs && found.State === 'running') logs += await spec.moreLogs(found.Id);
      await removeContainer(found.Id).catch(() => undefined);
    }
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${spec.what} did not start (${why}); its logs:\n${logs.slice(-12_000)}`, {
      cause: error,
    });
  }
}

/** Freezes a bed no file holds (beds.ts holdBed): its processes keep their state and take no CPU. */
export async function pauseBedContainer(id: string): Promise<void> {
  const c = docker().getContainer(id);
  const { State } = await c.inspect();
  // Best effort: under load the freezer can give up ("OCI runtime pause failed: unable to freeze"); the
  // bed then stays running, which costs CPU, not correctness.
  if (State.Running && !State.Paused) await c.pause().catch(() => undefined);
}

/** Thaws a bed for a file that holds it. */
export async function unpauseBedContainer(id: string): Promise<void> {
  const c = docker().getContainer(id);
  const { State } = await c.inspect();
  if (State.Paused) await c.unpause();
}

/** Keystone of a release, with no members of its own (files make theirs): one per run (beds.ts). */
export async function startKeystoneBed(
  release: TestbedRelease,
  labels: Record<string, string>,
  adminPassword = `admin-${randomUUID().slice(0, 8)}`,
): Promise<BedInfo> {
  await buildRecipeImage(KEYSTONE_RECIPE, 'tcup-testbed-keystone', releaseArgs(release));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/v3`;
  const containerId = await startBedContainer({
    what: `Keystone (${release})`,
    image: keystoneImage(release),
    env: {
      KEYSTONE_PORT: String(port),
      KEYSTONE_URL: url,
      KEYSTONE_BIND_IP: '127.0.0.1',
      KEYSTONE_ADMIN_PASSWORD: adminPassword,
      // A blank list: the entrypoint's default members are not made (each file makes its own).
      KEYSTONE_MEMBERS: ' ',
    },
    labels,
    healthyWithinMs: KEYSTONE_HEALTHY_MS,
  });
  return { key: `keystone-${release}`, release, url, adminPassword, containerId };
}

/** Swift registered in a running Keystone bed (service, endpoints, roles), no reseller users of its own. */
export async function startSwiftBed(keystone: BedInfo, labels: Record<string, string>): Promise<BedInfo> {
  const release = keystone.release as TestbedRelease;
  await buildRecipeImage(join(RECIPES, 'swift'), 'tcup-testbed-swift', releaseArgs(release));
  const port = await freePort(3);
  const containerId = await startBedContainer({
    what: `Swift (${release}, on ${keystone.key})`,
    image: swiftImage(release),
    env: {
      SWIFT_PORT: String(port),
      SWIFT_BIND_IP: '127.0.0.1',
      KEYSTONE_AUTH_URL: keystone.url,
      KEYSTONE_ADMIN_PASSWORD: keystone.adminPassword,
      SWIFT_RESELLER_USERS: ' ',
    },
    labels,
    tmpfs: { '/srv/node': 'rw,size=1g' },
    healthyWithinMs: SWIFT_HEALTHY_MS,
  });
  return {
    key: `swift-on-${keystone.key}`,
    release,
    url: `http://127.0.0.1:${port}`,
    adminPassword: keystone.adminPassword,
    containerId,
  };
}

/** An admin session on a bed's Keystone. */
export function adminSession(bed: Pick<BedInfo, 'url' | 'adminPassword'>): Promise<Session> {
  return login(bed.url, { username: 'admin', password: bed.adminPassword, project: 'admin' });
}

/** Users with a project each (named like the user) and the given roles, made as admin through the REST API. */
export async function createTenantUsers(
  bed: Pick<BedInfo, 'url' | 'adminPassword'>,
  names: readonly string[],
  password: string,
  roleNames: readonly string[],
): Promise<TestbedUser[]> {
  checkNames(names, 'user');
  const admin = await adminSession(bed);
  const roles: string[] = [];
  for (const name of roleNames) {
    const found = await api<{ roles: { id: string }[] }>(admin, 'identity', 'GET', `/roles?name=${name}`);
    const id = found.roles[0]?.id;
    if (!id) throw new Error(`Keystone has no role ${name}`);
    roles.push(id);
  }
  const made = users(names, password);
  for (const user of made) {
    const { project } = await api<{ project: { id: string } }>(admin, 'identity', 'POST', '/projects', {
      project: { name: user.project, domain_id: 'default', description: "a test file's own project" },
    });
    const created = await api<{ user: { id: string } }>(admin, 'identity', 'POST', '/users', {
      user: { name: user.username, domain_id: 'default', password, default_project_id: project.id },
    });
    for (const role of roles)
      await api(admin, 'identity', 'PUT', `/projects/${project.id}/users/${created.user.id}/roles/${role}`);
  }
  return made;
}

/** Deletes users and their projects (those still there). */
export async function deleteTenantUsers(
  bed: Pick<BedInfo, 'url' | 'adminPassword'>,
  made: readonly TestbedUser[],
): Promise<void> {
  const admin = await adminSession(bed);
  for (const user of made) {
    const q = encodeURIComponent(user.username);
    const { users: found } = await api<{ users: { id: string }[] }>(
      admin,
      'identity',
      'GET',
      `/users?name=${q}`,
    );
    for (const u of found) await api(admin, 'identity', 'DELETE', `/users/${u.id}`);
    const p = encodeURIComponent(user.project);
    const { projects } = await api<{ projects: { id: string }[] }>(
      admin,
      'identity',
      'GET',
      `/projects?name=${p}`,
    );
    for (const project of projects) await api(admin, 'identity', 'DELETE', `/projects/${project.id}`);
  }
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
/** Tempest's accounts file for test-bed users (each in its own project of the Default domain). */
export function accountsYaml(users: readonly TestbedUser[]): string {
  return renderAccountsYaml(
    users.map((u) => ({
      username: u.username,
      password: u.password,
      projectName: u.project,
      domainName: 'Default',
    })),
  );
}

export function openrcEnv(keystone: { authUrl: string }, user: TestbedUser): Record<string, string> {
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
export async function userToken(keystone: { authUrl: string }, user: TestbedUser): Promise<UserToken> {
  const { token, userId, roles } = await login(keystone.authUrl, user);
  return { token, userId, roles };
}

/**
 * tcup's Tempest image of a variant (default 43, what tcup picks for a cloud that does not tell its
 * release), built (or found) before a test times tcup or points it at a proxy.
 */
export async function buildTempestImage(
  variant: VariantId = '43',
  plugins: readonly string[] = [],
): Promise<string> {
  const v = variantById(variant)!;
  const options = tempestImageOptions(v, plugins);
  // The test bed's mirror is a dated snapshot: Debian testing's Release files have expired there.
  const image = await ensureImage(createEngine(process.env), loadImageFiles(), {
    ...options,
    args: { ...options.args, ...testbedImageArgs(v) },
    proxy: {},
    onLine: () => undefined,
  });
  return image.tag;
}
