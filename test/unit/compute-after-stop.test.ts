/**
 * A compute run that did not finish (Ctrl-C, SIGTERM, a failed test container): once its container is
 * gone, tcup looks at the test projects under a deadline of its own (the run's signal has fired), reports
 * what the run left, and with --cleanup-cloud deletes exactly that; a cloud that does not answer in time
 * is named, never a hang nor an error that hides the run's own.
 */
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/cloud/inventory.js';
import type { ProjectSession, ServiceKind } from '../../src/cloud/rest.js';
import { createReporter } from '../../src/core/log.js';
import { lookAfterStop, type ComputeState } from '../../src/pipeline/steps/compute.js';

const KEYS: Record<string, string> = {
  servers: 'servers',
  volumes: 'volumes',
  snapshots: 'snapshots',
  images: 'images',
  floatingips: 'floatingips',
  routers: 'routers',
  ports: 'ports',
  subnets: 'subnets',
  networks: 'networks',
  'security-groups': 'security_groups',
  'os-keypairs': 'keypairs',
};

interface Project {
  /** What the project holds now: type key (as in the API path) → ids. */
  holds: Record<string, string[]>;
  deleted: string[];
  /** The signals the session's requests were sent under. */
  signals: Set<AbortSignal | undefined>;
}

/** One account's project as its API answers it; `hang`: no answer until the request's signal fires. */
function session(who: string, p: Project, hang: boolean, signal?: AbortSignal): ProjectSession {
  const wait = <T>(value: T): Promise<T> => {
    p.signals.add(signal);
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    if (!hang) return Promise.resolve(value);
    return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
  };
  const keyOf = (path: string) => path.slice(1).split(/[/?]/)[0]!;
  return {
    who,
    projectId: `${who}-project`,
    has: () => true,
    get: (_kind: ServiceKind, path: string) => {
      const key = keyOf(path);
      const rest = path[key.length + 1] === '/' ? path.slice(key.length + 2).split('?')[0] : '';
      if (rest) return wait(p.holds[key]?.includes(rest) ? {} : undefined);
      return wait({ [KEYS[key]!]: (p.holds[key] ?? []).map((id) => ({ id })) });
    },
    send: (_kind, method, path) => {
      const key = keyOf(path);
      const id = decodeURIComponent(path.split('/')[2] ?? '');
      if (method === 'DELETE') {
        p.holds[key] = (p.holds[key] ?? []).filter((x) => x !== id);
        p.deleted.push(`${key}/${id}`);
      }
      return wait({ status: 204 });
    },
    upload: () => wait(204),
    withSignal: (next) => session(who, p, hang, next),
  };
}

function state(
  projects: Record<string, Project>,
  before: Record<string, Inventory>,
  hang = false,
  interrupted = true,
) {
  const run = new AbortController();
  if (interrupted) run.abort(); // Ctrl-C: the run's signal has fired (else its container failed)
  const sessions = Object.entries(projects).map(([who, p]) => session(who, p, hang, run.signal));
  const s: ComputeState = {
    overrides: [],
    chosen: {},
    sessions,
    before: new Map(Object.entries(before)),
    uploaded: [],
  };
  return { state: s, runSignal: run.signal, interrupt: () => run.abort() };
}

const project = (holds: Record<string, string[]>): Project => ({ holds, deleted: [], signals: new Set() });

function capture() {
  let out = '';
  const reporter = createReporter({
    write: (t) => (out += t),
    isTTY: false,
    verbose: false,
    redact: (t) => t,
  });
  return { reporter, out: () => out };
}

describe('the look at the test projects after a stopped run', () => {
  it.each([
    {
      name: 'with --cleanup-cloud: deletes exactly what the run left, servers first',
      cleanupCloud: true,
      shown: [/the run left 3 resource\(s\)/, /demo: servers: s1; networks: tempest-net/, /deleted 3 of 3/],
      deleted: { demo: ['servers/s1', 'networks/tempest-net'], alt: ['volumes/v1'] },
      result: {
        leftovers: { demo: { servers: ['s1'], networks: ['tempest-net'] }, alt: { volumes: ['v1'] } },
      },
    },
    {
      name: 'without: lists them, to delete by hand (a later run counts them as the projects’ own)',
      cleanupCloud: false,
      shown: [/the run left 3 resource\(s\)/, /delete these by hand .*with --cleanup-cloud/],
      deleted: { demo: [], alt: [] },
      result: {
        leftovers: { demo: { servers: ['s1'], networks: ['tempest-net'] }, alt: { volumes: ['v1'] } },
      },
    },
  ])('$name', async ({ cleanupCloud, shown, deleted, result }) => {
    const demo = project({ servers: ['s0', 's1'], networks: ['private', 'tempest-net'] });
    const alt = project({ volumes: ['v1'] });
    const { state: s, runSignal } = state(
      { demo, alt },
      { demo: { servers: ['s0'], networks: ['private'] }, alt: {} },
    );
    const { reporter, out } = capture();
    const after = await lookAfterStop(s, { validation: false, cleanupCloud }, reporter, runSignal);
    expect(after).toMatchObject(result);
    for (const line of shown) expect(out()).toMatch(line);
    expect(out()).toMatch(/looking at what the stopped run left in the test projects \(at most 60 s/);
    expect({ demo: demo.deleted, alt: alt.deleted }).toEqual(deleted);
    // What was there before is never touched; the run's fired signal is never used.
    expect(demo.holds.servers).toContain('s0');
    expect(demo.signals.has(runSignal)).toBe(false);
  });

  it('nothing left: says so', async () => {
    const demo = project({ servers: ['s0'] });
    const { state: s, runSignal } = state({ demo }, { demo: { servers: ['s0'] } });
    const { reporter, out } = capture();
    expect(await lookAfterStop(s, { validation: false, cleanupCloud: true }, reporter, runSignal)).toEqual({
      leftovers: {},
    });
    expect(out()).toMatch(/nothing left in the test projects/);
  });

  it('a cloud that does not answer: named after the deadline, with where to look, never thrown', async () => {
    const demo = project({ servers: ['s1'] });
    const { state: s, runSignal } = state({ demo }, { demo: {} }, true);
    const { reporter, out } = capture();
    const after = await lookAfterStop(s, { validation: false, cleanupCloud: true }, reporter, runSignal, 200);
    expect(after).toBeUndefined();
    expect(out()).toMatch(
      /what the stopped run left in the test projects was not checked nor removed \(not done within 0\.2 s\): look for resources named tempest-… in the projects of demo/,
    );
  });

  it('after a failed container (no Ctrl-C yet): a Ctrl-C during the look ends it at once', async () => {
    const demo = project({ servers: ['s1'] });
    const { state: s, runSignal, interrupt } = state({ demo }, { demo: {} }, true, false);
    const { reporter, out } = capture();
    const look = lookAfterStop(s, { validation: false, cleanupCloud: true }, reporter, runSignal);
    expect(out()).toMatch(/\(at most 60 s; Ctrl-C to stop now\)/);
    interrupt();
    expect(await look).toBeUndefined();
    expect(out()).toMatch(/was not checked nor removed \(interrupted\)/);
  });
});
