/**
 * The fault matrix of the pipeline with stand-ins (test/support/fake-engine.ts, fake-http.ts, a fixed
 * clock): each stage failing and each interrupted, through runTcup and cli.ts's own error report. Each
 * case checks the exit code, the one `✖` sentence, what was made and removed on the engine and in
 * which order, and which results are on disk (a step after the tests fails: they are there already).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { report, type Io } from '../../src/cli.js';
import { TcupError } from '../../src/core/errors.js';
import type { HttpRequest, HttpResponse } from '../../src/core/http.js';
import { loadBundledGuideline } from '../../src/guidelines/load.js';
import { selectTests } from '../../src/guidelines/select.js';
import { runTcup, type Deps, type RunOptions } from '../../src/pipeline/pipeline.js';
import { createRedactor } from '../../src/redaction/redactor.js';
import { variantById, variantPatches } from '../../src/tempest/variant.js';
import {
  createFakeEngine,
  DEFAULT_OUT,
  passingRun,
  type ContainerScript,
  type FakeEngine,
  type FakeEngineOptions,
  type Op,
} from '../support/fake-engine.js';
import { createFakeHttp, hang, json, keystoneToken, refused } from '../support/fake-http.js';

const PASSWORD = 'fault "unit" pw ✓';
const AUTH_URL = 'http://keystone.test:5000/v3';
const REFSTACK = 'http://refstack.test/api';
const ROOT = mkdtempSync(join(tmpdir(), 'tcup-pipeline-faults-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

/** The identity tests of 2020.06, as the fake image lists them (name + idempotent id). */
const SELECTED = selectTests(loadBundledGuideline('2020.06'), {
  target: 'platform',
  types: ['required'],
  capabilityPatterns: ['identity-*'],
}).tests;
const INSTALLED = SELECTED.map((t) => `${t.name}[id-${t.uuid}]`);

/** What SIGINT (or SIGTERM) makes cli.ts abort the run with. */
const SIGNALS = {
  SIGINT: () => new TcupError('INTERRUPTED', 'interrupted by SIGINT'),
  SIGTERM: () => new TcupError('TERMINATED', 'interrupted by SIGTERM'),
};

interface Ctx {
  /** Interrupts the run as cli.ts does on a signal. */
  interrupt(signal?: keyof typeof SIGNALS): void;
  signal: AbortSignal;
  resultsDir: string;
  /** Resolves when the engine's container is removed. */
  removed(id: string): Promise<void>;
}

interface Case {
  name: string;
  /** Extra options (e.g. the upload choice). */
  options?: Partial<RunOptions>;
  env?: Record<string, string | undefined>;
  /** The engine's behaviour; `at` may use the context to interrupt. */
  engine?: (ctx: Ctx) => FakeEngineOptions;
  /** The HTTP answers (default: Keystone grants every token; RefStack stores the results). */
  http?: (ctx: Ctx) => (url: string, req: HttpRequest) => HttpResponse | Promise<HttpResponse> | undefined;
  /** Interrupt when a line of the output matches (as the e2e's `when(pattern)` does). */
  interruptOn?: RegExp;
}

interface Outcome {
  code: number;
  stderr: string;
  /** The `✖` lines. */
  errors: string[];
  journal: string[];
  alive: string[];
  files: string[];
  dir: string;
  httpOpen: number;
  /** The build args of each image build the engine got. */
  builds: Record<string, string>[];
  /** The requests the test containers got. */
  requests: FakeEngine['requests'];
}

let runs = 0;

async function run(c: Case): Promise<Outcome> {
  const resultsDir = join(ROOT, `run-${++runs}`);
  const home = join(ROOT, `home-${runs}`);
  mkdirSync(home, { recursive: true });
  const controller = new AbortController();
  const ctx: Ctx = {
    interrupt: (name = 'SIGINT') => {
      if (!controller.signal.aborted) controller.abort(SIGNALS[name]());
    },
    signal: controller.signal,
    resultsDir,
    removed: (id) => fake.removed(id),
  };
  const fake: FakeEngine = createFakeEngine({ installed: INSTALLED, ...c.engine?.(ctx) });
  const builds: Record<string, string>[] = [];
  const buildImage = fake.engine.buildImage.bind(fake.engine);
  fake.engine.buildImage = (context, build) => {
    builds.push(build.buildargs);
    return buildImage(context, build);
  };
  const answer = c.http?.(ctx);
  const http = createFakeHttp(async (url, req) => {
    const given = await answer?.(url, req);
    if (given) return given;
    if (url === `${AUTH_URL}/auth/tokens`) return keystoneToken(req, AUTH_URL);
    if (url.startsWith(REFSTACK)) return json(201, { id: 'run-1', url: `${REFSTACK}/results/run-1` });
    return json(404, {});
  });
  let stderrText = '';
  const stderr = new PassThrough();
  stderr.on('data', (chunk: Buffer) => {
    stderrText += chunk.toString();
    if (c.interruptOn?.test(chunk.toString())) ctx.interrupt();
  });
  const redactor = createRedactor();
  let clock = Date.UTC(2025, 0, 1);
  const deps: Deps = {
    env: {
      OS_AUTH_URL: AUTH_URL,
      OS_USERNAME: 'demo',
      OS_PASSWORD: PASSWORD,
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      ...c.env,
    },
    cwd: ROOT,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: new PassThrough() as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    redactor,
    signal: controller.signal,
    now: () => (clock += 1000),
    engine: () => Promise.resolve(fake.engine),
    http: http.factory,
    onResize: () => () => undefined,
    owner: { host: 'unit-host', pid: 4242, isAlive: () => true },
  };
  const options: RunOptions = {
    passwordStdin: false,
    guideline: '2020.06',
    target: 'platform',
    types: ['required'],
    includeFlagged: false,
    capabilities: ['identity-*'],
    tempestOptions: [],
    network: 'host',
    resultsDir,
    cwd: ROOT,
    debug: false,
    verbose: false,
    tempest: '43',
    upload: { url: REFSTACK, askEarly: false, yes: false, anonymous: false, dryRun: false },
    ...c.options,
  };
  let code: number;
  try {
    code = await runTcup(deps, options);
  } catch (error) {
    code = report(error, { stderr } as unknown as Io, (s) => redactor.redact(s), controller.signal);
  }
  await new Promise((resolve) => setImmediate(resolve));
  return {
    code,
    stderr: stderrText,
    errors: stderrText.split('\n').filter((l) => l.startsWith('✖')),
    journal: fake.journal,
    alive: fake.alive(),
    files: existsSync(resultsDir) ? readdirSync(resultsDir).sort() : [],
    dir: resultsDir,
    httpOpen: http.made - http.closed,
    builds,
    requests: fake.requests,
  };
}

/** Nothing left: every container removed, the HTTP client closed, no secret in the output. */
function expectClean(r: Outcome): void {
  expect(r.alive, r.stderr).toEqual([]);
  expect(r.httpOpen).toBe(0);
  expect(r.stderr).not.toContain(PASSWORD);
}

const IMG = 'tcup-tempest:TAG';
const normal = (journal: string[]) => journal.map((l) => l.replace(/tcup-tempest:[0-9a-f]{16}/, IMG));
/** Engine contact up to the test container: ping, orphans, the image built, its test list read. */
const PREPARED = [
  'ping',
  'list containers',
  `inspect image ${IMG}`,
  `build ${IMG}`,
  'create c1',
  'remove c1',
];
/** A whole test run: the container made, started, its results copied out, released, removed. */
const RAN = [...PREPARED, 'create c2', 'start c2', 'copy out c2', 'wait c2', 'remove c2'];
/** What a finished run writes (the copied-out files, then tcup's own). */
const ALL_RESULTS = [
  'missing.txt',
  'refstack.json',
  'report.html',
  'results.subunit',
  'summary.json',
  'tcup.log',
  'tempest.conf',
  'tempest.log',
  'tests.json',
];
/** What a run stopped during the tests writes: the results so far and the log. */
const SO_FAR = ['missing.txt', 'report.html', 'summary.json', 'tcup.log', 'tests.json'];

const at =
  (op: Op, act: (id: string) => void | Promise<void>): FakeEngineOptions['at'] =>
  (o, id) =>
    o === op ? act(id) : undefined;
const engineError = (message: string, statusCode = 500) => Object.assign(new Error(message), { statusCode });
const UPLOAD = { url: REFSTACK, askEarly: true, yes: true, anonymous: true, dryRun: false };

/** A run that reports `passing` results, then does what `then` says instead of finishing. */
const partialRun =
  (passing: number, then: (io: Parameters<ContainerScript>[0]) => void): ContainerScript =>
  async (io) => {
    const request = await io.request;
    io.event({ event: 'configured', ms: 1000 });
    io.event({ event: 'start', total: request.tests.length });
    for (const id of request.tests.slice(0, passing))
      io.event({ event: 'test', id, status: 'success', ms: 5, reason: null });
    then(io);
  };

interface Expected {
  code: number;
  /** The one `✖` sentence (none for a run that ends with a verdict). */
  message?: RegExp;
  journal: string[];
  /** Files in the results folder (exactly). */
  files: string[];
  /** Results in tests.json, when there is one. */
  results?: number;
}

type Row = [stage: string, fault: Case, expected: Expected];

const rows: Row[] = [
  // ---------------------------------------------------------------------------------- credentials
  [
    'credentials',
    { name: 'no OS_AUTH_URL', env: { OS_AUTH_URL: undefined } },
    { code: 3, message: /✖ OS_AUTH_URL is not set/, journal: [], files: [] },
  ],
  [
    'credentials',
    { name: 'interrupted as they are read', interruptOn: /› credentials: / },
    { code: 130, message: /^✖ interrupted by SIGINT$/, journal: [], files: [] },
  ],
  // ---------------------------------------------------------------------------------- preflight
  [
    'preflight',
    {
      name: 'Keystone rejects the password',
      http: () => (url) => (url.endsWith('/auth/tokens') ? json(401, { error: { code: 401 } }) : undefined),
    },
    { code: 4, message: /✖ Keystone rejected the credentials for user demo/, journal: [], files: [] },
  ],
  [
    'preflight',
    {
      name: 'Keystone unreachable',
      http: () => (url) => (url.endsWith('/auth/tokens') ? refused() : undefined),
    },
    { code: 4, message: /✖ cannot reach Keystone at keystone\.test:5000/, journal: [], files: [] },
  ],
  [
    'preflight',
    {
      name: 'interrupted while Keystone does not answer',
      http: (ctx) => (url, req) => {
        if (!url.endsWith('/auth/tokens')) return undefined;
        setImmediate(() => ctx.interrupt('SIGTERM'));
        return hang(req);
      },
    },
    { code: 143, message: /^✖ interrupted by SIGTERM$/, journal: [], files: [] },
  ],
  // ---------------------------------------------------------------------------------- engine
  [
    'engine',
    {
      name: 'Docker does not answer',
      engine: () => ({
        at: at('ping', () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'))),
      }),
    },
    {
      code: 5,
      message:
        /✖ no container engine answers at DOCKER_HOST \(unix:\/\/\/fake\/engine\.sock\): is Docker or Podman running\?/,
      journal: ['ping'],
      files: [],
    },
  ],
  // ---------------------------------------------------------------------------------- image
  [
    'image',
    {
      name: 'the build fails',
      engine: () => ({
        build: [
          { stream: 'Step 1/2 : FROM debian\n' },
          { stream: 'Step 2/2 : RUN apt-get install tempest\n' },
          { errorDetail: { message: 'E: Unable to locate package tempest' } },
        ],
      }),
    },
    {
      code: 6,
      message:
        /✖ the image build failed at Step 2\/2 : RUN apt-get install tempest: E: Unable to locate package tempest/,
      journal: PREPARED.slice(0, 4),
      files: [],
    },
  ],
  [
    'image',
    { name: 'interrupted during the build', engine: (ctx) => ({ at: at('build', () => ctx.interrupt()) }) },
    { code: 130, message: /^✖ interrupted by SIGINT$/, journal: PREPARED.slice(0, 4), files: [] },
  ],
  // ---------------------------------------------------------------------------------- container start
  [
    'container start',
    {
      name: 'the engine cannot create it',
      engine: () => ({
        at: at('create', (id) =>
          id === 'c2' ? Promise.reject(engineError('no space left on device')) : undefined,
        ),
      }),
    },
    {
      code: 7,
      message: /✖ the test container could not be started: no space left on device/,
      journal: [...PREPARED, 'create c2'],
      files: SO_FAR,
      results: 0,
    },
  ],
  [
    'container start',
    {
      name: 'the engine cannot start it',
      engine: () => ({ at: at('start', () => Promise.reject(engineError('network host not found', 404))) }),
    },
    {
      code: 7,
      message: /✖ the test container could not be started: network host not found/,
      journal: [...PREPARED, 'create c2', 'start c2', 'remove c2'],
      files: SO_FAR,
      results: 0,
    },
  ],
  [
    'container start',
    {
      name: 'interrupted as it is created',
      engine: (ctx) => ({ at: at('create', (id) => (id === 'c2' ? ctx.interrupt() : undefined)) }),
    },
    {
      code: 130,
      message: /^✖ interrupted by SIGINT$/,
      journal: [...PREPARED, 'create c2', 'start c2', 'remove c2'],
      files: SO_FAR,
      results: 0,
    },
  ],
  [
    'container start',
    {
      name: 'the results folder cannot be made (-o under a file)',
      options: { resultsDir: '/etc/passwd/results' },
    },
    {
      code: 8,
      message: /✖ cannot create the results folder \/etc\/passwd\/results: ENOTDIR/,
      journal: PREPARED,
      files: [],
    },
  ],
  // ---------------------------------------------------------------------------------- run
  [
    'run',
    {
      name: 'the container is killed during the tests',
      engine: () => ({ script: partialRun(3, (io) => io.exit(137)) }),
    },
    {
      code: 7,
      message: /✖ the test container ended before it reported its results/,
      journal: [...PREPARED, 'create c2', 'start c2', 'remove c2'],
      files: SO_FAR,
      results: 3,
    },
  ],
  [
    'run',
    {
      name: 'a line that is not the protocol',
      engine: () => ({ script: partialRun(1, (io) => io.line('::tcup:: {not json')) }),
    },
    {
      code: 7,
      message: /✖ the test container wrote a line that is not tcup's protocol \(an event is not valid JSON\)/,
      journal: [...PREPARED, 'create c2', 'start c2', 'remove c2'],
      files: SO_FAR,
      results: 1,
    },
  ],
  [
    'run',
    {
      name: 'Tempest crashes',
      engine: () => ({
        script: partialRun(0, (io) => {
          io.event({
            event: 'finished',
            rc: 1,
            stream: 'partial',
            tail: ['Traceback (most recent call last):', 'RuntimeError: boom'],
          });
          io.event({ event: 'done', code: 0 });
          void io.released.then(() => io.exit(0));
        }),
      }),
    },
    {
      code: 7,
      message: /✖ Tempest crashed \(exit code 1\) after 0 of \d+ test results: RuntimeError: boom/,
      journal: RAN,
      files: SO_FAR,
      results: 0,
    },
  ],
  [
    'run',
    {
      name: 'SIGTERM during the tests',
      engine: (ctx) => ({ script: partialRun(2, () => setImmediate(() => ctx.interrupt('SIGTERM'))) }),
    },
    {
      code: 143,
      message: /^✖ interrupted by SIGTERM$/,
      journal: [...PREPARED, 'create c2', 'start c2', 'remove c2'],
      files: SO_FAR,
      results: 2,
    },
  ],
  // ---------------------------------------------------------------------------------- results copy
  [
    'results copy',
    { name: 'tar fails in the container', engine: () => ({ out: { files: {}, exitCode: 2 } }) },
    {
      code: 8,
      message: /✖ the results could not be copied out of the test container/,
      journal: [...PREPARED, 'create c2', 'start c2', 'copy out c2', 'remove c2'],
      files: SO_FAR,
      results: INSTALLED.length,
    },
  ],
  [
    'results copy',
    {
      name: 'interrupted during the copy (which then fails: the container is gone)',
      engine: (ctx) => ({ out: { ...DEFAULT_OUT, stall: true }, at: at('copy out', () => ctx.interrupt()) }),
    },
    {
      code: 130,
      message: /^✖ interrupted by SIGINT$/,
      journal: [...PREPARED, 'create c2', 'start c2', 'copy out c2', 'remove c2'],
      files: SO_FAR,
      results: INSTALLED.length,
    },
  ],
  [
    'results copy',
    {
      name: 'interrupted while the container is released (whose wait then fails)',
      engine: (ctx) => ({
        at: at('wait', async (id) => {
          ctx.interrupt();
          await ctx.removed(id);
        }),
      }),
    },
    {
      code: 130,
      message: /^✖ interrupted by SIGINT$/,
      journal: RAN,
      files: SO_FAR,
      results: INSTALLED.length,
    },
  ],
  // ---------------------------------------------------------------------------------- verdict
  [
    'verdict',
    {
      name: 'a test fails: NOT compliant',
      engine: () => ({
        script: async (io) => {
          const request = await io.request;
          io.event({ event: 'configured', ms: 1000 });
          io.event({ event: 'start', total: request.tests.length });
          request.tests.forEach((id, i) =>
            io.event({
              event: 'test',
              id,
              status: i === 0 ? 'fail' : 'success',
              ms: 5,
              reason: i === 0 ? 'AssertionError' : null,
            }),
          );
          io.event({ event: 'finished', rc: 1, stream: 'complete', tail: [] });
          io.event({ event: 'done', code: 0 });
          await io.released;
          io.exit(0);
        },
      }),
    },
    { code: 9, journal: RAN, files: ALL_RESULTS, results: INSTALLED.length },
  ],
  [
    'verdict',
    { name: 'interrupted as the verdict is given', interruptOn: /› \d+ tests: \d+ passed/ },
    {
      code: 130,
      message: /^✖ interrupted by SIGINT$/,
      journal: RAN,
      files: ALL_RESULTS,
      results: INSTALLED.length,
    },
  ],
  // ---------------------------------------------------------------------------------- report
  [
    'report',
    {
      name: 'report.html cannot be written',
      engine: (ctx) => ({
        script: async (io) => {
          mkdirSync(join(ctx.resultsDir, 'report.html'));
          await passingRun(io);
        },
      }),
    },
    {
      code: 8,
      message: /✖ cannot write the results to .*: EISDIR/,
      journal: RAN,
      files: ALL_RESULTS,
      results: INSTALLED.length,
    },
  ],
  [
    'report',
    { name: 'interrupted once the results are written', interruptOn: /› results in / },
    {
      code: 130,
      message: /^✖ interrupted by SIGINT$/,
      journal: RAN,
      files: ALL_RESULTS,
      results: INSTALLED.length,
    },
  ],
  // ---------------------------------------------------------------------------------- upload
  [
    'upload',
    {
      name: 'RefStack answers 500',
      options: { upload: UPLOAD },
      http: () => (url) => (url.startsWith(REFSTACK) ? json(500, { message: 'boom' }) : undefined),
    },
    { code: 10, message: /✖ .*RefStack/, journal: RAN, files: ALL_RESULTS, results: INSTALLED.length },
  ],
  [
    'upload',
    {
      name: 'interrupted while RefStack holds the upload',
      options: { upload: UPLOAD },
      http: (ctx) => (url, req) => {
        if (!url.startsWith(REFSTACK)) return undefined;
        setImmediate(() => ctx.interrupt());
        return hang(req);
      },
    },
    {
      code: 130,
      message: /^✖ interrupted by SIGINT$/,
      journal: RAN,
      files: ALL_RESULTS,
      results: INSTALLED.length,
    },
  ],
];

describe('pipeline fault matrix (stand-in engine, HTTP and clock)', () => {
  const unhandled: unknown[] = [];
  // What settles after the run with nobody listening (an error of a stream that lost a race).
  const rejection = (reason: unknown) => unhandled.push(`unhandledRejection: ${String(reason)}`);
  const exception = (error: unknown) => unhandled.push(`uncaughtException: ${String(error)}`);
  process.on('unhandledRejection', rejection);
  process.on('uncaughtException', exception);
  afterAll(() => {
    process.off('unhandledRejection', rejection);
    process.off('uncaughtException', exception);
  });

  it('a passing run: exit 0, the image built, its test list read, the test container run and removed', async () => {
    const r = await run({ name: 'ok' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.errors).toEqual([]);
    expect(normal(r.journal)).toEqual(RAN);
    expect(r.files).toEqual(ALL_RESULTS);
    expectClean(r);
  });

  it.each(rows)('%s: %o', async (_stage, fault, want) => {
    unhandled.length = 0;
    const r = await run(fault);
    // Whatever still settles after the run (a copy that lost a race) has had its chance to.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.code, r.stderr).toBe(want.code);
    if (want.message) {
      expect(r.errors, r.stderr).toHaveLength(1);
      expect(r.errors[0]).toMatch(want.message);
    } else expect(r.errors, r.stderr).toEqual([]);
    expect(normal(r.journal), 'made and removed on the engine, in order').toEqual(want.journal);
    expect(r.files, 'the results folder').toEqual(want.files);
    if (want.results !== undefined) {
      const tests = JSON.parse(readFileSync(join(r.dir, 'tests.json'), 'utf8')) as { status: string }[];
      expect(tests.filter((t) => t.status !== 'not-run')).toHaveLength(want.results);
    }
    if (fault.options?.upload) expect(r.files).not.toContain('upload.json');
    expectClean(r);
    expect(unhandled, 'errors nobody handled').toEqual([]);
  });
});

describe('Tempest 47 wired through the run (stand-in engine)', () => {
  const TESTBED_WARNING =
    "test bed: apt's Valid-Until check is off for this image build (TCUP_TESTBED_APT_VALID_UNTIL=ignore); never set it outside a test bed";
  const summaryOf = (r: Outcome) =>
    JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')) as {
      run: { patches?: string[]; tempestChoices?: string[]; tempestVersion?: string };
    };

  it("the first account's token domain becomes identity.default_domain_id, said once and in summary.json", async () => {
    const r = await run({ name: 'tempest 47', options: { tempest: '47' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.requests.at(-1)?.tempestconf).toContainEqual(['identity.default_domain_id', 'default']);
    const choice = r.stderr.split('\n').filter((l) => l.includes('identity.default_domain_id=default: '));
    expect(choice, r.stderr).toHaveLength(1);
    const facts = summaryOf(r).run;
    expect(facts.tempestVersion).toBe('47.0.0');
    expect(facts.tempestChoices).toEqual([expect.stringMatching(/^identity\.default_domain_id=default: /)]);
    expect(facts.patches).toEqual(variantPatches(variantById('47')!).map((p) => p.name));
    expectClean(r);
  });

  it.each([
    ['47', 4],
    ['43', 2],
  ] as const)(
    '--accounts with two members whose tokens carry reader: Tempest %s gets %i entries',
    async (tempest, entries) => {
      const file = join(ROOT, `accounts-${tempest}.yaml`);
      const accounts = ['demo', 'alt_demo'].map((u) => ({
        username: u,
        password: PASSWORD,
        project_name: u,
        domain_name: 'Default',
      }));
      writeFileSync(file, JSON.stringify(accounts)); // JSON is YAML
      const withReader = (res: HttpResponse): HttpResponse => {
        const body = JSON.parse(res.text) as { token: { roles: { id: string; name: string }[] } };
        body.token.roles.push({ id: 'r2', name: 'reader' });
        return { ...res, text: JSON.stringify(body) };
      };
      const r = await run({
        name: `reader twins ${tempest}`,
        options: { tempest, accountsFile: file },
        http: () => (url, req) =>
          url === `${AUTH_URL}/auth/tokens` ? withReader(keystoneToken(req, AUTH_URL)) : undefined,
      });
      expect(r.code, r.stderr).toBe(0);
      const sent = r.requests.at(-1)?.accounts.map((a) => [a.username, a.roles, a.project_id]);
      const members = [
        ['demo', ['member', 'reader'], undefined],
        ['alt_demo', ['member', 'reader'], undefined],
      ];
      const twins = [
        ['demo', ['reader'], 'pid-demo'],
        ['alt_demo', ['reader'], 'pid-alt_demo'],
      ];
      expect(sent).toEqual(tempest === '47' ? [...members, ...twins] : members);
      expect(sent).toHaveLength(entries);
      expect(r.stderr).toMatch(/› 2 account\(s\); operator role member/);
      const listed = (summaryOf(r).run.tempestChoices ?? []).filter((c) => c.startsWith('accounts file: '));
      expect(listed).toHaveLength(tempest === '47' ? 1 : 0);
      expectClean(r);
    },
  );

  it('records the backports of the Tempest it ran (43: the floating-IP one)', async () => {
    const r = await run({ name: 'tempest 43' });
    expect(r.code, r.stderr).toBe(0);
    expect(summaryOf(r).run.patches).toEqual(['rebuild-server-floating-ip']);
  });

  it('TCUP_TESTBED_APT_VALID_UNTIL=ignore: the build gets the test-bed arg, the tag differs, one warning', async () => {
    const plain = await run({ name: 'no test bed', options: { tempest: '47' } });
    const bed = await run({
      name: 'test bed',
      options: { tempest: '47' },
      env: { TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' },
    });
    expect(bed.code, bed.stderr).toBe(0);
    expect(plain.builds[0]).not.toHaveProperty('TCUP_TESTBED_APT_VALID_UNTIL');
    expect(bed.builds[0]).toMatchObject({ TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' });
    const tag = (r: Outcome) => r.journal.find((l) => l.startsWith('build '));
    expect(tag(bed)).not.toBe(tag(plain));
    expect(
      bed.stderr.split('\n').filter((l) => l.includes(TESTBED_WARNING)),
      bed.stderr,
    ).toHaveLength(1);
    expect(plain.stderr).not.toContain('Valid-Until');
  });

  it.each([
    ['a Tempest from Debian 13 (the arg is only for Debian testing)', '43', 'ignore'],
    ['another value', '47', 'yes'],
  ] as const)('TCUP_TESTBED_APT_VALID_UNTIL: no arg and no warning for %s', async (_n, tempest, value) => {
    const r = await run({
      name: 'no arg',
      options: { tempest },
      env: { TCUP_TESTBED_APT_VALID_UNTIL: value },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.builds[0]).not.toHaveProperty('TCUP_TESTBED_APT_VALID_UNTIL');
    expect(r.stderr).not.toContain('Valid-Until');
  });
});
