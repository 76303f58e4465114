/**
 * Builds every image the engine lane needs, unless its content-hash tag exists, and prints how long each
 * took: tcup's Tempest variants and their add-on images, the test beds' Keystone and Swift of each
 * release, the compute cloud. `npm test` runs it before the engine lane (scripts/test.mjs), so the
 * timing table tells building from testing; a test that needs an image still builds it when missing.
 *
 *   npx tsx test/support/build-images.ts [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { PLUGINS } from '../../src/guidelines/model.js';
import { VARIANTS } from '../../src/tempest/variant.js';
import { buildComputeImage } from './compute-testbed.js';
import { buildTempestImage, buildTestbedImages, type TestbedRelease } from './testbed.js';

interface Step {
  name: string;
  build: () => Promise<unknown>;
}

const steps: Step[] = [
  ...VARIANTS.map((v) => ({ name: `Tempest ${v.id}`, build: () => buildTempestImage(v.id) })),
  ...(['zed', '2026.2'] as TestbedRelease[]).map((release) => ({
    name: `Keystone + Swift ${release}`,
    build: () => buildTestbedImages(release),
  })),
  { name: 'compute cloud', build: () => buildComputeImage() },
  ...VARIANTS.flatMap((v) =>
    Object.values(PLUGINS).map((plugins) => ({
      name: `Tempest ${v.id} + ${plugins.join(' ')}`,
      build: () => buildTempestImage(v.id, plugins),
    })),
  ),
];

/** Two builds at a time: package downloads wait on the mirror, unpacking on the disk. */
const PARALLEL = 2;

const times: { name: string; seconds: number; error?: string }[] = [];
const queue = [...steps];
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let step = queue.shift(); step; step = queue.shift()) {
      const t = Date.now();
      try {
        await step.build();
        times.push({ name: step.name, seconds: Math.round((Date.now() - t) / 1000) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        times.push({ name: step.name, seconds: Math.round((Date.now() - t) / 1000), error: message });
      }
      const last = times.at(-1)!;
      console.log(`image ${last.name}: ${last.error ? 'FAILED' : 'ready'} in ${last.seconds} s`);
      if (last.error) console.log(last.error);
    }
  }),
);
const json = process.argv.indexOf('--json');
if (json > 0 && process.argv[json + 1]) writeFileSync(process.argv[json + 1]!, JSON.stringify(times));
process.exitCode = times.some((t) => t.error) ? 1 : 0;
