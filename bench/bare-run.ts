/**
 * The baseline: the same image run by hand with `docker run -i`, fed the request tcup would send on stdin
 * (same cloud, account, roles, tempestconf overrides, tests and concurrency), stdin closed after it.
 */
import { PROTOCOL_VERSION } from '../src/protocol/container.js';
import { userToken, type TestbedUser } from '../test/support/testbed.js';
import { runTimed, type TimedRun } from './timed-process.js';
import { type KeystoneTenant } from '../test/support/beds.js';

export const TEMPESTCONF: [string, string][] = [
  ['auth.tempest_roles', 'member'],
  ['object-storage.operator_role', 'member'],
];

export interface BareOutcome {
  run: TimedRun;
  /** Test results reported by the entry point, by status. */
  statuses: Record<string, number>;
  /** The code of the final `done` event (undefined when there was none). */
  doneCode: number | undefined;
}

/** The role names of the user's project-scoped token, as tcup's preflight reads them. */
export async function tokenRoles(keystone: KeystoneTenant, user: TestbedUser): Promise<string[]> {
  return (await userToken(keystone, user)).roles;
}

/** What tcup's run.ts sends for an openrc user (see containerCloud and accountForTempest). */
export function bareRequest(
  keystone: KeystoneTenant,
  user: TestbedUser,
  roles: string[],
  tests: string[],
): Record<string, unknown> {
  const who = {
    username: user.username,
    password: user.password,
    project_name: user.project,
    user_domain_name: 'Default',
    project_domain_name: 'Default',
  };
  return {
    version: PROTOCOL_VERSION,
    mode: 'run',
    cloud: {
      auth_url: keystone.authUrl,
      auth_type: 'password',
      ...who,
      region_name: 'RegionOne',
      interface: 'public',
      insecure: false,
    },
    accounts: [{ ...who, roles }],
    tempestconf: TEMPESTCONF,
    tests,
    concurrency: 1,
    proxy: {},
  };
}

/** `docker run -i --rm --network host IMAGE` (plus the test bed's labels, for cleanup) with the request on stdin. */
export function bareDockerArgs(image: string, name: string, labels: Record<string, string>): string[] {
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  return ['run', '-i', '--rm', '--network', 'host', '--name', name, ...labelArgs, image];
}

export async function runBare(
  image: string,
  name: string,
  labels: Record<string, string>,
  request: Record<string, unknown>,
  options: { cwd: string; timeoutMs: number; signal: AbortSignal },
): Promise<BareOutcome> {
  const run = await runTimed('docker', bareDockerArgs(image, name, labels), {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd },
    input: JSON.stringify(request) + '\n',
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  const statuses: Record<string, number> = {};
  let doneCode: number | undefined;
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('::tcup:: ')) continue;
    const event = JSON.parse(line.slice('::tcup:: '.length)) as {
      event: string;
      status?: string;
      code?: number;
    };
    if (event.event === 'test' && event.status) statuses[event.status] = (statuses[event.status] ?? 0) + 1;
    if (event.event === 'done') doneCode = event.code;
  }
  return { run, statuses, doneCode };
}
