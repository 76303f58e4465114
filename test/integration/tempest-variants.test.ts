/**
 * Both Tempest images, built from the one recipe: each has its own content-hash tag and labels, lists its
 * tests, and is matched against every bundled guideline target and standard. What each Tempest lacks of
 * each is printed as a table (README "Which Tempest") and pinned here, so a Debian package update that
 * drops or renames a guideline test shows up as a failure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadImageFiles } from '../../src/engine/build-context.js';
import { listInstalledTests } from '../../src/engine/container.js';
import { createEngine } from '../../src/engine/engine.js';
import { ensureImage, imageTag, IMAGE_REPO } from '../../src/engine/image.js';
import { loadBundledGuideline } from '../../src/guidelines/load.js';
import { matchTests, type RequestedTest } from '../../src/guidelines/match.js';
import { INDEX } from '../../src/guidelines/data/index.js';
import { targetsOf } from '../../src/guidelines/model.js';
import { selectTests } from '../../src/guidelines/select.js';
import { loadStandard } from '../../src/guidelines/standard.js';
import { PROTOCOL_VERSION } from '../../src/protocol/container.js';
import { PLUGINS } from '../../src/pipeline/steps/selection.js';
import { tempestImageOptions, VARIANTS, type VariantId } from '../../src/tempest/variant.js';
import { describeDocker, requireDocker } from '../support/testbed.js';

const engine = createEngine(process.env);

/**
 * Every bundled core/add-on target (required tests) and every standard, with the tests it asks for and
 * the plugins its image gets (an add-on's: what a run of that target builds).
 */
function bundledLists(): { name: string; tests: RequestedTest[]; plugins: string[] }[] {
  const lists: { name: string; tests: RequestedTest[]; plugins: string[] }[] = [];
  for (const v of INDEX.versions) {
    const guideline = loadBundledGuideline(v.id);
    for (const target of targetsOf(guideline))
      lists.push({
        name: `${v.id} ${target}`,
        tests: selectTests(guideline, { target }).tests,
        plugins: PLUGINS[target] ?? [],
      });
  }
  for (const id of INDEX.standards) lists.push({ name: id, tests: loadStandard(id).tests, plugins: [] });
  return lists;
}

/** Required tests each Tempest lacks (not found by name, alias or idempotent id), measured on the images. */
const EXPECTED_MISSING: Record<VariantId, Record<string, number>> = {
  '43': {},
  '33': {},
};

const key = (id: VariantId, plugins: readonly string[]) => `${id} ${plugins.join(' ')}`;

describeDocker('the two Tempest images', () => {
  const installed = new Map<string, string[]>();
  const tags = new Map<VariantId, string>();
  beforeAll(async () => {
    await requireDocker();
    // The core images, then the add-ons' (one small layer more each), one build at a time.
    for (const plugins of [[], ...Object.values(PLUGINS)])
      for (const variant of VARIANTS) {
        const image = await ensureImage(engine, loadImageFiles(), {
          ...tempestImageOptions(variant, plugins),
          proxy: {},
          onLine: () => undefined,
        });
        if (plugins.length === 0) tags.set(variant.id, image.tag);
        installed.set(
          key(variant.id, plugins),
          await listInstalledTests(engine, image.tag, `it-variants-${Date.now()}`),
        );
      }
  }, 1_200_000);

  it('each variant has its own content-hash tag and says what it is in its labels', async () => {
    const files = loadImageFiles();
    const [t43, t33] = [tags.get('43')!, tags.get('33')!];
    expect(t43).not.toBe(t33);
    // Tempest 43 is the Dockerfile's default (ARG DEBIAN=trixie): the plain content hash.
    expect(t43).toBe(imageTag(files, []));
    expect(t33).toBe(imageTag(files, [], IMAGE_REPO, { DEBIAN: 'bookworm' }));
    for (const [id, tag] of tags) {
      const { Config } = await engine.getImage(tag).inspect();
      expect(Config.Labels).toMatchObject({
        tcup: '1',
        'tcup.tempest': id,
        'tcup.protocol': String(PROTOCOL_VERSION),
        'tcup.hash': expect.stringMatching(new RegExp(`^${tag.split(':')[1]!}[0-9a-f]{48}$`)) as unknown,
      });
    }
  });

  it('lists the tests of Tempest 43 (with the heat plugin) and of Tempest 33', () => {
    const t43 = installed.get(key('43', []))!;
    const t33 = installed.get(key('33', []))!;
    expect(t43.filter((t) => t.startsWith('tempest.')).length).toBeGreaterThan(1500);
    expect(t43.some((t) => t.startsWith('heat_tempest_plugin.'))).toBe(true);
    expect(t33.filter((t) => t.startsWith('tempest.')).length).toBeGreaterThan(1500);
    expect(t33.some((t) => t.startsWith('heat_tempest_plugin.'))).toBe(false);
  });

  describe('what each Tempest lacks of each bundled guideline', () => {
    it('matches every bundled list on both, as pinned', () => {
      const rows: string[] = [];
      const measured: Record<VariantId, Record<string, number>> = { '43': {}, '33': {} };
      for (const { name, tests, plugins } of bundledLists()) {
        const cells = VARIANTS.map((v) => {
          const { missing } = matchTests(tests, installed.get(key(v.id, plugins))!);
          if (missing.length > 0) measured[v.id][name] = missing.length;
          return `${missing.length} of ${tests.length}`;
        });
        rows.push(`| ${name} | ${cells.join(' | ')} |`);
      }
      console.log(`| list | Tempest 43 lacks | Tempest 33 lacks |\n|---|---|---|\n${rows.join('\n')}`);
      expect(measured).toEqual(EXPECTED_MISSING);
    });
  });
});
