#!/usr/bin/env node
/**
 * Merges timings cache files (`$XDG_CACHE_HOME/tcup/timings/*.json`, written by tcup after a run) into
 * the shipped default class times, src/tempest/data/timings.json, which balance a first run on a machine
 * that has measured nothing yet.
 *
 *   node scripts/ship-timings.mjs FILE_OR_FOLDER... [--out FILE] [--note TEXT] [--scale]
 *
 * `--scale`: the inputs ran on a machine of another speed (a loaded CI machine, say): each input is first
 * scaled by the median ratio shipped/measured over the classes it shares with the shipped file, so only
 * the classes new to the file take its values, in the file's own scale (the schedule needs ratios).
 *
 * A folder stands for the *.json files in it. Per class, the median of the inputs replaces the shipped
 * value; classes no input has keep theirs. Only Tempest class ids (`tempest.api.x.test_y.ClassName`) and
 * positive milliseconds are taken: the cache holds nothing else (no URLs, no names), and neither does the
 * output. `--note` is added to the `about` text (say which bed and target the inputs ran against).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_OUT = fileURLToPath(new URL('../src/tempest/data/timings.json', import.meta.url));
const ABOUT =
  "Class times (ms, set-up and tear-down included) measured on tcup's test bed, for a balanced first run on a machine that has measured nothing yet; made by scripts/ship-timings.mjs from timings cache files.";
/** A Tempest class id: dotted module path, then a class name starting with a capital letter. */
export const CLASS_ID = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+\.[A-Z][A-Za-z0-9_]*$/;

function usage(message) {
  process.stderr.write(
    `ship-timings: ${message}\nusage: node scripts/ship-timings.mjs FILE_OR_FOLDER... [--out FILE] [--note TEXT] [--scale]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const inputs = [];
  let out = DEFAULT_OUT;
  let note;
  let scale = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scale') scale = true;
    else if (a === '--out' || a === '--note') {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      if (a === '--out') out = v;
      else note = v;
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else inputs.push(a);
  }
  if (inputs.length === 0) usage('no timings files or folders given');
  return { inputs, out, note, scale };
}

function expand(inputs) {
  const files = [];
  for (const input of inputs) {
    if (statSync(input).isDirectory())
      for (const name of readdirSync(input).sort()) {
        if (name.endsWith('.json')) files.push(join(input, name));
      }
    else files.push(input);
  }
  return files;
}

/** class → ms of one cache file; entries that are not a class id with a positive time are dropped. */
export function readCacheFile(file) {
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed.classes !== 'object' || parsed.classes === null)
    throw new Error(`${file}: not a tcup timings file (no "classes")`);
  const out = new Map();
  let dropped = 0;
  for (const [cls, ms] of Object.entries(parsed.classes)) {
    if (CLASS_ID.test(cls) && typeof ms === 'number' && Number.isFinite(ms) && ms > 0) out.set(cls, ms);
    else dropped++;
  }
  return { classes: out, dropped };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** One cache in the shipped file's scale: times by the median ratio shipped/cache of their shared classes. */
export function scaleToShipped(shipped, cache) {
  const ratios = [...cache].filter(([cls]) => shipped[cls] > 0).map(([cls, ms]) => shipped[cls] / ms);
  if (ratios.length === 0) return { classes: cache, factor: 1 };
  const factor = median(ratios);
  return {
    classes: new Map([...cache].map(([cls, ms]) => [cls, Math.max(1, Math.round(ms * factor))])),
    factor,
  };
}

/** The shipped classes with every class of the inputs replaced by the median of its measurements. */
export function mergeShipped(shipped, caches) {
  const samples = new Map();
  for (const cache of caches)
    for (const [cls, ms] of cache) samples.set(cls, [...(samples.get(cls) ?? []), ms]);
  const merged = new Map(Object.entries(shipped));
  for (const [cls, values] of samples) merged.set(cls, Math.max(1, Math.round(median(values))));
  return Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function main() {
  const { inputs, out, note, scale } = parseArgs(process.argv.slice(2));
  const files = expand(inputs);
  if (files.length === 0) usage('the folders hold no .json files');
  let current = { classes: {} };
  try {
    current = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // A missing output starts empty.
  }
  const shippedBefore = Object.entries(current.classes ?? {}).filter(
    ([cls, ms]) => CLASS_ID.test(cls) && typeof ms === 'number' && ms > 0,
  );
  const caches = [];
  for (const file of files) {
    const read = readCacheFile(file);
    const { classes, factor } = scale
      ? scaleToShipped(Object.fromEntries(shippedBefore), read.classes)
      : { classes: read.classes, factor: 1 };
    caches.push(classes);
    process.stderr.write(
      `ship-timings: ${file}: ${classes.size} class(es)${read.dropped ? `, ${read.dropped} entr(ies) dropped` : ''}${scale ? `, scaled by ${factor.toFixed(3)}` : ''}\n`,
    );
  }
  const classes = mergeShipped(Object.fromEntries(shippedBefore), caches);
  const about = note ? `${ABOUT} ${note}` : (current.about ?? ABOUT);
  writeFileSync(out, `${JSON.stringify({ about, classes }, null, 2)}\n`);
  process.stderr.write(
    `ship-timings: wrote ${out}: ${Object.keys(classes).length} class(es) (${shippedBefore.length} before)\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
