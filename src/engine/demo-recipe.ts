/** The demo cloud's recipe (demo/keystone: a Keystone image), from the checkout or embedded in the bundle. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, type ImageFile } from './build-context.js';

/** Set by the single-file build (esbuild `define`): the recipe's files, base64. */
declare const __TCUP_DEMO_FILES__: Record<string, string> | undefined;

export const DEMO_RECIPE_DIR = 'demo/keystone';
/** The repository of the demo cloud's image (its tag is the recipe's content hash). */
export const DEMO_IMAGE_REPO = 'tcup-demo-keystone';

export function loadDemoRecipe(): ImageFile[] {
  if (typeof __TCUP_DEMO_FILES__ !== 'undefined') {
    return Object.entries(__TCUP_DEMO_FILES__).map(([name, b64]) => ({
      name,
      content: Buffer.from(b64, 'base64'),
    }));
  }
  return readDemoRecipe(packageRoot());
}

/** The flat folder's files, sorted by name (the same list the test bed builds from). */
export function readDemoRecipe(root: string): ImageFile[] {
  const dir = join(root, DEMO_RECIPE_DIR);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, content: readFileSync(join(dir, e.name)) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
