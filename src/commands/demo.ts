/**
 * `tcup demo`: the whole flow without a cloud of your own. A throwaway Keystone (demo/keystone, shipped
 * with tcup) on a free loopback port, then the normal pipeline against it (2020.06, identity
 * capabilities, four member accounts, no prompt, no upload), then everything removed, the cloud too.
 */
import { randomBytes } from 'node:crypto';
import { newSession } from '../core/session.js';
import { createServer } from 'node:net';
import type { Account } from '../cloud/accounts.js';
import { createCleanupStack } from '../core/cleanup.js';
import { DEMO_IMAGE_REPO, startDemoCloud, waitDemoCloudHealthy } from '../engine/demo-cloud.js';
import { pingEngine } from '../engine/engine.js';
import { ensureImage } from '../engine/image.js';
import { loadDemoRecipe } from '../engine/demo-recipe.js';
import { createReporter } from '../core/log.js';
import { RUN_DEFAULTS } from '../core/defaults.js';
import { runTcup, type Deps, type RunOptions } from '../pipeline/pipeline.js';
import { proxyEnv, proxySecrets } from '../pipeline/steps/proxy.js';

export const DEMO_MEMBERS = ['demo', 'alt_demo', 'demo2', 'alt_demo2'] as const;
const HEALTHY_WITHIN_MS = 300_000;

export interface DemoOptions {
  resultsDir?: string | undefined;
  verbose: boolean;
  cwd: string;
}

export async function demoCommand(deps: Deps, options: DemoOptions): Promise<number> {
  const { redactor, signal } = deps;
  const session = newSession(deps.owner);
  const reporter = createReporter({
    write: (text) => deps.stderr.write(text),
    isTTY: deps.stderr.isTTY === true,
    verbose: options.verbose,
    redact: (text) => redactor.redact(text),
  });
  const adminPassword = randomBytes(18).toString('base64url');
  const memberPassword = randomBytes(18).toString('base64url');
  redactor.add(adminPassword, 'the demo admin password');
  redactor.add(memberPassword, 'the demo password');
  // The demo image is built through the proxy before runTcup registers its credentials.
  for (const secret of proxySecrets(deps.env)) redactor.add(secret, 'a proxy password');
  const cleanup = createCleanupStack();
  try {
    const engine = await deps.engine(deps.env);
    await pingEngine(engine);
    reporter.step('preparing the demo cloud: a throwaway Keystone (identity service) in a container');
    const image = await ensureImage(engine, loadDemoRecipe(), {
      repo: DEMO_IMAGE_REPO,
      plugins: [],
      proxy: proxyEnv(deps.env),
      onLine: (line) => reporter.log(line.trimEnd()),
      signal,
    });
    reporter.info(image.built ? `built ${image.tag}` : `reusing ${image.tag}`);
    const started = deps.now();
    const cloud = await startDemoCloud(engine, {
      image: image.tag,
      session,
      port: await freeLoopbackPort(),
      adminPassword,
      memberPassword,
      members: DEMO_MEMBERS,
      onCreated: (c) => cleanup.defer(`demo cloud ${c.id.slice(0, 12)}`, () => c.remove()),
    });
    reporter.step(`starting the demo Keystone at ${cloud.authUrl}`);
    await waitDemoCloudHealthy(engine, cloud, {
      timeoutMs: HEALTHY_WITHIN_MS,
      signal,
      onLogLine: (line) => reporter.warn(`demo cloud | ${line}`),
    });
    reporter.info(`ready (${((deps.now() - started) / 1000).toFixed(1)} s)`);

    const accounts: Account[] = DEMO_MEMBERS.map((name) => ({
      username: name,
      password: memberPassword,
      projectName: name,
      userDomainName: 'Default',
      projectDomainName: 'Default',
    }));
    return await runTcup(
      { ...deps, env: demoEnv(deps.env, cloud.authUrl, memberPassword) },
      demoRun(options, accounts, session),
    );
  } finally {
    const failed = await cleanup.dispose();
    if (failed.length > 0)
      reporter.warn(
        `could not remove: ${failed.join(', ')} (docker ps -a --filter label=tcup.session=${session})`,
      );
    else reporter.step('demo cloud removed');
  }
}

/** The user's environment without any OS_* (their own cloud), plus the demo cloud's openrc. */
export function demoEnv(
  env: Readonly<Record<string, string | undefined>>,
  authUrl: string,
  password: string,
): Record<string, string | undefined> {
  const kept = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('OS_')));
  // The demo cloud is on loopback: never through a proxy.
  const proxy = proxyEnv(env);
  if (proxy.HTTP_PROXY || proxy.HTTPS_PROXY)
    kept.NO_PROXY = kept.no_proxy = [proxy.NO_PROXY, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
  return {
    ...kept,
    OS_AUTH_URL: authUrl,
    OS_USERNAME: DEMO_MEMBERS[0],
    OS_PASSWORD: password,
    OS_PROJECT_NAME: DEMO_MEMBERS[0],
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_IDENTITY_API_VERSION: '3',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'public',
  };
}

/** The demo's run: the run's defaults (src/core/defaults.ts), the identity capabilities, a dry-run upload. */
export function demoRun(options: DemoOptions, accounts: Account[], session: string): RunOptions {
  return {
    passwordStdin: false,
    accounts,
    session,
    guideline: RUN_DEFAULTS.guideline,
    target: RUN_DEFAULTS.target,
    types: [RUN_DEFAULTS.type],
    includeFlagged: false,
    capabilities: ['identity-*'],
    tempestOptions: [],
    network: RUN_DEFAULTS.network,
    resultsDir: options.resultsDir,
    cwd: options.cwd,
    debug: false,
    verbose: options.verbose,
    // Never uploaded (this is not a real cloud): the dry run shows what an upload would send.
    upload: {
      url: RUN_DEFAULTS.refstackUrl,
      askEarly: false,
      yes: false,
      anonymous: false,
      dryRun: true,
    },
  };
}

/** A port nobody listens on at 127.0.0.1 (the kernel's pick). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
