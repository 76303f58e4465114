/**
 * tcup's backports (container/patches/): which Tempest gets which, what the image's labels say, and the
 * error that names a patch that no longer applies (the build itself: test/integration/tempest-variants).
 */
import { describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import { loadImageFiles } from '../../src/engine/build-context.js';
import { patchesLine, patchFailure } from '../../src/pipeline/steps/tempest-image.js';
import { describePatch, parsePatch, patchesFor, recipePatches } from '../../src/tempest/patches.js';
import {
  describeVariants,
  tempestImageOptions,
  variantById,
  variantPatches,
  VARIANTS,
} from '../../src/tempest/variant.js';

const files = loadImageFiles();
const patch = (name: string, header: string) => ({
  name: `container/patches/${name}.patch`,
  content: Buffer.from(`${header}\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n`),
});

describe("the recipe's patches", () => {
  it('each names its upstream commit, its bug and the Tempest versions with the bug', () => {
    const patches = recipePatches(files);
    expect(patches.map((p) => p.name)).toContain('rebuild-server-floating-ip');
    expect(patches.find((p) => p.name === 'rebuild-server-floating-ip')).toEqual({
      name: 'rebuild-server-floating-ip',
      subject: expect.stringMatching(/test_rebuild_server/) as unknown,
      from: '43.0.0',
      fixed: '46.1.0',
      upstream: 'openstack/tempest 7e3c572a7',
      bug: 'https://bugs.launchpad.net/tempest/+bug/2132971',
    });
    // tcup's own (upstream has no fix): no upstream commit, no fixed release.
    expect(patches.find((p) => p.name === 'marker-test-own-projects')).toMatchObject({
      from: '46.3.0',
      fixed: undefined,
      upstream: undefined,
      bug: 'https://bugs.launchpad.net/tempest/+bug/2147232',
    });
  });

  const cases: [string, string[]][] = [
    ['33.0.0', []],
    ['42.9.0', []],
    ['43.0.0', ['rebuild-server-floating-ip']],
    ['46.0.0', ['rebuild-server-floating-ip']],
    ['46.1.0', []],
    ['46.2.0', []],
    ['46.3.0', ['marker-test-own-projects']],
    ['47.0.0', ['marker-test-own-projects']],
    ['99.0.0', ['marker-test-own-projects']],
  ];
  it.each(cases)('Tempest %s gets %j', (version, names) =>
    expect(patchesFor(version, recipePatches(files)).map((p) => p.name)).toEqual(names),
  );

  it('the variants: only Tempest 43 has the test_rebuild_server bug', () => {
    expect(
      Object.fromEntries(VARIANTS.map((v) => [v.id, variantPatches(v, files).map((p) => p.name)])),
    ).toEqual({ '47': ['marker-test-own-projects'], '43': ['rebuild-server-floating-ip'], '33': [] });
  });

  it("are in the image's labels", () => {
    expect(tempestImageOptions(variantById('43')!, [], files).labels['tcup.patches']).toBe(
      'rebuild-server-floating-ip',
    );
    expect(tempestImageOptions(variantById('47')!, [], files).labels['tcup.patches']).toBe(
      'marker-test-own-projects',
    );
  });

  it('are listed per variant, for --version and tcup image', () =>
    expect(describeVariants(files)).toEqual([
      "Tempest 47 (Debian testing): Tempest 47.0.0, python-tempestconf 3.5.3, OpenStack 2025.1-2026.2; tcup's patches: marker-test-own-projects",
      "Tempest 43 (Debian 13): Tempest 43.0.0, python-tempestconf 3.5.1, OpenStack 2023.2-2025.1; tcup's patches: rebuild-server-floating-ip",
      "Tempest 33 (Debian 12): Tempest 33.0.0, python-tempestconf 2.5.0, OpenStack Xena-Zed; tcup's patches: none",
    ]));

  it('a patch without its header fields is refused, naming the file', () => {
    expect(() => parsePatch(patch('bare', 'Subject: x\nTempest-From: 1.0.0'))).toThrow(
      /container\/patches\/bare\.patch: no Tempest-Fixed: line/,
    );
  });

  it('are named in one line', () => {
    const [p] = patchesFor('43.0.0', recipePatches(files));
    expect(describePatch(p!)).toBe(
      'rebuild-server-floating-ip (upstream openstack/tempest 7e3c572a7, https://bugs.launchpad.net/tempest/+bug/2132971)',
    );
    expect(describePatch(patchesFor('47.0.0', recipePatches(files))[0]!)).toBe(
      "marker-test-own-projects (tcup's own, https://bugs.launchpad.net/tempest/+bug/2147232)",
    );
    expect(patchesLine([])).toMatch(/none for this Tempest/);
    expect(patchesLine(['a (upstream x, y)'])).toMatch(/patches .*: a \(upstream x, y\)$/);
  });
});

describe('a backport that no longer applies', () => {
  const lines = [
    'Step 9/12 : RUN sh /usr/share/tcup/patches/apply-patches.sh /usr/share/tcup/patches\n',
    ' ---> Running in 0123\n',
    'tcup patch rebuild-server-floating-ip: applied to Tempest 43.0.0 (x; y)\n',
    // The engine colours a step's stderr.
    '\u001b[91mtcup patch zz-broken does not apply to Tempest 43.0.0 (openstack/tempest 0000000; https://bugs/1):\n' +
      'checking file tempest/api/compute/servers/test_server_actions.py\nHunk #1 FAILED at 10.\n\u001b[0m',
  ];
  it('fails the build with an error naming it', () => {
    const error = patchFailure(lines, new Error('returned a non-zero code: 1'));
    expect(error).toBeInstanceOf(TcupError);
    expect(error!.code).toBe('BUILD_FAILED');
    expect(error!.message).toMatch(
      /tcup patch zz-broken does not apply to Tempest 43\.0\.0 .*Hunk #1 FAILED/,
    );
    expect(error!.hint).toMatch(/container\/patches\/zz-broken\.patch/);
  });
  it('is found when the output comes in chunks of several lines, or of part of one', () => {
    const text = lines.join('');
    const chunks = [text.slice(0, 150), text.slice(150, 290), text.slice(290)];
    expect(patchFailure(chunks, new Error('x'))!.message).toBe(patchFailure(lines, new Error('x'))!.message);
  });
  it('other build failures are left as they are', () =>
    expect(patchFailure(lines.slice(0, 3), new Error('x'))).toBeUndefined());
});
