/** The results folder on the user's disk: everything a run produced, redacted, written before teardown. */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TcupError } from '../core/errors.js';
import { readResultsFolder, type ResultsFolderData } from './read-folder.js';
import type { RefstackDocument, TestResult } from './tests.js';

export interface ResultsFolderContent {
  /** Files copied out of the container (results.subunit, junit.xml, tempest.log, tempest.conf, load-list.txt). */
  files: ReadonlyMap<string, Buffer>;
  tests: readonly TestResult[];
  refstack?: RefstackDocument;
  summary: unknown;
  missing: readonly string[];
  /** The redacted log of the run. */
  log: string;
  /**
   * Renders report.html from the folder as written (src/report; injected because results may not import
   * report). The page is made from the redacted files and goes through the redactor once more.
   */
  report?: (folder: ResultsFolderData) => string;
}

export interface Redact {
  redact(text: string): string;
}

/** A timestamped folder name: tcup-results/2026-11-23_194755. */
export function defaultResultsDir(cwd: string, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return join(cwd, 'tcup-results', stamp);
}

export async function createResultsDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new TcupError(
      'RESULTS_MISSING',
      `cannot create the results folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      'choose a writable folder with --results-dir',
      { cause: error },
    );
  }
}

const TEXT = /\.(log|conf|txt|xml|json)$/;

/** Writes every file, redacted: text through the redactor, binary with each secret masked in place. */
export async function writeResultsFolder(
  dir: string,
  content: ResultsFolderContent,
  redactor: Redact,
  secrets: readonly string[],
): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, data: string | Buffer) => {
    await writeFile(join(dir, name), data, { mode: 0o644 });
    written.push(name);
  };
  try {
    for (const [name, data] of content.files) {
      if (name.includes('/')) continue;
      await put(name, TEXT.test(name) ? redactor.redact(data.toString('utf8')) : maskBinary(data, secrets));
    }
    await put('tests.json', redactor.redact(JSON.stringify(content.tests, null, 2) + '\n'));
    if (content.refstack) await put('refstack.json', JSON.stringify(content.refstack, null, 2) + '\n');
    await put('summary.json', redactor.redact(JSON.stringify(content.summary, null, 2) + '\n'));
    await put('missing.txt', content.missing.map((m) => m + '\n').join(''));
    await put('tcup.log', redactor.redact(content.log));
    if (content.report) await put('report.html', redactor.redact(content.report(readResultsFolder(dir))));
  } catch (error) {
    throw new TcupError(
      'RESULTS_MISSING',
      `cannot write the results to ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      'check the folder is writable, or choose another with --results-dir',
      { cause: error },
    );
  }
  return written;
}

/** Replaces each secret's bytes with as many `*` (lengths stay, so the file stays parseable). */
export function maskBinary(data: Buffer, secrets: readonly string[]): Buffer {
  let out = data;
  for (const secret of secrets) {
    if (!secret) continue;
    const needle = Buffer.from(secret, 'utf8');
    for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) {
      if (out === data) out = Buffer.from(data);
      out.fill(0x2a, at, at + needle.length);
    }
  }
  return out;
}

/** Where a successful upload is recorded in the results folder. */
export const UPLOAD_RECORD = 'upload.json';

/** One upload of the folder's refstack.json, as RefStack confirmed it. */
export interface UploadRecord {
  test_id: string;
  url: string;
  signed: boolean;
  /** The results endpoint it went to (no credentials). */
  server?: string;
  uploaded_at?: string;
  /** sha256 (hex) of the exact bytes sent. */
  sha256?: string;
}

/** upload.json: the latest upload at the top (as before), the ones before it in `earlier`. */
export interface UploadRecordFile extends UploadRecord {
  earlier?: UploadRecord[];
}

/**
 * The recorded upload of a folder; undefined when there is none. A file that cannot be read as one still
 * counts as a record (with nothing known about it): an upload may have happened.
 */
export function readUploadRecord(dir: string): UploadRecordFile | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, UPLOAD_RECORD), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { test_id: '', url: '', signed: false };
  }
  try {
    const parsed = JSON.parse(text) as Partial<UploadRecordFile> | null;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return {
      ...parsed,
      test_id: typeof parsed.test_id === 'string' ? parsed.test_id : '',
      url: typeof parsed.url === 'string' ? parsed.url : '',
      signed: parsed.signed === true,
    };
  } catch {
    return { test_id: '', url: '', signed: false };
  }
}

/** Records an upload: it becomes the top of upload.json, and what was there moves to `earlier`. */
export async function recordUpload(dir: string, record: UploadRecord): Promise<void> {
  const before = readUploadRecord(dir);
  const earlier: UploadRecord[] = [];
  if (before) {
    const { earlier: older, ...top } = before;
    earlier.push(...(older ?? []), top);
  }
  const file: UploadRecordFile = { ...record, ...(earlier.length ? { earlier } : {}) };
  await writeFile(join(dir, UPLOAD_RECORD), JSON.stringify(file, null, 2) + '\n', { mode: 0o644 });
}
