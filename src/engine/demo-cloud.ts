/**
 * `tcup demo`'s throwaway cloud: one Keystone container (demo/keystone) on the host network, bound to
 * 127.0.0.1, labelled like every tcup container, removed with its volumes. Its passwords are made up
 * for this one run and given as Env: the cloud and its secrets go away together.
 */
import { demuxLogs, removeContainer, type Engine } from './engine.js';
import { LABEL_TOOL } from './image.js';
import { LABEL_SESSION } from './container.js';
import { TcupError } from '../core/errors.js';

export { DEMO_IMAGE_REPO } from './demo-recipe.js';

export interface DemoCloudSpec {
  image: string;
  session: string;
  port: number;
  adminPassword: string;
  memberPassword: string;
  /** Non-admin users; each gets its own project (named like the user) and the member role. */
  members: readonly string[];
  /** Called right after the container exists, so the caller can defer its removal. */
  onCreated: (cloud: DemoCloud) => void;
}

export interface DemoCloud {
  id: string;
  authUrl: string;
  /** Removes the container and its volumes; gone already is fine. */
  remove(): Promise<void>;
}

export async function startDemoCloud(engine: Engine, spec: DemoCloudSpec): Promise<DemoCloud> {
  const authUrl = `http://127.0.0.1:${spec.port}/v3`;
  const container = await engine.createContainer({
    Image: spec.image,
    Labels: { [LABEL_TOOL]: '1', [LABEL_SESSION]: spec.session, 'tcup.role': 'demo-cloud' },
    Env: [
      `KEYSTONE_PORT=${spec.port}`,
      `KEYSTONE_URL=${authUrl}`,
      'KEYSTONE_BIND_IP=127.0.0.1',
      `KEYSTONE_ADMIN_PASSWORD=${spec.adminPassword}`,
      `KEYSTONE_DEMO_PASSWORD=${spec.memberPassword}`,
      `KEYSTONE_MEMBERS=${spec.members.join(' ')}`,
    ],
    HostConfig: { NetworkMode: 'host', Init: true },
  });
  const cloud: DemoCloud = {
    id: container.id,
    authUrl,
    remove: () => removeContainer(container),
  };
  spec.onCreated(cloud);
  await container.start();
  return cloud;
}

export interface WaitOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** Each line of the container's log when it failed (the caller redacts). */
  onLogLine: (line: string) => void;
}

/** Polls the image's health check until healthy; rejects (with the log shown) when it exits or times out. */
export async function waitDemoCloudHealthy(
  engine: Engine,
  cloud: DemoCloud,
  options: WaitOptions,
): Promise<void> {
  const container = engine.getContainer(cloud.id);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal.aborted) throw options.signal.reason;
    const { State } = await container.inspect();
    if (State.Health?.Status === 'healthy') return;
    const timedOut = Date.now() > deadline;
    if (!State.Running || timedOut) {
      const log = await container
        .logs({ stdout: true, stderr: true, follow: false, tail: 30 })
        .then(demuxLogs)
        .catch(() => '');
      for (const line of log.split('\n')) if (line.trim()) options.onLogLine(line);
      throw new TcupError(
        'RUN_FAILED',
        timedOut
          ? `the demo Keystone was not ready after ${options.timeoutMs / 1000} s`
          : `the demo Keystone stopped (exit code ${State.ExitCode})`,
        'the lines above are its log; re-run with -v to see the image build',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
