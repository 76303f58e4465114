/** Helpers for the fault matrix: hanging servers, signals at a moment, runs on a terminal, leftovers. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { TrackedLaunches } from './launcher.js';

const run = promisify(execFile);

/** A TCP server on 127.0.0.1 that accepts connections and never answers. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * An onSpawn hook for runLauncher: once the output matches `pattern`, run `act` (once). `fired` tells
 * whether (and when) it happened.
 */
export function when(
  pattern: RegExp,
  act: (child: ChildProcess) => void | Promise<void>,
): {
  onSpawn: (child: ChildProcess, output: () => string) => void;
  fired: () => number | undefined;
} {
  let at: number | undefined;
  return {
    onSpawn: (child, output) => {
      const timer = setInterval(() => {
        if (at !== undefined || child.exitCode !== null) return clearInterval(timer);
        if (pattern.test(output())) {
          at = Date.now();
          clearInterval(timer);
          void act(child);
        }
      }, 50);
      child.on('close', () => clearInterval(timer));
    },
    fired: () => at,
  };
}

export interface TerminalRun {
  code: number | null;
  output: string;
}

/**
 * Runs `node LAUNCHER ARGS` on a pseudo-terminal (util-linux `script`), and calls `act` once the
 * output matches `pattern` with a way to type into the terminal and the launcher's pid.
 */
export function runOnTerminal(
  launcher: string,
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    pattern: RegExp;
    act: (io: { type: (text: string) => void; pid: number }) => void;
  },
): Promise<TerminalRun> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, launcher, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: options.cwd,
      TERM: 'xterm',
      ...options.env,
    };
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: options.cwd, env, stdio: 'pipe' });
    let output = '';
    let acted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (acted || !options.pattern.test(output)) return;
      acted = true;
      void launcherPid(launcher).then((pid) => options.act({ type: (text) => child.stdin.write(text), pid }));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The pid of the node process running this launcher file (not the `script` around it). */
async function launcherPid(launcher: string): Promise<number> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && m[2]!.startsWith(process.execPath) && m[2]!.includes(launcher)) return Number(m[1]);
  }
  throw new Error(`no process runs ${launcher}`);
}

/**
 * The tcup containers this file's launchers made since `sinceMs` that are still there: the engine is
 * shared (the compute lane of `npm test` runs beside this file, scripts/test.mjs), so only the file's
 * own launchers count (test/support/launcher.ts trackedLaunches). One still there is looked at again
 * for up to `graceMs`: a run's containers go as it ends.
 */
export async function tcupLeftovers(
  launches: Pick<TrackedLaunches, 'containers'>,
  sinceMs: number,
  graceMs = 10_000,
): Promise<string[]> {
  const list = () => launches.containers({ since: sinceMs - 1_000 });
  const deadline = Date.now() + graceMs;
  let found = list();
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    found = list().filter((id) => found.includes(id));
  }
  return found;
}
