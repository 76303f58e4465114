/**
 * The cold first run: tcup on a machine without its image, from the command to the verdict. Other
 * engineers' images stay: a copy of the single file gets its embedded recipe with one bench label
 * right after FROM, so its content hash (the tag) is new and no cached layer above the base image
 * fits; that throwaway image is removed afterwards. The base image (debian:*-slim) is present, as after
 * a first `docker pull`. The build's steps are timed from the image's own layer history.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tail } from './tcup-run.js';
import { firstLineAt, runTimed, type TimedRun } from './timed-process.js';

const DOCKERFILE = fileURLToPath(new URL('../Dockerfile', import.meta.url));

export interface BuildStep {
  /** The Dockerfile instruction, shortened. */
  step: string;
  /** From the previous layer's creation to this one's (1 s resolution). */
  seconds: number;
}

export interface ColdRun {
  run: TimedRun;
  image: string;
  /** Spawn → the verdict line. */
  verdictMs: number | undefined;
  /** "preparing the … image" → "built …". */
  buildMs: number | undefined;
  /** The line tcup showed while it built. */
  waitingLine: string | undefined;
  steps: BuildStep[];
}

/** The single file with `LABEL tcup.bench.cold=…` after the recipe's FROM block. */
export function coldLauncher(launcher: string, dir: string): string {
  const bundle = readFileSync(launcher, 'utf8');
  const dockerfile = readFileSync(DOCKERFILE, 'utf8');
  const quoted = JSON.stringify(Buffer.from(dockerfile).toString('base64'));
  const at = bundle.indexOf(quoted);
  if (at < 0 || bundle.indexOf(quoted, at + 1) >= 0)
    throw new Error('the Dockerfile is not embedded exactly once in the single file');
  const from = /^FROM .*\n(?:ARG .*\n)*/m.exec(dockerfile);
  if (!from) throw new Error('no FROM line in the Dockerfile');
  const end = from.index + from[0].length;
  const patched = `${dockerfile.slice(0, end)}LABEL tcup.bench.cold="${randomUUID()}"\n${dockerfile.slice(end)}`;
  const out = join(dir, 'tcup-cold.cjs');
  writeFileSync(
    out,
    bundle.slice(0, at) +
      JSON.stringify(Buffer.from(patched).toString('base64')) +
      bundle.slice(at + quoted.length),
  );
  return out;
}

/** The layers' creation times, oldest first, as step durations (the base image's layers and the bench label left out). */
export function buildSteps(image: string, base: string): BuildStep[] {
  const history = (ref: string) =>
    execFileSync(
      'docker',
      ['image', 'history', '--no-trunc', '--format', '{{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}', ref],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .map((line) => {
        const [id, created, by] = line.split('\t');
        return { id: id!, at: Date.parse(created!), by: by ?? '' };
      })
      .reverse();
  const layers = history(image);
  // The clock starts at the bench's label, the first layer no cache had (the base image's layers, and an
  // ARG right after FROM, may come from the cache of hours ago).
  const start = layers.findIndex((l) => l.by.includes('tcup.bench.cold'));
  if (start < 0 || history(base).length > start) throw new Error(`${image}: no bench label above ${base}`);
  const steps: BuildStep[] = [];
  for (let i = start + 1; i < layers.length; i++) {
    const by = layers[i]!.by.replace(/\s+/g, ' ')
      .replace(/^(\|\d+ (\S+=\S* )*)?\/bin\/sh -c #\(nop\) /, '')
      .replace(/^(\|\d+ (\S+=\S* )*)?\/bin\/sh -c /, 'RUN ')
      .trim();
    steps.push({ step: by.slice(0, 70), seconds: (layers[i]!.at - layers[i - 1]!.at) / 1000 });
  }
  return steps;
}

export async function measureColdRun(
  launcher: string,
  options: {
    cwd: string;
    env: Record<string, string>;
    args: string[];
    resultsDir: string;
    signal: AbortSignal;
  },
): Promise<ColdRun> {
  const cold = coldLauncher(launcher, options.cwd);
  const run = await runTimed(process.execPath, [cold, ...options.args, '-o', options.resultsDir], {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: 20 * 60_000,
    signal: options.signal,
  });
  const text = run.stderr.map((l) => l.text).join('\n');
  const image = /built (tcup-tempest:\S+)/.exec(text)?.[1];
  if (run.code !== 0 || !image) throw new Error(`cold tcup run exited with ${run.code}:\n${tail(run)}`);
  const preparing = firstLineAt(run, /preparing the Tempest/);
  const built = firstLineAt(run, /^\s*built tcup-tempest:/);
  const result: ColdRun = {
    run,
    image,
    verdictMs: firstLineAt(run, /: \d+ of \d+ required capabilities pass|compliant/i),
    buildMs: preparing !== undefined && built !== undefined ? built - preparing : undefined,
    waitingLine: run.stderr.find((l) => /building the Tempest/.test(l.text))?.text.replace(/^.*› /, ''),
    steps: [],
  };
  try {
    result.steps = buildSteps(image, variantBase(text) ?? 'debian:trixie-slim');
  } catch (error) {
    result.steps = [
      { step: `(no steps: ${error instanceof Error ? error.message : String(error)})`, seconds: 0 },
    ];
  } finally {
    execFileSync('docker', ['rmi', image], { stdio: 'pipe' });
  }
  return result;
}

/** The base of the variant tcup built: "Tempest 43 (Debian 13)" → debian:trixie-slim. */
function variantBase(stderr: string): string | undefined {
  const debian = /preparing the Tempest \d+ \(Debian (\d+)\)/.exec(stderr)?.[1];
  return debian === '13' ? 'debian:trixie-slim' : debian === '12' ? 'debian:bookworm-slim' : undefined;
}
