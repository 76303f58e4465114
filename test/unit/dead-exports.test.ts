/**
 * No dead code behind an export: every name a module of src/ exports is used by another module, in its
 * own module, by the bin, a script, a benchmark or a test. A name nothing uses is deleted, not kept.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const walk = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return walk(path);
    return /\.(ts|mjs|cjs)$/.test(name) ? [path] : [];
  });

// Files planted by test/unit/architecture.test.ts while it runs are no modules of tcup.
const SRC = walk('src').filter((f) => !/zz-planted-/.test(f));
const USERS = [...SRC, ...walk('test'), ...walk('scripts'), ...walk('bench'), 'tcup.ts'];
/** A file's text; empty when it went away meanwhile (a planted file of the architecture test). */
const read = (f: string) => {
  try {
    return readFileSync(join(ROOT, f), 'utf8');
  } catch {
    return '';
  }
};
const TEXT = new Map(USERS.map((f) => [f, read(f)]));
/** Exports kept without a user, each for a reason. */
const KEPT: Record<string, string> = {
  'src/engine/docker.ts: asEngine': 'compile-time proof that the dockerode client is an Engine',
};
const DECLARATION = /^export (?:async )?(?:function\*?|const|let|class|type|interface|enum) (\w+)/gm;

describe('exports', () => {
  it('each has a user', () => {
    const unused: string[] = [];
    for (const file of SRC) {
      const own = TEXT.get(file)!;
      for (const [, name] of own.matchAll(DECLARATION)) {
        const word = new RegExp(`\\b${name}\\b`, 'g');
        const usedInOwn = (own.match(word) ?? []).length > 1;
        if (!usedInOwn && !USERS.some((f) => f !== file && new RegExp(`\\b${name}\\b`).test(TEXT.get(f)!)))
          unused.push(`${file}: ${name}`);
      }
    }
    expect(unused.filter((u) => !(u in KEPT))).toEqual([]);
  });
});
