/**
 * The compute step: before the run, what a compute run needs (image, flavors, networks, guest login)
 * found as the test accounts, shown, and turned into Tempest settings; what the test projects hold. After
 * it, what the run left behind, and (--cleanup-cloud) its removal. Settings that depend on the Tempest
 * variant (xenapi_apis) are the plan's (src/tempest/plan.ts), made once the variant is known.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  chooseFlavors,
  chooseFormatWorkaround,
  chooseImage,
  chooseImageAlt,
  chooseNetworks,
  describeFlavor,
  explainSkip,
  listFlavors,
  listImages,
  listNetworks,
  toImage,
  type ImageInfo,
  type NetworkInfo,
} from '../../cloud/compute.js';
import type { Credentials } from '../../cloud/credentials.js';
import {
  countOf,
  deleteLeftovers,
  describeInventory,
  leftovers,
  takeInventory,
  type Inventory,
} from '../../cloud/inventory.js';
import { authenticate } from '../../cloud/keystone.js';
import { isRecord, projectSession, type ProjectSession } from '../../cloud/rest.js';
import type { CleanupStack } from '../../core/cleanup.js';
import { TcupError } from '../../core/errors.js';
import { mapLimit } from '../../core/limit.js';
import type { HttpClient } from '../../core/http.js';
import type { Reporter } from '../../core/log.js';
import type { Redactor } from '../../redaction/redactor.js';
import type { TestResult } from '../../results/tests.js';
import type { Selection } from '../../guidelines/select.js';
import type { StandardSelection } from '../../guidelines/standard.js';
import type { AccountWithRoles } from '../../tempest/accounts.js';
import type { ComputeOptions } from '../options.js';

export type { ComputeOptions };

/**
 * Accounts looked at a few at a time (their sessions, inventories, images, networks): each look asks a
 * dozen requests at once, and all of eight accounts at once timed out on a loaded two-core cloud
 * ("cannot reach the compute API ... timed out").
 */
const ACCOUNTS_AT_ONCE = 3;

export interface ComputeState {
  /** `section.key value` pairs for python-tempestconf (the user's --tempest-option still wins). */
  overrides: [string, string][];
  /** What tcup chose, for summary.json. */
  chosen: Record<string, unknown>;
  sessions: ProjectSession[];
  before: Map<string, Inventory>;
  /** The image tcup uploaded from --image FILE (removed by tcup, so not a leftover). */
  uploaded: string[];
}

interface Context {
  http: HttpClient;
  credentials: Credentials;
  accounts: readonly AccountWithRoles[];
  redactor: Redactor;
  reporter: Reporter;
  cleanup: CleanupStack;
  signal: AbortSignal;
  cwd: string;
  session: string;
  /** The --tempest-option keys the user set: those are not overridden nor checked here. */
  userKeys: ReadonlySet<string>;
}

const CLOUD_APIS = /^tempest\.api\.(compute|network|volume|image)\./;

/** Whether the selected tests touch the compute side of the cloud (servers, networks, volumes, images). */
export function needsComputeStep(tests: readonly string[]): boolean {
  return tests.some((t) => CLOUD_APIS.test(t));
}

export async function prepareCompute(
  ctx: Context,
  tests: readonly string[],
  options: ComputeOptions,
): Promise<ComputeState> {
  const { reporter } = ctx;
  // Each request in flight listens on the run's signal: the inventory asks many at once.
  setMaxListeners(200, ctx.signal);
  const sessions = await mapLimit(ctx.accounts, ACCOUNTS_AT_ONCE, (a) => sessionOf(ctx, a));
  const first = sessions[0]!;
  const overrides: [string, string][] = [];
  const chosen: Record<string, unknown> = {};
  const set = (key: string, value: string) => {
    if (!ctx.userKeys.has(key)) overrides.push([key, value]);
  };

  // What the projects hold before anything is created (the image upload included).
  const before = new Map<string, Inventory>();
  await mapLimit(sessions, ACCOUNTS_AT_ONCE, async (s) => before.set(s.who, await takeInventory(s)));
  const held = [...before.values()].reduce((n, i) => n + countOf(i), 0);
  reporter.info(`the ${sessions.length} test project(s) hold ${held} resource(s) before the run: left alone`);

  const uploaded: string[] = [];
  if (first.has('compute') && first.has('image')) {
    let image: ImageInfo;
    let imageAlt: ImageInfo | undefined;
    let why: string;
    const file = options.image !== undefined ? asFile(ctx.cwd, options.image) : undefined;
    if (file) {
      // Twice: some tests need two distinct images (image_ref_alt).
      image = await uploadImage(ctx, first, sessions, file, '');
      imageAlt = await uploadImage(ctx, first, sessions, file, '-alt');
      uploaded.push(image.id, imageAlt.id);
      why = `uploaded from ${options.image} for this run (and a copy as the alt image); removed afterwards`;
    } else {
      // An image every account can boot: the intersection of what each sees.
      const lists = await mapLimit(sessions, ACCOUNTS_AT_ONCE, (s) => listImages(s));
      const everyone = lists[0]!.filter((i) => lists.every((l) => l.some((x) => x.id === i.id)));
      ({ image, why } = chooseImage(everyone, options.image));
      imageAlt = chooseImageAlt(everyone, image);
      if (!imageAlt)
        reporter.warn(
          'only one usable image is visible: the tests that need two distinct images are skipped (make a second one visible, or pass --image FILE: tcup uploads it twice)',
        );
    }
    const { flavor, flavorAlt, notes } = chooseFlavors(await listFlavors(first), image, {
      flavor: options.flavor,
      flavorAlt: options.flavorAlt,
    });
    set('compute.image_ref', image.id);
    set('compute.image_ref_alt', (imageAlt ?? image).id);
    set('compute.flavor_ref', flavor.id);
    set('compute.flavor_ref_alt', flavorAlt.id);
    const size = image.size !== undefined ? `${(image.size / 1024 ** 2).toFixed(1)} MiB ` : '';
    reporter.step(`image ${image.name || image.id} (${image.id}, ${size}${image.diskFormat ?? '?'}): ${why}`);
    if (imageAlt && !file)
      reporter.info(`alt image ${imageAlt.name || imageAlt.id} (${imageAlt.id}): the next smallest`);
    reporter.step(
      `flavors ${flavor.name} (${describeFlavor(flavor)}) and ${flavorAlt.name} (${describeFlavor(flavorAlt)}): ` +
        `${options.flavor || options.flavorAlt ? 'as given' : 'the two smallest that fit the image'} (--flavor, --flavor-alt)`,
    );
    for (const note of notes) reporter.warn(note);
    chosen.image = {
      id: image.id,
      name: image.name,
      diskFormat: image.diskFormat,
      size: image.size,
      why,
      uploaded: uploaded.length > 0,
    };
    chosen.imageAlt = imageAlt ? { id: imageAlt.id, name: imageAlt.name } : undefined;
    if (tests.some((t) => FORMAT_GATED.test(t)) && !ctx.userKeys.has(ENFORCEMENT)) {
      const enforced = await probeFormatEnforcement(first, ctx.session);
      chosen.imageFormatEnforcement = enforced;
      if (enforced === false) set(ENFORCEMENT, 'False');
      if (enforced !== true)
        reporter.info(
          enforced === undefined
            ? 'could not tell whether Glance enforces image formats: the tests that upload bogus image data are skipped'
            : 'Glance accepts image data whatever its disk format (probed): the tests that upload such data run',
        );
      else if (!ctx.userKeys.has(CONTAINER_FORMATS)) {
        const schema = await first.get('image', '/schemas/image').catch(() => undefined);
        const workaround = chooseFormatWorkaround(schema, tests);
        chosen.imageFormatWorkaround = workaround;
        if (workaround.containerFormat) {
          set(CONTAINER_FORMATS, workaround.containerFormat);
          set(ENFORCEMENT, 'False');
        }
        reporter.info(
          `Glance rejects image data that does not match its disk format (probed); ${workaround.why}` +
            (workaround.containerFormat
              ? ` (${CONTAINER_FORMATS}=${workaround.containerFormat}, ${ENFORCEMENT}=False; --tempest-option overrides)`
              : ''),
        );
      }
    }
    chosen.flavor = flavor;
    chosen.flavorAlt = flavorAlt;
  }

  let external: NetworkInfo | undefined;
  if (first.has('network')) {
    const perAccount = new Map<string, { projectId: string; networks: NetworkInfo[] }>();
    await mapLimit(sessions, ACCOUNTS_AT_ONCE, async (s) =>
      perAccount.set(s.who, { projectId: s.projectId, networks: await listNetworks(s) }),
    );
    const choice = chooseNetworks(perAccount, {
      fixed: options.fixedNetwork,
      external: options.externalNetwork,
    });
    if (choice.fixed) set('compute.fixed_network_name', choice.fixed);
    external = choice.external;
    if (external) {
      set('network.public_network_id', external.id);
      set('network.floating_network_name', external.name);
    }
    reporter.step(
      `networks: ${choice.fixed ? `${choice.fixed} in every test project` : 'no project network'}` +
        `${options.fixedNetwork ? ' (as given)' : ''}; external ${external ? `${external.name} (${external.id})` : '(none)'}` +
        ' (--fixed-network, --external-network)',
    );
    for (const note of choice.notes) reporter.warn(note);
    chosen.fixedNetwork = choice.fixed;
    chosen.externalNetwork = external ? { id: external.id, name: external.name } : undefined;
  }

  if (options.validation) {
    if (!external)
      throw new TcupError(
        'USAGE',
        '--validation needs an external network for the floating IPs that reach the guests',
        'pass --external-network NAME|ID',
      );
    set('validation.run_validation', 'True');
    set('validation.connect_method', 'floating');
    set('validation.auth_method', 'keypair');
    set('validation.ip_version_for_ssh', '4');
    reporter.step('guest login on: tests log into guests over SSH through floating IPs from this machine');
  } else {
    set('validation.run_validation', 'False');
    reporter.info(
      'guest login off: the tests that log into a guest over SSH are skipped (--validation turns it on; it needs floating IPs this machine reaches)',
    );
  }
  chosen.validation = options.validation;

  if (overrides.length > 0) chosen.tempestOptions = Object.fromEntries(overrides);
  return { overrides, chosen, sessions, before, uploaded };
}

/** After the run: what it left in the test projects, and with --cleanup-cloud their removal. */
export async function finishCompute(
  state: ComputeState,
  options: ComputeOptions,
  reporter: Reporter,
  /** `stopped`: the run did not finish (lookAfterStop); `signal`: the look's deadline. */
  how: { signal?: AbortSignal; stopped?: boolean } = {},
): Promise<Record<string, unknown>> {
  const left = new Map<string, Inventory>();
  await mapLimit(state.sessions, ACCOUNTS_AT_ONCE, async (s) => {
    const after = await takeInventory(s);
    const extra = leftovers(state.before.get(s.who) ?? {}, after, state.uploaded);
    if (countOf(extra) > 0) left.set(s.who, extra);
  });
  const total = [...left.values()].reduce((n, i) => n + countOf(i), 0);
  if (total === 0) {
    reporter.step('nothing left in the test projects');
    return { leftovers: {} };
  }
  reporter.warn(`the run left ${total} resource(s) in the test projects:`);
  for (const [who, inv] of left) reporter.warn(`  ${who}: ${describeInventory(inv)}`);
  if (!options.cleanupCloud) {
    reporter.info(
      how.stopped
        ? "delete these by hand (a later run counts them as the projects' own); with --cleanup-cloud tcup deletes what a run leaves, also a stopped one"
        : '--cleanup-cloud deletes exactly these (never what was there before)',
    );
    return { leftovers: Object.fromEntries(left) };
  }
  const deleted: Record<string, Inventory> = {};
  const failed: Record<string, unknown[]> = {};
  for (const s of state.sessions) {
    const inv = left.get(s.who);
    if (!inv) continue;
    const outcome = await deleteLeftovers(s, inv, how.signal ? { signal: how.signal } : {});
    deleted[s.who] = outcome.deleted;
    if (outcome.failed.length > 0) failed[s.who] = outcome.failed;
  }
  const removed = Object.values(deleted).reduce((n, i) => n + countOf(i), 0);
  reporter.step(`--cleanup-cloud: deleted ${removed} of ${total}`);
  for (const [who, list] of Object.entries(failed))
    reporter.warn(`  ${who}: could not delete ${JSON.stringify(list)}`);
  return { leftovers: Object.fromEntries(left), deleted, failedToDelete: failed };
}

/** How long the removal of the image tcup uploaded may take (after Ctrl-C too). */
const REMOVE_IMAGE_MS = 30_000;

/** How long the look at the test projects after a stopped run may take (a second Ctrl-C ends it at once). */
const LOOK_AFTER_STOP_MS = 60_000;

/**
 * After a run that did not finish (Ctrl-C, SIGTERM, a failed test container), once its container is gone:
 * what it left in the test projects, reported (and with --cleanup-cloud deleted) as after a whole run. The
 * run's signal has fired, so the look has a deadline of its own. Never throws: the run's own error is what
 * the command ends with; `undefined` when the look could not be made.
 */
export async function lookAfterStop(
  state: ComputeState,
  options: ComputeOptions,
  reporter: Reporter,
  /** The run's signal: fired after Ctrl-C; otherwise (a failed container) a Ctrl-C now ends the look. */
  runSignal: AbortSignal,
  deadlineMs = LOOK_AFTER_STOP_MS,
): Promise<Record<string, unknown> | undefined> {
  const timeout = AbortSignal.timeout(deadlineMs);
  const deadline = runSignal.aborted ? timeout : AbortSignal.any([runSignal, timeout]);
  reporter.step(
    `looking at what the stopped run left in the test projects (at most ${deadlineMs / 1000} s; ${
      runSignal.aborted ? 'again' : 'Ctrl-C'
    } to stop now)`,
  );
  try {
    return await finishCompute(
      { ...state, sessions: state.sessions.map((s) => s.withSignal(deadline)) },
      options,
      reporter,
      { signal: deadline, stopped: true },
    );
  } catch (error) {
    const why = timeout.aborted
      ? `not done within ${deadlineMs / 1000} s`
      : deadline.aborted
        ? 'interrupted'
        : error instanceof Error
          ? error.message
          : String(error);
    reporter.warn(
      `what the stopped run left in the test projects was not checked${options.cleanupCloud ? ' nor removed' : ''} (${why}): ` +
        `look for resources named tempest-… in the projects of ${state.sessions.map((s) => s.who).join(', ')}`,
    );
    return undefined;
  }
}

export interface Explanation {
  /** The guideline capability; absent for a standard's listed test (a standard has no capabilities). */
  capability?: string;
  test: string;
  status: string;
  reason?: string | undefined;
  /** What a vendor can do about it, when tcup knows. */
  what?: string | undefined;
}

/**
 * Every required test of a capability that did not pass, with Tempest's reason and, where tcup knows
 * one, what to do (pure).
 */
export function explainFailing(
  capabilities: readonly {
    id: string;
    tests: readonly { name: string; aliases: readonly string[]; flagged: boolean }[];
  }[],
  results: readonly TestResult[],
): Explanation[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  // A class that failed or was skipped in setup: its fixture result carries the reason.
  const fixtures = fixtureResults(results);
  const out: Explanation[] = [];
  for (const c of capabilities)
    for (const t of c.tests) {
      if (t.flagged) continue;
      const found = [t.name, ...t.aliases].map((n) => byName.get(n)).filter((r) => r !== undefined);
      if (found.some((r) => r.status === 'success')) continue;
      const r = found[0];
      const fixture = fixtures.get(t.name.slice(0, t.name.lastIndexOf('.')));
      const reason = r?.reason ?? fixture?.reason;
      const what = reason ? explainSkip(reason) : undefined;
      out.push({
        capability: c.id,
        test: t.name,
        status: r ? r.status : fixture ? `not run (${fixture.status} in class setup)` : 'not run',
        ...(reason ? { reason } : {}),
        ...(what ? { what } : {}),
      });
    }
  return out;
}

/**
 * A standard's listed tests (SCS-0128) that failed, or whose class failed or was skipped in setup, with
 * Tempest's reason and, where tcup knows one, what to do: by test, as a standard has no capabilities (pure).
 * Tests without any result are left to the standard's verdict ("not in this Tempest", "not run").
 */
export function explainListed(
  listed: readonly { name: string; uuid?: string | undefined }[],
  results: readonly TestResult[],
): Explanation[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const byUuid = new Map(results.flatMap((r) => (r.uuid ? [[r.uuid, r] as const] : [])));
  const fixtures = fixtureResults(results);
  const out: Explanation[] = [];
  for (const t of listed) {
    const r = byName.get(t.name) ?? (t.uuid ? byUuid.get(t.uuid) : undefined);
    if (r && !EXPLAINED_LISTED.has(r.status)) continue;
    // Not run (no result of its own, or one marked not-run): its class's fixture says why, if it failed or was skipped.
    const ran = r !== undefined && r.status !== 'not-run';
    const fixture = ran ? undefined : fixtures.get(t.name.slice(0, t.name.lastIndexOf('.')));
    if (!r && !fixture) continue;
    const reason = r?.reason ?? fixture?.reason;
    const what = reason ? explainSkip(reason) : undefined;
    out.push({
      test: t.name,
      status: ran ? r.status : fixture ? `not run (${fixture.status} in class setup)` : 'not run',
      ...(reason ? { reason } : {}),
      ...(what ? { what } : {}),
    });
  }
  return out;
}

/** A listed test's own results that break the rule or leave it without a result. */
const EXPLAINED_LISTED = new Set<string>(['fail', 'uxsuccess', 'not-run']);

/** Class fixtures (setUpClass, tearDownClass) that did not succeed, by class: they carry the reason. */
function fixtureResults(results: readonly TestResult[]): Map<string, TestResult> {
  const fixtures = new Map<string, TestResult>();
  for (const r of results) {
    const m = /^(?:setUpClass|tearDownClass) \((.+)\)$/.exec(r.name);
    if (m && r.status !== 'success') fixtures.set(m[1]!, r);
  }
  return fixtures;
}

const SHOWN_NAMES = 4;

/**
 * The explanations, shown and returned for summary.json: for a guideline one line per capability and
 * reason; for a standard one line per reason tcup can say something about (its verdict already names
 * every failed and not-run test with Tempest's reason).
 */
export function explainNotPassing(
  selection: { guideline?: Selection | undefined; standard?: StandardSelection | undefined },
  tests: readonly TestResult[],
  reporter: Reporter,
): Explanation[] | undefined {
  const { guideline, standard } = selection;
  if (!guideline && !standard) return undefined;
  const explained = guideline
    ? explainFailing(guideline.capabilities, tests)
    : explainListed(standard!.tests, tests);
  const groups = new Map<string, Explanation[]>();
  for (const e of explained) {
    if (!guideline && e.what === undefined) continue;
    const key = `${e.capability ?? ''}\u0000${e.status}\u0000${e.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const list of groups.values()) {
    const e = list[0]!;
    // A guideline names every test of the capability; a standard's group may be long.
    const cut = guideline ? list.length : SHOWN_NAMES;
    const shown = list.slice(0, cut).map((x) => x.test.split('.').slice(-2).join('.'));
    const more = list.length > cut ? ` and ${list.length - cut} more` : '';
    const tail = `${e.status}${e.reason ? `: ${e.reason}` : ''}${e.what ? ` → ${e.what}` : ''}`;
    reporter.warn(
      guideline
        ? `${e.capability} does not pass: ${shown.join(', ')}${more} ${tail}`
        : `${standard!.label}: ${shown.join(', ')}${more} ${tail}`,
    );
  }
  return explained;
}

async function sessionOf(ctx: Context, a: AccountWithRoles): Promise<ProjectSession> {
  // The account's own user and project, in the OS_* user's cloud (URL, interface, CA, region).
  const {
    userId: _u,
    userDomainId: _ud,
    projectDomainId: _pd,
    projectName: _pn,
    projectId: _pi,
    ...c
  } = ctx.credentials;
  const creds: Credentials = {
    ...c,
    authType: 'password',
    username: a.username,
    password: a.password,
    ...(a.projectName ? { projectName: a.projectName } : {}),
    ...(a.projectId ? { projectId: a.projectId } : {}),
    userDomainName: a.userDomainName ?? a.domainName ?? c.userDomainName ?? 'Default',
    projectDomainName: a.projectDomainName ?? a.domainName ?? c.projectDomainName ?? 'Default',
  };
  const login = async (signal: AbortSignal | undefined = ctx.signal) => {
    const auth = await authenticate(ctx.http, creds, { signal });
    ctx.redactor.add(auth.token);
    return auth;
  };
  const auth = await login();
  if (!auth.projectId)
    throw new TcupError('CREDENTIALS', `account ${a.username} has no project`, 'give each account a project');
  return projectSession({
    http: ctx.http,
    token: auth.token,
    // A token refused after a long run (expired, revoked): the account logs in again, once.
    renew: async (signal) => (await login(signal)).token,
    catalog: auth.catalog,
    projectId: auth.projectId,
    who: a.username,
    iface: c.interface,
    region: c.regionName,
    signal: ctx.signal,
  });
}

function asFile(cwd: string, value: string): string | undefined {
  const path = resolve(cwd, value);
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Tempest 43 skips these unless image-feature-enabled.image_format_enforcement=False. */
const FORMAT_GATED = /^tempest\.api\.image\.v2\.test_images\.ListUserImagesTest\./;
const ENFORCEMENT = 'image-feature-enabled.image_format_enforcement';
const CONTAINER_FORMATS = 'image.container_formats';

/**
 * Whether Glance rejects data that does not match the image's disk format (2024.1+ can): a private
 * qcow2 image with 4 KiB of zeros, uploaded and deleted at once. undefined: no answer either way.
 */
async function probeFormatEnforcement(s: ProjectSession, session: string): Promise<boolean | undefined> {
  const created = await s.send('image', 'POST', '/images', {
    name: `tcup-${session.split('/').pop()!.slice(0, 8)}-format-probe`,
    disk_format: 'qcow2',
    container_format: 'bare',
    visibility: 'private',
  });
  const id = isRecord(created.body) && typeof created.body.id === 'string' ? created.body.id : undefined;
  if (created.status !== 201 || !id) return undefined;
  try {
    const put = await s.upload('image', `/images/${id}/file`, Buffer.alloc(4096));
    if (put >= 400 && put < 500) return true;
    const image = await s.get('image', `/images/${id}`);
    const status = isRecord(image) ? image.status : undefined;
    return status === 'active' ? false : status === 'queued' || status === 'killed' ? true : undefined;
  } finally {
    await s.send('image', 'DELETE', `/images/${id}`).catch(() => undefined);
  }
}

/** The disk format of an image file by its magic bytes (qcow2, vmdk, vhdx, iso), else raw (pure). */
export function diskFormatOf(head: Buffer): string {
  if (head.subarray(0, 4).toString('latin1') === 'QFI\xfb') return 'qcow2';
  if (head.subarray(0, 4).toString('latin1') === 'KDMV') return 'vmdk';
  if (head.subarray(0, 8).toString('latin1') === 'vhdxfile') return 'vhdx';
  if (head.length >= 0x8006 && head.subarray(0x8001, 0x8006).toString('latin1') === 'CD001') return 'iso';
  return 'raw';
}

/**
 * Uploads FILE through Glance as the first account, for every test project to see (community; where
 * the cloud's policy refuses that, shared with each project), and defers its removal.
 */
async function uploadImage(
  ctx: Context,
  owner: ProjectSession,
  sessions: readonly ProjectSession[],
  file: string,
  suffix: string,
): Promise<ImageInfo> {
  const data = readFileSync(file);
  const diskFormat = diskFormatOf(data.subarray(0, 0x8010));
  const name = `tcup-${ctx.session.split('/').pop()!.slice(0, 8)}-${basename(file)}${suffix}`;
  const create = (visibility: string) =>
    owner.send('image', 'POST', '/images', {
      name,
      disk_format: diskFormat,
      container_format: 'bare',
      visibility,
    });
  let visibility = sessions.length > 1 ? 'community' : 'private';
  let answer = await create(visibility);
  if (answer.status === 403 && visibility === 'community') {
    visibility = 'shared';
    answer = await create(visibility);
  }
  const created = answer.status === 201 && isRecord(answer.body) ? toImage(answer.body) : undefined;
  if (!created)
    throw new TcupError(
      'USAGE',
      `Glance refused to create an image for --image ${basename(file)} (HTTP ${answer.status})`,
      'ask the operators for an image every test account sees, and pass --image NAME|ID',
    );
  ctx.cleanup.defer(`image ${created.id}`, async () => {
    // Also after Ctrl-C: the run's signal has fired then, so the delete has a deadline of its own.
    const remover = owner.withSignal(AbortSignal.timeout(REMOVE_IMAGE_MS));
    const { status } = await remover.send('image', 'DELETE', `/images/${created.id}`);
    if (status >= 300 && status !== 404) throw new Error(`HTTP ${status}`);
  });
  const put = await owner.upload('image', `/images/${created.id}/file`, data);
  if (put >= 300)
    throw new TcupError('RUN_FAILED', `Glance refused the data of ${basename(file)} (HTTP ${put})`);
  if (visibility === 'shared')
    for (const s of sessions)
      if (s.projectId !== owner.projectId)
        await owner.send('image', 'POST', `/images/${created.id}/members`, { member: s.projectId });
  for (let i = 0; i < 60; i++) {
    const image = await owner.get('image', `/images/${created.id}`);
    const info = isRecord(image) ? toImage(image) : undefined;
    if (info?.status === 'active') return info;
    if (info && ['killed', 'deleted', 'deactivated'].includes(info.status))
      throw new TcupError('RUN_FAILED', `Glance could not store ${basename(file)} (image ${info.status})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new TcupError('RUN_FAILED', `the image uploaded from ${basename(file)} did not become active`);
}
