/**
 * Reading a results folder back (tcup report, report.html): the files a run wrote, as they are on
 * disk (already redacted). Only summary.json is required; everything else is optional.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TcupError } from '../core/errors.js';
import type { RefstackDocument, TestResult } from './tests.js';

export interface ResultsFolderData {
  /** The folder's absolute path. */
  dir: string;
  /** Its last path component: how reports name the run. */
  name: string;
  /** summary.json, parsed but not interpreted (its shape depends on the kind of run). */
  summary: unknown;
  /** tests.json (empty when absent). */
  tests: TestResult[];
  /** missing.txt: requested tests the installed Tempest lacks. */
  missing: string[];
  refstack?: RefstackDocument;
  /** Failure texts from junit.xml by test id and by name (without the `[...]` attributes). */
  tracebacks: ReadonlyMap<string, string>;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Reads a results folder; a folder without a readable summary.json is a usage error. `shownAs` is how
 * messages name it (what the user typed).
 */
export function readResultsFolder(path: string, shownAs = path): ResultsFolderData {
  const dir = resolve(path);
  const json = (file: string, required: boolean): unknown => {
    let text: string | undefined;
    try {
      text = readText(join(dir, file));
    } catch (error) {
      throw unreadable(shownAs, file, (error as NodeJS.ErrnoException).code ?? 'error');
    }
    if (text === undefined) {
      if (required) throw unreadable(shownAs, file, 'not found');
      return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw unreadable(shownAs, file, (error as Error).message);
    }
  };
  const summary = json('summary.json', true);
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary))
    throw unreadable(shownAs, 'summary.json', 'not an object');
  const tests = json('tests.json', false);
  const refstack = json('refstack.json', false);
  const missing = readText(join(dir, 'missing.txt')) ?? '';
  const junit = readText(join(dir, 'junit.xml'));
  return {
    dir,
    name: basename(dir),
    summary,
    tests: Array.isArray(tests) ? tests.filter(isTestResult) : [],
    missing: missing.split('\n').filter((l) => l.trim() !== ''),
    ...(isRefstack(refstack) ? { refstack } : {}),
    tracebacks: junit ? parseJunitFailures(junit) : new Map(),
  };
}

function unreadable(path: string, file: string, why: string): TcupError {
  return new TcupError(
    'USAGE',
    `cannot read ${file} in ${path}: ${why}`,
    'give a results folder written by tcup (it holds summary.json)',
  );
}

function isTestResult(value: unknown): value is TestResult {
  const t = value as Partial<TestResult> | null;
  return typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.status === 'string';
}

function isRefstack(value: unknown): value is RefstackDocument {
  const r = value as Partial<RefstackDocument> | null | undefined;
  return typeof r === 'object' && r !== null && typeof r.cpid === 'string' && Array.isArray(r.results);
}

// ------------------------------------------------------------------------------------------ junit
const TESTCASE = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
const FAILURE = /<(failure|error)\b[^>]*?(?:\/>|>([\s\S]*?)<\/\1>)/;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * The failure and error texts of a JUnit XML document (as subunit2junitxml writes it), keyed by the
 * full test id (`classname.name`) and by the name without its `[...]` attributes.
 */
export function parseJunitFailures(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(TESTCASE)) {
    const failure = m[2] ? FAILURE.exec(m[2]) : null;
    if (!failure) continue;
    const attrs = new Map<string, string>();
    for (const a of (m[1] ?? '').matchAll(ATTRIBUTE)) attrs.set(a[1]!, xmlText(a[2] ?? a[3] ?? ''));
    const name = attrs.get('name') ?? '';
    const classname = attrs.get('classname') ?? '';
    const id = classname && name ? `${classname}.${name}` : classname || name;
    if (!id) continue;
    const text = xmlText(failure[2] ?? '').trim();
    out.set(id, text);
    const open = id.indexOf('[');
    if (open > 0) out.set(id.slice(0, open), text);
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character data to text: CDATA sections kept as they are, entities decoded. */
function xmlText(raw: string): string {
  return raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) =>
      part.startsWith('<![CDATA[')
        ? part.slice(9, -3)
        : part.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, ref: string) => {
            if (ref[0] === '#') {
              const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
              return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
            }
            return ENTITIES[ref] ?? whole;
          }),
    )
    .join('');
}
