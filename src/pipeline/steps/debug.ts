/** --debug: the same container as a run, tempest.conf generated, no tests: a shell instead. */
import { throwIfAborted, whenAborted } from '../../core/abort.js';
import type { Engine } from '../../engine/engine.js';
import { startContainer, type StartedContainer } from '../../engine/container.js';
import { execShell } from '../../engine/shell.js';
import { TcupError } from '../../core/errors.js';
import type { Deps } from '../options.js';
import { lineWriter } from '../../core/lines.js';
import type { ContainerRunOptions } from '../../tempest/test-run.js';

export const DEBUG_BANNER = `tcup debug shell: no tests were started.
  tempest.conf:   /run/tcup/ws/etc/tempest.conf (accounts in etc/accounts.yaml; both in memory only)
  your folder:    /workspace
  run tests:      tempest run --regex '^tempest.api.identity.v3.test_tokens'
                  tempest run --load-list /workspace/my-list.txt --concurrency 2
  list tests:     tempest run --list-tests | grep identity
  leave:          exit  (the container is removed)
`;

export type DebugOptions = ContainerRunOptions;

export async function openDebugShell(engine: Engine, deps: Deps, options: DebugOptions): Promise<number> {
  const { reporter } = options;
  let container: StartedContainer | undefined;
  let error: string | undefined;
  await startContainer(engine, {
    image: options.image,
    session: options.session,
    network: options.network,
    request: options.request,
    workspace: deps.cwd,
    onEvent: (e) => {
      if (e.event === 'error') error = e.message;
    },
    log: lineWriter((line) => reporter.log(line)),
    onCreated: (c) => {
      container = c;
      options.cleanup.defer(`container ${c.id.slice(0, 12)}`, () => c.remove());
    },
  });
  // Ctrl-C while Tempest is being configured (before the shell owns the keys) stops at once.
  const ready = await Promise.race([container!.settled, whenAborted(deps.signal)]);
  if (error || ready.event !== 'ready')
    throw new TcupError(
      'RUN_FAILED',
      `Tempest could not be configured: ${error ?? 'unknown error'}`,
      'the log above says why',
    );
  const tty = deps.stdin.isTTY === true && deps.stdout.isTTY === true;
  deps.stderr.write(DEBUG_BANNER);
  // Both outputs pass the redactor (a TTY's too: the shell may print a secret from tempest.conf).
  const output = deps.redactor.createRedactingStream();
  output.pipe(deps.stdout, { end: false });
  const errorOutput = deps.redactor.createRedactingStream();
  errorOutput.pipe(deps.stderr, { end: false });
  const code = await execShell(engine, container!.id, ['bash', '-l'], {
    stdin: deps.stdin,
    output,
    errorOutput,
    tty,
    size: () => ({ columns: deps.stdout.columns || 80, rows: deps.stdout.rows || 24 }),
    onResize: deps.onResize,
    signal: deps.signal,
  });
  await Promise.all([endStream(output), endStream(errorOutput)]);
  await container!.release();
  throwIfAborted(deps.signal);
  reporter.step(`debug shell closed (exit code ${code}); removing the container`);
  return code;
}

/** Ends a redacting stream and waits until what it held back has been written on. */
function endStream(stream: NodeJS.ReadWriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.end();
    stream.resume();
  });
}
