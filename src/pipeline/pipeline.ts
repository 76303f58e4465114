/**
 * The pipeline, top to bottom: credentials → selection → preflight → image → match → container →
 * results → verdict → upload. Everything created is deferred to the cleanup stack at once, and the
 * stack is emptied on success, failure and Ctrl-C. Its collaborators (engine, HTTP client, clock) come
 * in with Deps: it makes none itself.
 */
import { throwIfAborted } from '../core/abort.js';
import { createCleanupStack } from '../core/cleanup.js';
import { describeEngine, pingEngine } from '../engine/engine.js';
import { listInstalledTests, reapOrphans } from '../engine/container.js';
import { isOrphaned, newSession } from '../core/session.js';
import { EXIT_CODES, EXIT_OK, TcupError } from '../core/errors.js';
import { createReporter } from '../core/log.js';
import { buildRefstackDocument, type TestResult } from '../results/tests.js';
import { createResultsDir, defaultResultsDir, writeResultsFolder } from '../results/folder.js';
import { renderFolderReport } from '../report/html.js';
import { TCUP_VERSION } from '../core/defaults.js';
import { planTempest } from '../tempest/plan.js';
import { runTests } from '../tempest/test-run.js';
import type { RequestFields } from '../protocol/container.js';
import { resolveCloud, checkAccounts, containerCloud } from './steps/cloud.js';
import { resolveSelection, matchSelection } from './steps/selection.js';
import { judge } from './steps/verdict.js';
import {
  explainNotPassing,
  finishCompute,
  lookAfterStop,
  needsComputeStep,
  prepareCompute,
} from './steps/compute.js';
import { decideUpload, prepareUpload, uploadStep } from './steps/upload.js';
import { openDebugShell } from './steps/debug.js';
import { proxyEnv, proxySecrets } from './steps/proxy.js';
import { keepTimings, planWorkers } from './steps/schedule.js';
import { chooseTempest, prepareTempestImage, testbedArgsFrom } from './steps/tempest-image.js';

export type { Deps, RunOptions } from './options.js';
import type { Deps, RunOptions } from './options.js';

export async function runTcup(deps: Deps, options: RunOptions): Promise<number> {
  const { redactor, signal } = deps;
  const session = options.session ?? newSession(deps.owner);
  const reporter =
    deps.reporter ??
    createReporter({
      write: (text) => deps.stderr.write(text),
      isTTY: deps.stderr.isTTY === true,
      verbose: options.verbose || options.debug,
      redact: (text) => redactor.redact(text),
    });
  const cleanup = createCleanupStack();
  for (const secret of proxySecrets(deps.env)) redactor.add(secret, 'a proxy password');
  const check = () => throwIfAborted(signal);
  try {
    // 1. Credentials: OS_* or clouds.yaml, a password asked for if missing, every secret registered.
    const cloud = options.resolvedCloud ?? (await resolveCloud(deps, options, reporter));
    const signingKey = await prepareUpload(deps, options.upload);
    const http = await deps.http({
      env: deps.env,
      ...(cloud.credentials.cacert ? { caFile: cloud.credentials.cacert } : {}),
      insecure: cloud.credentials.insecure,
    });
    cleanup.defer('http client', () => http.close());
    check();

    // 2. What to run: the guideline's tests (or a list), its pinned Tempest. Bad input is refused
    // here, before the cloud is contacted.
    const selection = await resolveSelection(http, options, reporter);
    check();

    // 3. Preflight: every account authenticates against Keystone before anything slow; the upload
    // question early.
    const accounts = await checkAccounts(http, cloud, deps, reporter);
    const consent = options.upload.askEarly
      ? await decideUpload(deps, options.upload, undefined, reporter, signingKey !== undefined)
      : undefined;
    check();

    // 3b. A compute run: image, flavors and networks as the accounts see them; what their projects hold.
    const computeOptions = options.compute ?? { validation: false, cleanupCloud: false };
    const compute = needsComputeStep(selection.tests.map((t) => t.name))
      ? await prepareCompute(
          {
            http,
            credentials: cloud.credentials,
            accounts: accounts.withRoles,
            redactor,
            reporter,
            cleanup,
            signal,
            cwd: options.cwd,
            session,
            userKeys: new Set(options.tempestOptions.map(([k]) => k)),
          },
          selection.tests.map((t) => t.name),
          computeOptions,
        )
      : undefined;
    check();

    // 4. The image: which Tempest (--tempest, else the one that supports the cloud by its version
    // documents, in one line), built from Dockerfile + container/ and reused by content hash, or one
    // already on the engine (--tempest-image).
    const variant = options.tempestImage
      ? undefined
      : await chooseTempest(
          http,
          {
            authUrl: cloud.credentials.authUrl,
            catalog: accounts.catalog,
            iface: cloud.credentials.interface,
            region: cloud.credentials.regionName,
          },
          options.tempest,
          reporter,
          signal,
        );
    const engine = await deps.engine(deps.env);
    reporter.info(describeEngine(await pingEngine(engine)));
    const reaped = await reapOrphans(engine, (s) => isOrphaned(s, deps.owner));
    if (reaped > 0)
      reporter.info(`removed ${reaped} container(s) left by an earlier tcup that did not finish`);
    const makeImage = () =>
      prepareTempestImage(
        engine,
        variant,
        {
          tempest: options.tempest,
          tempestImage: options.tempestImage,
          plugins: selection.plugins,
          testbedArgs: testbedArgsFrom(deps.env, variant),
          proxy: proxyEnv(deps.env),
          signal,
          now: deps.now,
        },
        reporter,
      );
    // Several clouds share one image, made once (src/pipeline/clouds.ts).
    const image = await (deps.sharedImage ? deps.sharedImage(variant, makeImage) : makeImage());
    check();

    // 5. Match the requested tests to the installed Tempest; report every one that is missing.
    const installed = await listInstalledTests(engine, image.tag, session);
    const matched = matchSelection(selection, installed, reporter);
    check();

    // 6. Tempest settings from the accounts' real roles; the container with its secrets on stdin.
    const plan = planTempest(accounts.withRoles, {
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      userOptions: [...(compute?.overrides ?? []), ...options.tempestOptions],
      tempest: image.variant.id,
      tempestVersion: image.variant.tempest,
      tests: matched.ids,
    });
    reporter.step(
      `${plan.accounts.length} account(s); operator role ${plan.operatorRole ?? '(none)'}` +
        `${plan.resellerRole ? `, reseller admin role ${plan.resellerRole}` : ''}; concurrency ${plan.concurrency}`,
    );
    for (const note of plan.notes) reporter.warn(note);
    for (const choice of plan.choices) reporter.info(choice);
    // Classes whole, longest first, by the times this machine measured for this cloud (or shipped ones).
    const planned = options.debug
      ? undefined
      : await planWorkers(
          deps.env,
          { tempest: image.variant.tempest, authUrl: cloud.credentials.authUrl },
          matched.ids,
          plan.concurrency,
          reporter,
        );
    // The container request (src/protocol/container.ts): secrets go only through the container's stdin.
    const request: RequestFields = {
      mode: options.debug ? 'debug' : 'run',
      cloud: containerCloud(cloud),
      accounts: plan.accountsFile.map(accountForTempest),
      tempestconf: plan.overrides,
      tests: matched.ids,
      concurrency: plan.concurrency,
      proxy: proxyEnv(deps.env),
      ...(planned?.workers ? { workers: planned.workers } : {}),
    };
    const container = { image: image.tag, session, network: options.network, request, reporter, cleanup };
    if (options.debug) return await openDebugShell(engine, deps, container);

    const resultsDir = options.resultsDir ?? defaultResultsDir(options.cwd, new Date(deps.now()));
    await createResultsDir(resultsDir);
    const sofar: TestResult[] = [];
    // The run's facts for summary.json and report.html (no user, project, URL or secret).
    const started = deps.now();
    const runFacts = {
      tcupVersion: TCUP_VERSION,
      image: image.tag,
      tempestVersion: image.variant.tempest,
      patches: image.patches,
      tempestChoices: plan.choices,
      concurrency: plan.concurrency,
      cpid: accounts.cpid,
      startedAt: new Date(started).toISOString(),
    };
    // A run that does not finish (Ctrl-C, SIGTERM, a failed container) can leave servers, networks and
    // volumes in the test projects: once its container is gone (deferred later, so removed first), look,
    // report, and with --cleanup-cloud delete them, as after a whole run; the partial results record it.
    let afterStop: (() => Promise<void>) | undefined;
    if (compute) cleanup.defer('the look at the test projects', async () => afterStop?.());
    const run = await runTests(engine, {
      ...container,
      signal,
      now: deps.now,
      onTest: (t) => sofar.push(t),
      ...(planned ? { expectedMs: planned.schedule.perTest } : {}),
    }).catch(async (error: unknown) => {
      // Interrupted or killed: keep what there is (the results so far and the log) before failing.
      reporter.endProgress();
      const summary = { partial: true, compliant: false, results: sofar.length, planned: matched.ids.length };
      const content = {
        files: new Map(),
        tests: sofar,
        summary: { ...summary, run: runFacts },
        missing: matched.missing,
        log: reporter.transcript(),
        report: renderFolderReport,
      };
      const keep = (c: typeof content) => writeResultsFolder(resultsDir, c, redactor, redactor.secrets());
      await keep(content)
        .then(() => reporter.info(`the ${sofar.length} results so far are in ${resultsDir}`))
        .catch(() => undefined);
      if (compute)
        afterStop = async () => {
          const cloudAfter = await lookAfterStop(compute, computeOptions, reporter, signal);
          if (!cloudAfter) return;
          const withCloud = { ...content.summary, compute: { ...compute.chosen, ...cloudAfter } };
          await keep({ ...content, summary: withCloud, log: reporter.transcript() }).catch(() => undefined);
        };
      throw error;
    });

    // 7. Results on disk before anything else can fail or talk to the cloud again; then what the run
    // left in the test projects (written into the results when known), and the upload.
    if (planned) await keepTimings(planned, run.tests, reporter);
    const verdict = judge(selection, matched, run.tests, reporter);
    const explained = compute ? explainNotPassing(selection, verdict.tests, reporter) : undefined;
    const refstack = buildRefstackDocument(verdict.tests, accounts.cpid, run.durationMs / 1000);
    const save = (cloudAfter?: Record<string, unknown>) =>
      writeResultsFolder(
        resultsDir,
        {
          files: run.files,
          tests: verdict.tests,
          // A standard (scs-0128) is no RefStack guideline: no refstack.json, so `tcup upload` has nothing.
          ...(selection.standard ? {} : { refstack }),
          summary: {
            ...verdict.summary,
            run: { ...runFacts, durationSeconds: Math.round(run.durationMs) / 1000 },
            ...(compute ? { compute: { ...compute.chosen, ...cloudAfter, explained } } : {}),
          },
          missing: matched.missing,
          log: reporter.transcript(),
          report: renderFolderReport,
        },
        redactor,
        redactor.secrets(),
      );
    let written = await save();
    if (compute) {
      try {
        written = await save(await finishCompute(compute, computeOptions, reporter));
      } catch (error) {
        if (signal.aborted) throw error;
        // The verdict stands: the tests ran. What the run left could not be looked at (or removed).
        const e = error instanceof TcupError ? error : undefined;
        reporter.warn(
          `${e?.message ?? String(error)}: what the run left in the test projects was not checked${
            computeOptions.cleanupCloud ? ' nor removed' : ''
          }; the results are kept${e?.hint ? ` (${e.hint})` : ''}`,
        );
        written = await save({ leftoversError: e?.message ?? String(error) });
      }
    }
    reporter.step(`results in ${resultsDir} (${written.join(', ')})`);
    // Interrupted after the tests: the results are on disk; nothing more (no upload, no question).
    check();
    if (selection.standard)
      reporter.info(
        `not uploaded: RefStack knows no ${selection.standard.name} guideline, so no upload is offered for it`,
      );
    else await uploadStep(deps, http, options.upload, refstack, resultsDir, reporter, signingKey, consent);
    return verdict.compliant ? EXIT_OK : EXIT_CODES.NOT_COMPLIANT;
  } finally {
    const failed = await cleanup.dispose();
    if (failed.length > 0)
      reporter.warn(
        `could not remove: ${failed.join(', ')} (docker ps -a --filter label=tcup.session=${session})`,
      );
  }
}

function accountForTempest(
  a: ReturnType<typeof planTempest>['accountsFile'][number],
): RequestFields['accounts'][number] {
  return {
    username: a.username,
    password: a.password,
    project_name: a.projectName,
    project_id: a.projectId,
    domain_name: a.domainName,
    user_domain_name: a.userDomainName,
    project_domain_name: a.projectDomainName,
    roles: a.roles,
    types: a.types,
    resources: a.resources,
  };
}
