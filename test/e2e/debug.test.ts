/**
 * `tcup --debug` as a user meets it: the single file in an empty directory, a real terminal (tmux), a real
 * Keystone. The shell sees the host folder at /workspace and a ready tempest.conf, Ctrl-C reaches the
 * shell (not tcup), a resize reaches it too, `exit` ends tcup and removes the container, the terminal is
 * left as it was, and the password never reaches the screen. Without a terminal, piped commands run and
 * their output passes the redactor.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launcherInEmptyDir, TESTBED_ENV, trackedLaunches } from '../support/launcher.js';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

const PASSWORD = `Dbg-Pässwörd "q" 'x' $HOME ✓`;
const HOST_FILE = 'made-on-the-host.txt';
const SESSION = `tcup-debug-${process.pid}`;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', SESSION);
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/**
 * This file's launchers (the terminal's too, once found): its "nothing left" checks count their
 * containers alone, as other runs may share this engine (the compute lane of `npm test` does).
 */
const launches = trackedLaunches();
/** This file's tcup containers that mount `dir`. */
const containersMounting = (dir: string) =>
  launches.containers().filter((id) => {
    try {
      const binds = execFileSync('docker', ['inspect', '-f', '{{json .HostConfig.Binds}}', id], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return binds.includes(`"${dir}:/workspace`);
    } catch {
      return false; // removed meanwhile
    }
  });

/** The launcher the terminal's shell runs (its child process, `node LAUNCHER --debug`), once it runs. */
async function terminalLauncherPid(launcher: string): Promise<number> {
  const shell = tmux('display-message', '-p', '-t', SESSION, '#{pane_pid}').trim();
  const deadline = Date.now() + 30_000;
  for (;;) {
    let children = '';
    try {
      children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', shell], { encoding: 'utf8' });
    } catch {
      /* no child yet: ps exits 1 */
    }
    for (const line of children.split('\n')) {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (m && m[2]!.includes(launcher)) return Number(m[1]);
    }
    if (Date.now() > deadline) throw new Error(`the terminal's shell (pid ${shell}) runs no ${launcher}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitFor(what: string, test: (text: string) => boolean, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** true when the screen has a line that is exactly `line` (output, not the typed command). */
const hasLine = (line: string) => (text: string) => text.split('\n').some((l) => l.trimEnd() === line);

function type(text: string): void {
  tmux('send-keys', '-t', SESSION, '-l', text);
  tmux('send-keys', '-t', SESSION, 'Enter');
}

describeDocker('tcup --debug (single-file launcher, real Keystone)', () => {
  let keystone: KeystoneTenant;
  let dir: string;
  let launcher: string;
  let env: Record<string, string>;
  let transcript = '';

  beforeAll(async () => {
    await requireDocker();
    keystone = await useKeystone({ memberPassword: PASSWORD });
    ({ dir, launcher } = launcherInEmptyDir());
    writeFileSync(join(dir, HOST_FILE), 'hello\n');
    // The terminal's shell gets what runLauncher gives every launcher (a Keystone-only cloud gets Tempest 47).
    env = { ...openrcEnv(keystone, keystone.members[0]!), ...TESTBED_ENV };
  });

  afterAll(async () => {
    try {
      tmux('kill-session', '-t', SESSION);
    } catch {
      /* already gone */
    }
    await keystone?.dispose();
  });

  it('gives a shell in a terminal: /workspace, tempest.conf, Ctrl-C, resize; exit removes the container', async () => {
    // The user's openrc lives outside the mounted folder, as it usually does.
    const openrc = join(mkdtempSync(join(tmpdir(), 'tcup-openrc-')), 'openrc.sh');
    writeFileSync(
      openrc,
      Object.entries(env)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
        .join(''),
    );
    const command =
      `cd ${shellQuote(dir)} && . ${shellQuote(openrc)} && node ${shellQuote(launcher)} --debug; ` +
      `echo TCUP-EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 3600`;
    const started = Date.now();
    tmux('new-session', '-d', '-s', SESSION, '-x', '200', '-y', '50', command);
    launches.track(await terminalLauncherPid(launcher), started);

    await waitFor('the banner', (t) => t.includes('tcup debug shell: no tests were started'), 600_000);
    expect(containersMounting(dir)).toHaveLength(1);

    type('ls -1 /workspace');
    await waitFor('the host file in /workspace', hasLine(HOST_FILE));

    type('test -f /run/tcup/ws/etc/tempest.conf && echo CONF-OK');
    await waitFor('CONF-OK', hasLine('CONF-OK'));

    // Ctrl-C interrupts the shell's foreground command; tcup and the shell carry on.
    type('sleep 300; echo SLEEP-DONE');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    tmux('send-keys', '-t', SESSION, 'C-c');
    type('echo AFTER-CTRL-C');
    await waitFor('the shell after Ctrl-C', hasLine('AFTER-CTRL-C'), 15_000);
    expect(screen()).not.toMatch(/^SLEEP-DONE$/m);
    expect(screen()).not.toContain('TCUP-EXIT=');

    // A resize of the terminal reaches the shell's pty.
    type('stty size');
    await waitFor('the first size', hasLine('50 200'), 15_000);
    tmux('resize-window', '-t', SESSION, '-x', '150', '-y', '40');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    type('stty size');
    await waitFor('the new size', hasLine('40 150'), 15_000);

    type('exit');
    transcript = await waitFor('tcup to exit', (t) => /^TCUP-EXIT=\d+/m.test(t), 120_000);
    expect(transcript).toMatch(/^TCUP-EXIT=0$/m);
    // The terminal is back in canonical mode (raw mode undone).
    await waitFor('stty', (t) => /^-?icanon$/m.test(t), 10_000);
    expect(screen()).toMatch(/^icanon$/m);
    expect(containersMounting(dir)).toEqual([]);
    expect(launches.containers()).toEqual([]);
  });

  it('never shows the password on the screen', () => {
    expect(transcript).not.toBe('');
    expect(transcript.includes(PASSWORD)).toBe(false);
    expect(transcript.includes(JSON.stringify(PASSWORD).slice(1, -1))).toBe(false);
  });

  it('without a terminal, runs piped commands and redacts their output', async () => {
    const r = await launches.launch(launcher, ['--debug'], {
      cwd: dir,
      env,
      input: 'ls /workspace; cat /run/tcup/ws/etc/accounts.yaml; exit\n',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(HOST_FILE);
    expect(r.stdout).toMatch(/password: .*\[REDACTED\]/);
    for (const text of [r.stdout, r.stderr]) {
      expect(text.includes(PASSWORD)).toBe(false);
      expect(text.includes(JSON.stringify(PASSWORD).slice(1, -1))).toBe(false);
    }
    expect(containersMounting(dir)).toEqual([]);
    expect(launches.containers()).toEqual([]);
  });
});
