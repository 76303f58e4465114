/** An interactive shell in a running container (debug mode): TTY, resize, Ctrl-C goes to the shell. */
import type { Engine } from './engine.js';

export interface ShellIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Where the shell's output goes (the caller puts a redactor in front of the terminal). */
  output: NodeJS.WritableStream;
  /** Where its stderr goes without a TTY (with a TTY both arrive mixed on `output`). */
  errorOutput?: NodeJS.WritableStream;
  tty: boolean;
  size: () => { columns: number; rows: number };
  /** Subscribes to terminal resizes; returns the unsubscribe. */
  onResize: (listener: () => void) => () => void;
  /** Aborting ends the shell (SIGTERM, SIGHUP: the terminal went away). */
  signal?: AbortSignal;
}

export async function execShell(
  engine: Engine,
  containerId: string,
  command: string[],
  io: ShellIO,
): Promise<number> {
  const container = engine.getContainer(containerId);
  const exec = await container.exec({
    Cmd: command,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: io.tty,
    WorkingDir: '/run/tcup/ws',
    Env: ['TERM=' + (io.tty ? 'xterm-256color' : 'dumb')],
  });
  const stream = await exec.start({ hijack: true, stdin: true, Tty: io.tty });
  const resize = async () => {
    const { columns, rows } = io.size();
    await exec.resize({ h: rows, w: columns }).catch(() => undefined);
  };
  if (io.tty) {
    stream.pipe(io.output, { end: false });
    // Raw: every key (Ctrl-C, Ctrl-D, arrows) goes to the shell's pty, which echoes and signals.
    io.stdin.setRawMode?.(true);
  } else {
    engine.modem.demuxStream(stream, io.output, io.errorOutput ?? io.output);
  }
  // stdin's end (a pipe) half-closes the exec's stdin: the shell reads EOF and exits.
  io.stdin.pipe(stream);
  io.stdin.resume();
  const unsubscribe = io.onResize(() => void resize());
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  const onAbort = () => (stream as NodeJS.ReadWriteStream & { destroy(): void }).destroy();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (io.tty) await resize();
    await ended;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
    io.stdin.unpipe(stream);
    if (io.tty) io.stdin.setRawMode?.(false);
    io.stdin.pause();
  }
  if (io.signal?.aborted) return 130;
  const { ExitCode } = await exec.inspect();
  return ExitCode ?? 0;
}
