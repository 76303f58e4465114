/**
 * The architecture rules in eslint.config.js fire: a planted file in each room imports what that room
 * must not (another room against the arrows, a library outside its module, I/O in a pure room, a step
 * importing the pipeline) and ESLint reports exactly that; the allowed imports of the same room pass.
 * A planted file that ESLint cannot parse fails either way (no message of the rule is not a pass).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const planted: string[] = [];
afterAll(() => {
  for (const f of planted) rmSync(f, { force: true });
});

async function lint(file: string, source: string): Promise<string[]> {
  const path = join(ROOT, file);
  planted.push(path);
  writeFileSync(path, `${source}\nexport {};\n`);
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintFiles([path]);
  rmSync(path, { force: true });
  const messages = result?.messages ?? [];
  const fatal = messages.filter((m) => m.fatal === true || m.ruleId === null);
  if (!result || fatal.length > 0)
    throw new Error(
      `ESLint could not check ${file}: ${fatal.map((m) => m.message).join('; ') || 'no result'}`,
    );
  return messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const id = `zz-planted-${process.pid}`;
const forbidden: [room: string, imported: string, says: string][] = [
  ['engine', '../refstack/upload.js', 'src/engine/ must not import src/refstack/'],
  ['engine', '../cloud/credentials.js', 'src/engine/ must not import src/cloud/'],
  ['engine', '../pipeline/pipeline.js', 'src/engine/ must not import src/pipeline/'],
  ['cloud', '../engine/engine.js', 'src/cloud/ must not import src/engine/'],
  ['guidelines', '../engine/engine.js', 'src/guidelines/ must not import src/engine/'],
  ['guidelines', 'node:fs', 'src/guidelines/ is pure'],
  ['redaction', 'node:fs/promises', 'src/redaction/ is pure'],
  ['redaction', '../core/errors.js', 'src/redaction/ must not import src/core/'],
  ['core', '../results/tests.js', 'src/core/ must not import src/results/'],
  ['results', '../refstack/upload.js', 'src/results/ must not import src/refstack/'],
  ['pipeline/steps', '../../commands/upload.js', 'src/pipeline/ must not import src/commands/'],
  ['pipeline/steps', '../pipeline.js', 'src/pipeline/steps/ must not import the pipeline'],
  ['pipeline/steps', '../clouds.js', 'src/pipeline/steps/ must not import the pipeline'],
  ['pipeline/steps', '../../pipeline/pipeline.js', 'src/pipeline/steps/ must not import the pipeline'],
  // A path that goes down and back up would slip past every rule above: it is refused as such.
  ['pipeline/steps', './../pipeline.js', 'write the import path normalized'],
  ['pipeline/steps', '../steps/../pipeline.js', 'write the import path normalized'],
  ['pipeline/steps', '.././clouds.js', 'write the import path normalized'],
  ['engine', '../core/../refstack/upload.js', 'write the import path normalized'],
  ['commands', '../pipeline/steps/selection.js', 'src/commands/ uses only these steps of the pipeline'],
  ['commands', '../pipeline/steps/compute.js', 'src/commands/ uses only these steps of the pipeline'],
  ['tempest', 'dockerode', 'dockerode is used only in src/engine/docker.ts'],
  ['engine', 'dockerode', 'dockerode is used only in src/engine/docker.ts'],
  ['pipeline', 'dockerode', 'dockerode is used only in src/engine/docker.ts'],
  ['refstack', 'undici', 'undici is used only in src/core/http.ts'],
  ['core', 'undici', 'undici is used only in src/core/http.ts'],
  ['cloud', '@inquirer/password', 'used only in src/core/prompt.ts'],
  ['engine', 'ssh2', 'ssh2 is used only in src/refstack/signing.ts'],
  ['refstack', 'yaml', 'yaml is used only in src/cloud/**'],
  ['commands', 'commander', 'commander is used only in src/cli.ts'],
];
const allowed: [room: string, imported: string][] = [
  ['engine', 'tar-stream'],
  ['engine', '../core/errors.js'],
  ['cloud', 'yaml'],
  ['tempest', '../engine/engine.js'],
  ['pipeline', '../refstack/upload.js'],
  ['pipeline/steps', '../options.js'],
  ['pipeline/steps', './cloud.js'],
  ['pipeline/steps', '../steps/cloud.js'],
  ['pipeline/steps', '../../pipeline/options.js'],
  ['pipeline/steps', '../../engine/engine.js'],
  ['commands', '../pipeline/pipeline.js'],
  ['commands', '../pipeline/options.js'],
  ['commands', '../pipeline/steps/upload.js'],
  ['commands', '../pipeline/steps/tempest-image.js'],
  ['commands', '../guidelines/model.js'],
  ['redaction', 'node:stream'],
];

// The first ESLint with type information takes seconds on a busy machine.
describe('architecture rules', { timeout: 60_000 }, () => {
  it.each(forbidden)('src/%s/ importing %s fails lint', async (room, imported, says) => {
    const messages = await lint(`src/${room}/${id}.ts`, `import '${imported}';`);
    expect(
      messages.some((m) => m.includes(says)),
      messages.join('\n'),
    ).toBe(true);
  });
  it.each(allowed)('src/%s/ importing %s passes', async (room, imported) => {
    expect(await lint(`src/${room}/${id}.ts`, `import '${imported}';`)).toEqual([]);
  });
  it('an import type counts as an import', async () => {
    const messages = await lint(
      `src/cloud/${id}.ts`,
      `import type Docker from 'dockerode';\nexport type D = Docker;`,
    );
    expect(messages.join('\n')).toContain('dockerode is used only in src/engine/docker.ts');
  });
  it('dockerode is allowed in src/engine/docker.ts', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintFiles([join(ROOT, 'src/engine/docker.ts')]);
    expect(result?.messages).toEqual([]);
  });
  it('an allowed import in a file that does not parse fails the check', async () => {
    await expect(lint(`src/engine/${id}.ts`, `import '../core/errors.js';\nconst = ;`)).rejects.toThrow(
      /ESLint could not check src\/engine\/.*Parsing error/,
    );
  });
});

/** src/'s modules (planted files aside) and the modules of src/ each imports: type imports, re-exports and dynamic imports too. */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('zz-planted-'))
    .map((f) => posix.join('src', f.split('\\').join('/')));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
      const targets = importedFiles
        .map((i) => i.fileName)
        .filter((s) => s.startsWith('.'))
        .map((s) => posix.join(posix.dirname(file), s).replace(/\.js$/, '.ts'))
        .filter((target) => known.has(target));
      return [file, targets];
    }),
  );
}

describe('import graph', () => {
  it('has no cycle in src/ (a type import counts: options.ts and the steps once imported each other)', () => {
    const graph = importGraph();
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const cycles: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
