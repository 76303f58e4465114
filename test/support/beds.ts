/**
 * The test beds, each started once per test run: Keystone per release, Swift beside a Keystone, and the
 * compute cloud. The first file that needs a bed starts it (with testcontainers: a GenericContainer from
 * the bed's image on the host network, `Wait.forHealthCheck()`); later files, in any process of the run,
 * find it in the run's bed registry (a folder the global set-up makes, test/support/global-setup.ts) and
 * reuse it; the global teardown removes every bed of the run. A bed that fails to start is tried once:
 * the files after the first get the same error and the bed's log at once.
 *
 * Files never share accounts: each `useKeystone`/`useSwift`/`useCompute` makes its own users, each with
 * its own project (names carry a tag of their own), so a file cannot see another's resources, and its
 * "nothing left" checks count what belongs to it. `dispose()` deletes those users and projects.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import {
  adminSession,
  createTenantUsers,
  deleteTenantUsers,
  pauseBedContainer,
  startKeystoneBed,
  unpauseBedContainer,
  startSwiftBed,
  type BedInfo,
  type TestbedRelease,
  type TestbedUser,
} from './testbed.js';
import {
  api,
  inventory,
  prepareComputeMembers,
  startComputeBed,
  type ProjectResources,
} from './compute-testbed.js';

/** The registry folder's variable (set by the global set-up, inherited by the test workers). */
export const BEDS_DIR_VAR = 'TCUP_TEST_BEDS_DIR';
/** The run's id, on every bed container as `tcup.test.beds`, for the teardown. */
export const BEDS_RUN_VAR = 'TCUP_TEST_BEDS_RUN';
export const LABEL_BEDS_RUN = 'tcup.test.beds';
const LOCK_WAIT_MS = 40 * 60_000;

declare module 'vitest' {
  export interface ProvidedContext {
    tcupBedsDir: string;
    tcupBedsRun: string;
  }
}

function registry(): { dir: string; run: string } {
  let dir: string | undefined;
  let run: string | undefined;
  try {
    dir = inject('tcupBedsDir');
    run = inject('tcupBedsRun');
  } catch {
    /* outside a vitest worker: the variables */
  }
  dir ??= process.env[BEDS_DIR_VAR];
  run ??= process.env[BEDS_RUN_VAR];
  if (!dir || !run)
    throw new Error(
      `no bed registry: run the tests through vitest (test/support/global-setup.ts sets ${BEDS_DIR_VAR})`,
    );
  mkdirSync(dir, { recursive: true });
  return { dir, run };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in a lock file (0 while its maker has not written it yet); undefined when there is none. */
function lockHolder(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8') || '0');
  } catch {
    return undefined;
  }
}

/** Runs `fn` holding the registry's lock for `key` (a file made with O_EXCL; a dead holder's is taken over). */
async function withLock<T>(dir: string, key: string, fn: () => Promise<T>): Promise<T> {
  const path = join(dir, `${key}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      const holder = lockHolder(path);
      if (holder === undefined) continue; // released meanwhile: try again
      if (holder > 0 && !pidAlive(holder)) rmSync(path, { force: true });
      else if (Date.now() > deadline) throw new Error(`the ${key} bed stayed locked by pid ${holder}`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

interface BedRecord<T> {
  info?: T;
  failure?: string;
}

/**
 * The bed `key` of this run: from the registry, or started now by `start` and recorded. A start that
 * failed is recorded too, and every later call fails with its message.
 */
export async function sharedBed<T>(
  key: string,
  start: (labels: { [label: string]: string }) => Promise<T>,
): Promise<T> {
  const { dir, run } = registry();
  const file = join(dir, `${key}.json`);
  return withLock(dir, key, async () => {
    if (existsSync(file)) {
      const found = JSON.parse(readFileSync(file, 'utf8')) as BedRecord<T>;
      if (found.failure !== undefined)
        throw new Error(`the ${key} bed failed to start earlier in this run:\n${found.failure}`);
      if (found.info) return found.info;
    }
    try {
      const info = await start({ [LABEL_BEDS_RUN]: run });
      writeFileSync(file, JSON.stringify({ info } satisfies BedRecord<T>));
      return info;
    } catch (error) {
      const failure = error instanceof Error ? error.message : String(error);
      writeFileSync(file, JSON.stringify({ failure } satisfies BedRecord<T>));
      throw error;
    }
  });
}

/** Pauses and thaws a bed's container (the engine's; a journal in the unit test). */
export interface BedFreezer {
  pause(containerId: string): Promise<void>;
  unpause(containerId: string): Promise<void>;
}

/**
 * Holds a bed for a file: its container runs while any file holds it and is paused (frozen: no CPU, its
 * state kept) while none does, so the beds a run has started do not slow the one that is testing (an idle
 * Swift costs a third of a core, three Keystones and two Swifts made the compute runs twice as slow).
 * Returns the release, which is safe to call twice.
 */
export async function holdBed(
  key: string,
  containerId: string,
  engine: BedFreezer = { pause: pauseBedContainer, unpause: unpauseBedContainer },
): Promise<() => Promise<void>> {
  const { dir } = registry();
  const file = join(dir, `${key}.holders`);
  const holders = () => (existsSync(file) ? Number(readFileSync(file, 'utf8')) || 0 : 0);
  await withLock(dir, `${key}.hold`, async () => {
    const n = holders();
    if (n === 0) await engine.unpause(containerId);
    writeFileSync(file, String(n + 1));
  });
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await withLock(dir, `${key}.hold`, async () => {
      const n = Math.max(0, holders() - 1);
      writeFileSync(file, String(n));
      if (n === 0) await engine.pause(containerId);
    });
  };
}

/**
 * Holds a Keystone (or the compute bed) and the Swift registered in its catalog, if one was started:
 * a paused Swift still accepts connections (the kernel answers for it) and never replies, so a client
 * that follows the catalog (python-tempestconf) would wait forever.
 */
async function holdWithSwift(bed: BedInfo): Promise<() => Promise<void>> {
  const letGoBed = await holdBed(bed.key, bed.containerId);
  const swift = registeredSwift(bed.key);
  const letGoSwift = swift ? await holdBed(swift.key, swift.containerId) : undefined;
  return async () => {
    await letGoSwift?.();
    await letGoBed();
  };
}

/** The Swift started beside a Keystone bed in this run, from the registry; none if there is none yet. */
function registeredSwift(keystoneKey: string): BedInfo | undefined {
  const file = join(registry().dir, `swift-on-${keystoneKey}.json`);
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as BedRecord<BedInfo>).info;
}

/** A short tag for one file's users: `demo` becomes `demo-k3f9a`. */
function tenantTag(): string {
  return randomBytes(3).toString('hex');
}

// ---------------------------------------------------------------------------------------------- Keystone

export interface KeystoneTenant {
  /** The registry key of its bed (`keystone-zed`, `keystone-zed-swift`, ...). */
  bedKey: string;
  release: TestbedRelease;
  /** `http://127.0.0.1:PORT/v3`, also the catalog's identity URL. */
  authUrl: string;
  port: number;
  adminPassword: string;
  /** This file's non-admin users, each with its own project (named like the user) and role `member`. */
  members: TestbedUser[];
  containerId: string;
  /** Deletes this file's users and projects; safe to call twice. */
  dispose(): Promise<void>;
}

export interface KeystoneUse {
  /** Default zed. */
  release?: TestbedRelease;
  /** Base names; each gets this file's tag. Default four: two workers' primary and alt accounts. */
  members?: string[];
  /** Any characters (users are made through the REST API). Default `demo`. */
  memberPassword?: string;
  /**
   * The Keystone that has Swift registered (useSwift); the other has none, so a Keystone-only cloud stays
   * one (tcup reads a cloud's release from Swift: a Swift in the catalog changes what it runs).
   */
  swift?: boolean;
}

export function keystoneBed(release: TestbedRelease = 'zed', swift = false): Promise<BedInfo> {
  const key = `keystone-${release}${swift ? '-swift' : ''}`;
  return sharedBed(key, async (labels) => ({ ...(await startKeystoneBed(release, labels)), key }));
}

/** This file's users on the run's Keystone of a release. */
export async function useKeystone(opts: KeystoneUse = {}): Promise<KeystoneTenant> {
  const release = opts.release ?? 'zed';
  const bed = await keystoneBed(release, opts.swift);
  const letGo = await holdWithSwift(bed);
  const tag = tenantTag();
  const names = (opts.members ?? ['demo', 'alt_demo', 'demo2', 'alt_demo2']).map((n) => `${n}-${tag}`);
  const members = await createTenantUsers(bed, names, opts.memberPassword ?? 'demo', ['member']);
  return {
    bedKey: bed.key,
    release,
    authUrl: bed.url,
    port: Number(new URL(bed.url).port),
    adminPassword: bed.adminPassword,
    members,
    containerId: bed.containerId,
    dispose: () => deleteTenantUsers(bed, members).finally(letGo),
  };
}

// ---------------------------------------------------------------------------------------------- Swift

export interface SwiftTenant {
  /** The proxy's base URL, `http://127.0.0.1:PORT`; accounts are at `/v1/AUTH_<project id>`. */
  url: string;
  port: number;
  /** This file's users with their own project and the roles `member` and `ResellerAdmin`. */
  resellers: TestbedUser[];
  containerId: string;
  dispose(): Promise<void>;
}

export interface SwiftUse {
  resellers?: string[];
  resellerPassword?: string;
}

/** The run's Swift registered in a Keystone bed (one per Keystone). */
export function swiftBed(keystone: BedInfo): Promise<BedInfo> {
  return sharedBed(`swift-on-${keystone.key}`, (labels) => startSwiftBed(keystone, labels));
}

/** This file's reseller admins beside a Keystone tenant's bed (its Swift started once per run). */
export async function useSwift(
  keystone: { bedKey: string; release: string; authUrl: string; adminPassword: string; containerId: string },
  opts: SwiftUse = {},
): Promise<SwiftTenant> {
  if (keystone.bedKey !== 'compute' && !keystone.bedKey.endsWith('-swift'))
    throw new Error(
      `${keystone.bedKey} stays Keystone-only: make the tenant with useKeystone({ swift: true })`,
    );
  const ks: BedInfo = {
    key: keystone.bedKey,
    release: keystone.release,
    url: keystone.authUrl,
    adminPassword: keystone.adminPassword,
    containerId: keystone.containerId,
  };
  const swift = await swiftBed(ks);
  const letGo = await holdBed(swift.key, swift.containerId);
  const tag = tenantTag();
  const names = (opts.resellers ?? ['reseller', 'reseller2']).map((n) => `${n}-${tag}`);
  const resellers = await createTenantUsers(ks, names, opts.resellerPassword ?? 'demo', [
    'member',
    'ResellerAdmin',
  ]);
  return {
    url: swift.url,
    port: Number(new URL(swift.url).port),
    resellers,
    containerId: swift.containerId,
    dispose: () => deleteTenantUsers(ks, resellers).finally(letGo),
  };
}

// ---------------------------------------------------------------------------------------------- compute

export interface ComputeTenant {
  bedKey: 'compute';
  /** `http://127.0.0.1:16000/v3`. */
  authUrl: string;
  adminPassword: string;
  /** This file's members: own project, role `member`, a `private` network and its default security group. */
  members: TestbedUser[];
  containerId: string;
  /** The OpenStack release of the bed's packages. */
  release: string;
  /** The operator's two small raw images every project sees (community): made once per run. */
  sharedImages: { id: string; name: string }[];
  /** Lists as admin, through the REST APIs, what the given projects (by name) own. */
  projectResources(projectNames: string[]): Promise<ProjectResources>;
  /** Gives other users (Swift's reseller admins, say) what the members have: a `private` network. */
  addNetworks(users: readonly TestbedUser[]): Promise<void>;
  dispose(): Promise<void>;
}

export interface ComputeUse {
  members?: string[];
  memberPassword?: string;
}

/** As an operator would, once per run: two small raw images every project sees (community). */
function sharedImages(bed: BedInfo): Promise<{ id: string; name: string }[]> {
  return sharedBed('compute-images', async () => {
    const admin = await adminSession(bed);
    const images: { id: string; name: string }[] = [];
    for (const [name, size] of [
      ['tiny-raw', 1 << 20],
      ['tiny-raw-2', 2 << 20],
    ] as const) {
      const image = await api<{ id: string }>(admin, 'image', 'POST', '/v2/images', {
        name,
        disk_format: 'raw',
        container_format: 'bare',
        visibility: 'community',
      });
      await api(admin, 'image', 'PUT', `/v2/images/${image.id}/file`, new Uint8Array(size));
      images.push({ id: image.id, name });
    }
    return images;
  });
}

export function computeBed(): Promise<BedInfo> {
  return sharedBed('compute', (labels) => startComputeBed(labels));
}

/** This file's members on the run's compute cloud. */
export async function useCompute(opts: ComputeUse = {}): Promise<ComputeTenant> {
  const bed = await computeBed();
  const letGo = await holdWithSwift(bed);
  const tag = tenantTag();
  const names = (opts.members ?? ['demo', 'alt_demo']).map((n) => `${n}-${tag}`);
  const members = await createTenantUsers(bed, names, opts.memberPassword ?? 'demo', ['member']);
  await prepareComputeMembers(bed, members);
  const images = await sharedImages(bed);
  return {
    bedKey: 'compute',
    authUrl: bed.url,
    adminPassword: bed.adminPassword,
    members,
    containerId: bed.containerId,
    release: bed.release,
    sharedImages: images,
    projectResources: async (projects) => inventory(await adminSession(bed), projects),
    addNetworks: (users) => prepareComputeMembers(bed, users),
    // Their networks stay with the bed.
    dispose: () => deleteTenantUsers(bed, members).finally(letGo),
  };
}
