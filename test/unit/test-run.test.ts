/**
 * The container's output to its end (one line splitter, src/core/lines.ts), and runTests interrupted while the results are copied out or the container released: the work that lost
 * the race against the interrupt fails later (the cleanup removed its container). That failure is
 * handled and kept for tcup.log (--verbose shows it), never an unhandled rejection.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCleanupStack } from '../../src/core/cleanup.js';
import { TcupError } from '../../src/core/errors.js';
import { createReporter } from '../../src/core/log.js';
import { runTests } from '../../src/tempest/test-run.js';
import { lineWriter } from '../../src/core/lines.js';
import { startContainer } from '../../src/engine/container.js';
import {
  createFakeEngine,
  DEFAULT_OUT,
  passingRun,
  type ContainerScript,
  type Op,
} from '../support/fake-engine.js';
import { REQUEST } from '../support/protocol-vectors.js';

describe('runTests interrupted after the tests ran', () => {
  const unhandled: string[] = [];
  const onRejection = (reason: unknown) => unhandled.push(String(reason));
  process.on('unhandledRejection', onRejection);
  afterAll(() => void process.off('unhandledRejection', onRejection));

  // hold: the operation waits for the container's removal; stall: the copy's stream sends nothing
  // until then, when its connection breaks.
  it.each<{ stage: Op; hold: boolean; stall: boolean; late: string }>([
    {
      stage: 'copy out',
      hold: false,
      stall: true,
      late: 'the copy of the results failed after the interrupt: read ECONNRESET',
    },
    {
      stage: 'copy out',
      hold: true,
      stall: false,
      late: 'the copy of the results failed after the interrupt: no such container',
    },
    {
      stage: 'wait',
      hold: true,
      stall: false,
      late: 'the wait for the test container failed after the interrupt: no such container',
    },
  ])(
    'interrupted at $stage (hold $hold, stall $stall): INTERRUPTED, the later failure logged',
    async ({ stage, hold, stall, late }) => {
      unhandled.length = 0;
      const controller = new AbortController();
      const fake = createFakeEngine({
        out: { ...DEFAULT_OUT, stall },
        at: async (op, id) => {
          if (op !== stage) return;
          controller.abort(new TcupError('INTERRUPTED', 'interrupted by SIGINT'));
          if (hold) await fake.removed(id);
        },
      });
      const cleanup = createCleanupStack();
      const reporter = createReporter({
        write: () => undefined,
        isTTY: false,
        verbose: false,
        redact: (t) => t,
      });
      const run = runTests(fake.engine, {
        image: 'tcup-tempest:test',
        session: 'test',
        network: 'host',
        request: REQUEST,
        reporter,
        cleanup,
        signal: controller.signal,
      });
      await expect(run).rejects.toMatchObject({ code: 'INTERRUPTED' });
      // The caller's cleanup removes the container: the work that lost the race fails now.
      expect(await cleanup.dispose()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fake.alive()).toEqual([]);
      expect(reporter.transcript().split('\n')).toContain(`  | tcup: ${late}`);
      expect(unhandled).toEqual([]);
    },
  );
});

describe("the test container's output, to its end", () => {
  const options = (cleanup = createCleanupStack()) => ({
    image: 'tcup-tempest:test',
    session: 'test',
    network: 'host',
    request: REQUEST,
    cleanup,
    signal: new AbortController().signal,
  });

  it('a last stdout line without a newline reaches the log before the run returns', async () => {
    // The container's last words after tcup released it, cut off before their newline.
    const script: ContainerScript = (io) =>
      passingRun({
        ...io,
        exit: (code) => {
          io.raw('last words');
          io.exit(code);
        },
      });
    const fake = createFakeEngine({ script });
    const reporter = createReporter({
      write: () => undefined,
      isTTY: false,
      verbose: false,
      redact: (t) => t,
    });
    const o = options();
    const outcome = await runTests(fake.engine, { ...o, reporter });
    expect(outcome.tests.map((t) => t.status)).toEqual(['success']);
    expect(reporter.transcript().split('\n')).toContain('  | last words');
    await o.cleanup.dispose();
  });

  it('a failed class fixture is said, kept, and not counted as a test of the list', async () => {
    // Tempest reports a failed tearDownClass as a result of its own, beside the class's tests.
    const script: ContainerScript = async (io) => {
      const request = await io.request;
      io.event({ event: 'configured', ms: 1000 });
      io.event({ event: 'start', total: request.tests.length });
      for (const id of request.tests) io.event({ event: 'test', id, status: 'success', ms: 5, reason: null });
      io.event({ event: 'test', id: 'tearDownClass (a.b.C)', status: 'fail', ms: 0, reason: 'Conflict' });
      io.event({ event: 'finished', rc: 1, stream: 'complete', tail: [] });
      io.event({ event: 'done', code: 0 });
      await io.released;
      io.exit(0);
    };
    const lines: string[] = [];
    const reporter = createReporter({
      write: (t: string) => void lines.push(t),
      isTTY: false,
      verbose: false,
      redact: (t) => t,
    });
    const o = options();
    const outcome = await runTests(createFakeEngine({ script }).engine, { ...o, reporter });
    await o.cleanup.dispose();
    const n = REQUEST.tests.length;
    expect(outcome.tests.map((t) => t.name)).toContain('tearDownClass (a.b.C)');
    const out = lines.join('');
    expect(out).toContain('FAIL tearDownClass (a.b.C): Conflict');
    const counters = [...out.matchAll(/\[ *(\d+)\/(\d+)\] (\d+) passed, (\d+) failed/g)];
    expect(counters.length).toBeGreaterThan(0);
    for (const [, done, total] of counters) expect(Number(done)).toBeLessThanOrEqual(Number(total));
    expect(counters.at(-1)!.slice(1).map(Number)).toEqual([n, n, n, 0]);
  });

  it('the log is ended once the container is released (its own last line is handed on)', async () => {
    const fake = createFakeEngine({ script: passingRun });
    const log = lineWriter(() => undefined);
    const o = options();
    let started: Awaited<ReturnType<typeof startContainer>> | undefined;
    await startContainer(fake.engine, {
      ...o,
      onEvent: () => undefined,
      log,
      onCreated: (c) => (started = c),
    });
    await started!.settled;
    expect(await started!.release()).toBe(0);
    expect(log.writableEnded).toBe(true);
    await started!.remove();
  });
});
