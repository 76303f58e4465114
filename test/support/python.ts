/** Runs the container's Python modules (container/*.py) on this machine, when it has python3. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CONTAINER = fileURLToPath(new URL('../../container/', import.meta.url));

/**
 * python3 3.11 or newer (what the images have), or undefined: the tests of the container's Python skip
 * without it on a developer's machine, and fail in CI (CI=true), where they must run.
 */
export const HOST_PYTHON: string | undefined = (() => {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.version_info >= (3, 11))'], {
    encoding: 'utf8',
  });
  if (r.status === 0 && r.stdout.trim() === 'True') return 'python3';
  if (process.env.CI === 'true')
    throw new Error('CI=true and no python3 >= 3.11: the tests of container/*.py must run in CI');
  return undefined;
})();

/** `python3 container/SCRIPT ARGS` with `input` as JSON on stdin; its stdout parsed as JSON. */
export function runContainerPython(script: string, args: string[], input?: unknown): unknown {
  if (!HOST_PYTHON) throw new Error('no python3 >= 3.11 on this machine');
  const r = spawnSync(HOST_PYTHON, [CONTAINER + script, ...args], {
    input: input === undefined ? '' : JSON.stringify(input),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}
