/** Several clouds in one command: the choices (pure), the combined exit code, and how the output looks. */
import { describe, expect, it } from 'vitest';
import { listClouds } from '../../src/cloud/credentials.js';
import { EXIT_CODES, TcupError } from '../../src/core/errors.js';
import {
  accountsPerCloud,
  chooseClouds,
  cloudFolderNames,
  isSeveralClouds,
  refuseForSeveralClouds,
  singleAccountsFile,
  splitAccountsValue,
  worstExitCode,
  type SeveralCloudsRefusable,
} from '../../src/pipeline/clouds-choice.js';
import { cloudReporter, createDisplay, createImageShare } from '../../src/pipeline/clouds.js';
import type { TempestImage } from '../../src/pipeline/steps/tempest-image.js';
import { variantById } from '../../src/tempest/variant.js';

const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    if (error instanceof TcupError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
};

describe('worstExitCode', () => {
  it.each<[string, number[], number]>([
    ['none', [], 0],
    ['all compliant', [0, 0], 0],
    ['not compliant beats compliant', [0, 9], 9],
    ['order does not matter', [9, 0], 9],
    ['a failed run beats not compliant', [9, 7, 0], 7],
    ['a preflight failure beats not compliant', [0, 4, 9], 4],
    ['of two clouds without a verdict, the earlier step', [7, 3], 3],
    ['usage beats credentials', [3, 2], 2],
    ['a failed upload beats not compliant', [9, 10], 10],
    ['a failed run beats a failed upload', [10, 6], 6],
    ['a bug beats a failed run', [7, 1], 1],
    ['Ctrl-C beats everything', [1, 130, 9], 130],
    ['terminated beats a bug', [143, 1], 143],
    ['a closed output beats a bug', [1, 141], 141],
    ['a code of no table counts as a bug', [9, 42], 1],
  ])('%s', (_, codes, want) => {
    expect(worstExitCode(codes)).toBe(want);
  });

  it('knows every exit code of the table', () => {
    for (const code of Object.values(EXIT_CODES)) expect(worstExitCode([code, 0])).toBe(code);
  });
});

describe('accounts files per cloud', () => {
  const clouds = ['a', 'b', 'x=y'];
  it.each<[string, string, { cloud?: string; file: string }]>([
    ['CLOUD=FILE', 'a=a.yaml', { cloud: 'a', file: 'a.yaml' }],
    ['a path with = after the cloud', 'b=dir/x=1.yaml', { cloud: 'b', file: 'dir/x=1.yaml' }],
    ['a cloud whose name has =', 'x=y=f.yaml', { cloud: 'x=y', file: 'f.yaml' }],
    ['no cloud before =', 'c=f.yaml', { file: 'c=f.yaml' }],
    ['a bare file', 'accounts.yaml', { file: 'accounts.yaml' }],
    ['a cloud and no file', 'a=', { file: 'a=' }],
  ])('%s', (_, value, want) => {
    expect(splitAccountsValue(value, clouds)).toEqual(want);
  });

  it.each<[string, string[], Record<string, string> | string]>([
    ['one per cloud', ['a=a.yaml', 'b=b.yaml'], { a: 'a.yaml', b: 'b.yaml' }],
    ['a cloud without a file', ['b=b.yaml'], { b: 'b.yaml' }],
    ['none', [], {}],
    [
      'a bare file',
      ['accounts.yaml'],
      'USAGE: --accounts accounts.yaml names no cloud of this run (clouds: a, b)',
    ],
    [
      'an unknown cloud',
      ['c=c.yaml'],
      'USAGE: --accounts c=c.yaml names no cloud of this run (clouds: a, b)',
    ],
    [
      'two for one cloud',
      ['a=1.yaml', 'a=2.yaml'],
      'USAGE: --accounts names two files for cloud "a" (1.yaml and 2.yaml)',
    ],
  ])('several clouds: %s', (_, values, want) => {
    if (typeof want === 'string') expect(usage(() => accountsPerCloud(values, ['a', 'b']))).toBe(want);
    else expect(Object.fromEntries(accountsPerCloud(values, ['a', 'b']))).toEqual(want);
  });

  it.each<[string, string[], string | undefined, string | undefined]>([
    ['none', [], 'a', undefined],
    ['a bare file', ['f.yaml'], 'a', 'f.yaml'],
    ['CLOUD=FILE of the cloud', ['a=f.yaml'], 'a', 'f.yaml'],
    ['CLOUD=FILE of another cloud is a file', ['b=f.yaml'], 'a', 'b=f.yaml'],
    ['OS_* variables: all of it is the file', ['a=f.yaml'], undefined, 'a=f.yaml'],
  ])('one cloud: %s', (_, values, cloud, want) => {
    expect(singleAccountsFile(values, cloud)).toBe(want);
  });

  it('one cloud: --accounts twice is a usage error', () => {
    expect(usage(() => singleAccountsFile(['a.yaml', 'b.yaml'], 'a'))).toBe(
      'USAGE: --accounts is given 2 times, but this run has one cloud',
    );
  });
});

describe('which clouds', () => {
  const listed = () => ({ file: './clouds.yaml', names: ['one', 'two'] });
  const none = () => ({ file: './clouds.yaml', names: [] });
  it.each<
    [string, Parameters<typeof chooseClouds>[0], () => { file: string; names: string[] }, string[] | string]
  >([
    [
      '--os-cloud twice',
      { clouds: ['b', 'a'], cloudsFromEnv: false, allClouds: false, accounts: [] },
      listed,
      ['b', 'a'],
    ],
    [
      '--all-clouds',
      { clouds: [], cloudsFromEnv: false, allClouds: true, accounts: [] },
      listed,
      ['one', 'two'],
    ],
    [
      '--all-clouds ignores OS_CLOUD',
      { clouds: ['x'], cloudsFromEnv: true, allClouds: true, accounts: [] },
      listed,
      ['one', 'two'],
    ],
    [
      '--all-clouds with --os-cloud',
      { clouds: ['x'], cloudsFromEnv: false, allClouds: true, accounts: [] },
      listed,
      'USAGE: --all-clouds and --os-cloud exclude each other',
    ],
    [
      'a cloud twice',
      { clouds: ['a', 'a'], cloudsFromEnv: false, allClouds: false, accounts: [] },
      listed,
      'USAGE: --os-cloud a is given twice',
    ],
    [
      'an empty clouds.yaml',
      { clouds: [], cloudsFromEnv: false, allClouds: true, accounts: [] },
      none,
      'CREDENTIALS: --all-clouds: ./clouds.yaml names no cloud',
    ],
  ])('%s', (_, args, list, want) => {
    if (typeof want === 'string') expect(usage(() => chooseClouds(args, list))).toBe(want);
    else expect(chooseClouds(args, list)).toEqual(want);
  });

  it.each<[string[], boolean, boolean]>([
    [[], false, false],
    [['a'], false, false],
    [['a', 'b'], false, true],
    [[], true, true],
  ])('several clouds for --os-cloud %j, --all-clouds %s: %s', (clouds, allClouds, want) => {
    expect(isSeveralClouds({ clouds, allClouds })).toBe(want);
  });

  it('--all-clouds reads clouds.yaml where openstackclient does, with the clouds of secure.yaml', () => {
    const files: Record<string, string> = {
      '/home/u/.config/openstack/clouds.yaml': 'clouds:\n  b: {auth: {}}\n  a: {auth: {}}\n',
      '/home/u/.config/openstack/secure.yaml': 'clouds:\n  c: {auth: {password: x}}\n',
    };
    const opts = { readFile: (p: string) => files[p], home: '/home/u', cwd: '/work' };
    expect(listClouds({}, opts)).toEqual({
      file: '/home/u/.config/openstack/clouds.yaml',
      names: ['b', 'a', 'c'],
    });
    files['/work/clouds.yaml'] = 'clouds:\n  here: {}\n';
    expect(listClouds({}, opts).names).toEqual(['here', 'c']);
    expect(
      listClouds(
        { OS_CLIENT_CONFIG_FILE: '/etc/x.yaml' },
        { ...opts, readFile: (p) => (p === '/etc/x.yaml' ? 'clouds: {z: {}}' : undefined) },
      ).names,
    ).toEqual(['z']);
    expect(usage(() => listClouds({}, { ...opts, readFile: () => undefined }))).toBe(
      'CREDENTIALS: --all-clouds: no clouds.yaml was found',
    );
  });
});

describe('options several clouds refuse', () => {
  const base: SeveralCloudsRefusable = {
    passwordStdin: false,
    debug: false,
    upload: { askEarly: false, yes: false, anonymous: false, dryRun: false },
  };
  it.each<
    [string, Partial<SeveralCloudsRefusable> & { u?: Partial<SeveralCloudsRefusable['upload']> }, string]
  >([
    ['nothing', {}, 'no error'],
    ['--password-stdin', { passwordStdin: true }, 'USAGE: --password-stdin does not go with several clouds'],
    ['--debug', { debug: true }, 'USAGE: --debug does not go with several clouds'],
    ['--rerun-failed', { rerunFailed: 'dir' }, 'USAGE: --rerun-failed does not go with several clouds'],
    ['--upload', { u: { askEarly: true } }, 'USAGE: --upload does not go with several clouds'],
    ['--yes', { u: { yes: true } }, 'USAGE: --yes does not go with several clouds'],
    ['--sign', { u: { sign: 'key' } }, 'USAGE: --sign does not go with several clouds'],
    ['--anonymous', { u: { anonymous: true } }, 'USAGE: --anonymous does not go with several clouds'],
    ['--dry-run', { u: { dryRun: true } }, 'USAGE: --dry-run does not go with several clouds'],
  ])('%s', (_, change, want) => {
    const { u, ...rest } = change;
    expect(usage(() => refuseForSeveralClouds({ ...base, ...rest, upload: { ...base.upload, ...u } }))).toBe(
      want,
    );
  });
});

describe('folders of the clouds', () => {
  it.each<[string[], string[]]>([
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    [
      ['my cloud', 'x/y', '..'],
      ['my_cloud', 'x_y', '_'],
    ],
    [
      ['A', 'a', 'a b', 'a_b'],
      ['A', 'a-2', 'a_b', 'a_b-2'],
    ],
  ])('%j → %j', (clouds, want) => {
    expect(cloudFolderNames(clouds)).toEqual(want);
  });
});

describe('the output of several clouds', () => {
  const stream = (isTTY: boolean) => {
    const out = { text: '', isTTY, columns: 40, write: (s: string) => ((out.text += s), true) };
    return out;
  };
  const redact = (s: string) => s.replaceAll('s3cret', '***');

  it('without a terminal: every line prefixed with its cloud, the progress as lines, redacted', () => {
    const out = stream(false);
    const display = createDisplay({ stderr: out as unknown as NodeJS.WriteStream }, ['a', 'bb']);
    const a = cloudReporter('a', display, false, redact);
    const b = cloudReporter('bb', display, false, redact);
    display.start(['a', 'bb']);
    a.step('credentials of s3cret');
    b.progress('[1/2] t1 passed');
    b.progress('[1/2] t1 passed');
    a.warn('two\nlines');
    display.row('a', 'only on a terminal');
    b.endProgress();
    display.plain('› done');
    expect(out.text).toBe('[a] › credentials of ***\n[bb] [1/2] t1 passed\n[a] ! two\n[a] lines\n› done\n');
    expect(a.transcript()).toBe('› credentials of ***\n! two\nlines\n');
    expect(b.transcript()).toBe('[1/2] t1 passed\n');
  });

  it('on a terminal: lines scroll above one line per cloud, redrawn in place and cut to the width', () => {
    const out = stream(true);
    const display = createDisplay({ stderr: out as unknown as NodeJS.WriteStream }, ['a', 'bb']);
    const a = cloudReporter('a', display, false, redact);
    const b = cloudReporter('bb', display, false, redact);
    a.step('before the block');
    display.start(['a', 'bb']);
    expect(out.text).toBe('[a] › before the block\na   waiting\nbb  waiting\n');
    out.text = '';
    b.progress('[1/2] tempest.api.object_storage.test_a passed');
    expect(out.text).toBe('\x1b[2A\r\x1b[Ja   waiting\nbb  [1/2] tempest.api.object_storage.t…\n');
    out.text = '';
    a.info('a line');
    expect(out.text).toBe(
      '\x1b[2A\r\x1b[J[a]   a line\na   a line\nbb  [1/2] tempest.api.object_storage.t…\n',
    );
    out.text = '';
    display.row('a', '✔ exit 0');
    display.stop();
    display.plain('› done');
    expect(out.text).toBe('\x1b[2A\r\x1b[Ja   ✔ exit 0\nbb  [1/2] tempest.api.object_storage.t…\n› done\n');
  });
});

describe('one image for all clouds', () => {
  const variant = (id: '43' | '33') => variantById(id)!;
  const image = (id: '43' | '33') =>
    ({ tag: `tcup-tempest:${id}`, built: true, variant: variant(id) }) as TempestImage;
  const reporter = (lines: string[]) =>
    cloudReporter(
      'x',
      {
        line: (_, t) => lines.push(t),
        status: () => undefined,
        row: () => undefined,
        plain: () => undefined,
        start: () => undefined,
        stop: () => undefined,
      },
      false,
      (s) => s,
    );

  it('is made by the first cloud in order, even when a later one gets there first; the others are told', async () => {
    const share = createImageShare(['a', 'b'], new AbortController().signal);
    const made: string[] = [];
    const bLines: string[] = [];
    const b = share.get(
      'b',
      reporter(bLines),
      variant('43'),
      () => (made.push('b'), Promise.resolve(image('43'))),
    );
    await Promise.resolve();
    expect(made).toEqual([]);
    const a = await share.get(
      'a',
      reporter([]),
      variant('33'),
      () => (made.push('a'), Promise.resolve(image('33'))),
    );
    expect(a.tag).toBe('tcup-tempest:33');
    expect((await b).tag).toBe('tcup-tempest:33');
    expect(made).toEqual(['a']);
    expect(bLines.join('\n')).toContain('one image for all clouds: waiting for the cloud before this one');
    expect(bLines.join('\n')).toContain('› the image of cloud a: tcup-tempest:33 (Tempest 33 (Debian 12))');
    expect(bLines.join('\n')).toMatch(/this cloud alone would get Tempest 43 .*so it runs Tempest 33/);
  });

  it('passes to the next cloud when the first one ended before it needed the image', async () => {
    const share = createImageShare(['a', 'b', 'c'], new AbortController().signal);
    const made: string[] = [];
    const c = share.get(
      'c',
      reporter([]),
      variant('43'),
      () => (made.push('c'), Promise.resolve(image('43'))),
    );
    share.ended('a');
    await Promise.resolve();
    expect(made).toEqual([]);
    share.ended('b');
    expect((await c).tag).toBe('tcup-tempest:43');
    expect(made).toEqual(['c']);
  });

  it('a failed build fails every cloud that waits for it', async () => {
    const share = createImageShare(['a', 'b'], new AbortController().signal);
    const b = share.get('b', reporter([]), undefined, () => Promise.resolve(image('43')));
    const a = share.get('a', reporter([]), undefined, () =>
      Promise.reject(new TcupError('BUILD_FAILED', 'no mirror')),
    );
    await expect(a).rejects.toThrow('no mirror');
    await expect(b).rejects.toThrow('no mirror');
  });

  it('Ctrl-C ends the wait', async () => {
    const controller = new AbortController();
    const share = createImageShare(['a', 'b'], controller.signal);
    const b = share.get('b', reporter([]), undefined, () => Promise.resolve(image('43')));
    controller.abort(new TcupError('INTERRUPTED', 'interrupted by SIGINT'));
    await expect(b).rejects.toThrow('interrupted by SIGINT');
  });
});
