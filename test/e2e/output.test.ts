/**
 * The single file's output streams: a reader that goes away (`tcup --help | head -1`) ends tcup quietly,
 * and NODE_DEBUG=tcup prints debug lines, as the internal-error hint promises.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { launcherInEmptyDir, runLauncher } from '../support/launcher.js';

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe('output streams (single file)', () => {
  let dir: string;
  let launcher: string;

  beforeAll(() => {
    ({ dir, launcher } = launcherInEmptyDir());
  });

  it('`tcup --help | head -1` prints the first line and exits 0, without a word on stderr', () => {
    const r = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${launcher}" --help | head -1; exit "\${PIPESTATUS[0]}"`],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toBe('Usage: tcup [options] [command]\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([['--help'], ['guidelines'], ['cleanup', '--help']])(
    'a reader gone before `tcup %s` writes: exit 0, no EPIPE, no stack',
    async (...args) => {
      const r = await runLauncher(launcher, args, {
        cwd: dir,
        env: {},
        onSpawn: (child) => child.stdout?.destroy(),
      });
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(r.stderr).not.toMatch(STACK);
      expect([r.code, r.signal]).toEqual([0, null]);
    },
  );

  it.each([
    ['tcup', true],
    ['', false],
  ])('NODE_DEBUG=%j prints debug lines: %s', async (NODE_DEBUG, shown) => {
    const r = await runLauncher(launcher, ['guidelines'], { cwd: dir, env: { NODE_DEBUG } });
    expect(r.code).toBe(0);
    expect(/^TCUP \d+: tcup \S+, node v\d+\S*, argv \["guidelines"\]$/m.test(r.stderr), r.stderr).toBe(shown);
    expect(/^TCUP \d+: exit 0$/m.test(r.stderr)).toBe(shown);
    if (!shown) expect(r.stderr).toBe('');
  });
});
