/** The upload step: consent first, private (signed) by default, exactly once, and never a silent failure. */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DEFAULT_REFSTACK_URL } from '../../core/defaults.js';
import { TcupError } from '../../core/errors.js';
import { neverSent, type HttpClient } from '../../core/http.js';
import type { Reporter } from '../../core/log.js';
import { askConfirm, askPassword } from '../../core/prompt.js';
import { readUploadRecord, recordUpload, UPLOAD_RECORD, type UploadRecord } from '../../results/folder.js';
import type { RefstackDocument } from '../../results/tests.js';
import type { Deps, UploadChoice } from '../options.js';

export type { UploadChoice } from '../options.js';
import { keyNeedsPassphrase, loadSigningKey, signBody, sshPublicLine } from '../../refstack/signing.js';
import {
  UploadError,
  checkFirstHint,
  describeSent,
  describeUpload,
  documentDigest,
  resultsEndpoint,
  shownUrl,
  uploadResults,
  validateDocument,
} from '../../refstack/upload.js';

/** A failed upload throws UPLOAD_FAILED (after saying where the results stay). */
export type UploadOutcome = 'skipped' | 'dry-run' | 'uploaded';

/** How often a POST that never reached the server is sent again. */
const RESENDS = 3;

/** Checks the choice is coherent before anything slow; loads the signing key (asking for its passphrase). */
export async function prepareUpload(deps: Deps, choice: UploadChoice): Promise<KeyObject | undefined> {
  resultsEndpoint(choice.url);
  if (choice.sign && choice.anonymous)
    throw new TcupError(
      'USAGE',
      '--sign and --anonymous exclude each other',
      'a signed upload is private; drop one of them',
    );
  if (!choice.sign) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(deps.cwd, choice.sign), 'utf8');
  } catch (error) {
    throw new TcupError(
      'USAGE',
      `cannot read the signing key ${choice.sign}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  if (!keyNeedsPassphrase(text)) return loadSigningKey(text);
  const passphrase = await keyPassphrase(deps, choice.sign, choice.passphraseEnv);
  return loadSigningKey(text, passphrase);
}

/** The passphrase of an encrypted key: from the variable named by --key-passphrase-env, else asked for. */
export async function keyPassphrase(
  deps: Deps,
  keyFile: string,
  envName: string | undefined,
): Promise<string> {
  const fromEnv = envName ? deps.env[envName] : undefined;
  if (envName && fromEnv === undefined)
    throw new TcupError(
      'CREDENTIALS',
      `${envName} (named by --key-passphrase-env) is not set, so there is no passphrase for the signing key ${keyFile}`,
      `export ${envName} with the passphrase of ${keyFile}`,
    );
  const passphrase =
    fromEnv ??
    (await askPassword({
      message: `passphrase for ${keyFile}`,
      signal: deps.signal,
      input: deps.stdin,
      output: deps.stderr,
      unasked: {
        missing: `the signing key ${keyFile} is protected by a passphrase`,
        supply: `put the passphrase in an environment variable and name it with --key-passphrase-env VAR (for example --key-passphrase-env REFSTACK_KEY_PASSPHRASE)`,
      },
    }));
  deps.redactor.add(passphrase);
  return passphrase;
}

/** Whether to upload: asked on a terminal (default no); without one only `--upload --yes` says yes. */
export async function decideUpload(
  deps: Deps,
  choice: UploadChoice,
  doc: RefstackDocument | undefined,
  reporter: Reporter,
  signed: boolean,
): Promise<boolean> {
  if (!signed && !choice.anonymous) {
    if (choice.askEarly || choice.yes)
      throw new TcupError(
        'USAGE',
        'an upload needs --sign KEY (private to you) or --anonymous (anyone with the result id can read it)',
        'tcup sign KEY prints the public key to register in your RefStack profile',
      );
    return false;
  }
  const willAsk = deps.stdin.isTTY === true && !choice.yes;
  // What would be sent is shown to ask for consent; otherwise it is said once it has been sent.
  if (!doc)
    reporter.step(
      `after the run, the results will be uploaded to ${shownUrl(resultsEndpoint(choice.url))} (${signed ? 'signed' : 'anonymous'})`,
    );
  else if (willAsk)
    deps.stderr.write(deps.redactor.redact(describeUpload(doc, { url: choice.url, signed }) + '\n'));
  if (deps.stdin.isTTY !== true) return choice.askEarly && choice.yes;
  if (choice.yes) return true;
  return askConfirm({
    message: 'Upload these results?',
    default: false,
    signal: deps.signal,
    input: deps.stdin,
    output: deps.stderr,
  });
}

/** `tcup upload DIR` with the choices that were made (the signing key, or --anonymous; the server). */
export function uploadCommandLine(deps: Pick<Deps, 'cwd'>, dir: string, choice: UploadChoice): string {
  const rel = relative(deps.cwd, dir);
  const shownDir = rel === '' ? '.' : !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
  const parts = ['tcup', 'upload', shownDir];
  if (choice.sign) {
    parts.push('--sign', choice.sign);
    if (choice.passphraseEnv) parts.push('--key-passphrase-env', choice.passphraseEnv);
  } else if (choice.anonymous) parts.push('--anonymous');
  if (choice.url.replace(/\/+$/, '') !== DEFAULT_REFSTACK_URL)
    parts.push('--refstack-url', withoutCredentials(choice.url));
  return parts.map(shellWord).join(' ');
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.href.replace(/\/$/, '') === url.replace(/\/$/, '') ? url : u.href;
}

const shellWord = (word: string): string =>
  /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

const when = (record: UploadRecord): string =>
  record.uploaded_at ? ` on ${record.uploaded_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : '';

function whereItWent(record: UploadRecord): string {
  const server = record.server ? ` to ${record.server}` : '';
  const id = record.test_id ? ` as ${record.url || record.test_id}` : ' (upload.json does not say where)';
  return `${server}${when(record)}${id}`;
}

/** After the run: dry run, or consent, then the upload; the document always stays on disk. */
export async function uploadStep(
  deps: Deps,
  http: HttpClient,
  choice: UploadChoice,
  doc: RefstackDocument,
  dir: string,
  reporter: Reporter,
  key: KeyObject | undefined,
  consent: boolean | undefined,
): Promise<UploadOutcome> {
  const signed = key !== undefined;
  const record = readUploadRecord(dir);
  const digest = documentDigest(doc);
  // Recorded without a digest (an older tcup, a damaged file): taken for these very results.
  const sameResults = record !== undefined && (record.sha256 ?? digest) === digest;
  const command = uploadCommandLine(deps, dir, choice);
  if (choice.dryRun) {
    const body = JSON.stringify(doc);
    const headers = key
      ? { 'X-Signature': signBody(key, Buffer.from(body)), 'X-Public-Key': sshPublicLine(key) }
      : {};
    await writeFile(
      join(dir, 'upload-preview.json'),
      JSON.stringify({ url: resultsEndpoint(choice.url), headers, body: doc }, null, 2) + '\n',
    );
    const problems = validateDocument(doc);
    reporter.step(`dry run: nothing sent; what would be sent is in ${join(dir, 'upload-preview.json')}`);
    for (const p of problems) reporter.warn(`the server would refuse it: ${p}`);
    if (record && sameResults && !choice.again)
      reporter.warn(`these results were uploaded before${whereItWent(record)}: a real upload needs --again`);
    return 'dry-run';
  }
  if (record && sameResults && !choice.again)
    throw new TcupError(
      'USAGE',
      `these results were uploaded already${whereItWent(record)} (recorded in ${join(dir, UPLOAD_RECORD)})`,
      `a second upload stores a second run on the server; if that is what you want: ${command} --again`,
    );
  const yes = consent ?? (await decideUpload(deps, choice, doc, reporter, signed));
  if (!yes) {
    reporter.info(
      `not uploaded. Later: ${choice.sign || choice.anonymous ? command : `${command} --sign KEY (or --anonymous)`}`,
    );
    return 'skipped';
  }
  // Where it goes, before sending (unless the question just said it); what was sent, once it is sent.
  const asked = consent === undefined && deps.stdin.isTTY === true && !choice.yes;
  if (!asked)
    reporter.step(
      `Upload to ${shownUrl(resultsEndpoint(choice.url))} (${signed ? 'signed' : 'anonymous'}): sending…`,
    );
  let result;
  try {
    result = await uploadResults(http, doc, {
      url: choice.url,
      ...(key ? { key } : {}),
      signal: deps.signal,
      retries: RESENDS,
      onRetry: (attempt, attempts, reason) =>
        reporter.info(
          `the RefStack server: ${reason} (nothing was sent); trying again, attempt ${attempt} of ${attempts}`,
        ),
    });
  } catch (error) {
    if (deps.signal.aborted && !neverSent(error))
      reporter.warn(
        `interrupted during the upload: whether RefStack stored the results is unknown; ${checkFirstHint({ base: choice.url, cpid: doc.cpid, signed })}`,
      );
    if (!(error instanceof UploadError)) throw error;
    // Said once, as the run's error (exit 10), after where the results are.
    reporter.info(`the results stay in ${dir}`);
    const again =
      error.outcome === 'unknown'
        ? `; if it is not there, upload again with: ${command}`
        : `; to try again: ${command}`;
    throw new UploadError(error.outcome, error.message, `${error.hint ?? ''}${again}`, { cause: error });
  }
  try {
    await recordUpload(dir, {
      test_id: result.testId,
      url: result.url,
      signed,
      server: shownUrl(resultsEndpoint(choice.url)),
      uploaded_at: new Date(deps.now()).toISOString(),
      sha256: digest,
    });
  } catch (error) {
    reporter.warn(
      `uploaded, but could not record it in ${join(dir, UPLOAD_RECORD)} (${(error as NodeJS.ErrnoException).code ?? 'error'}): keep the id ${result.testId}`,
    );
  }
  if (record && !sameResults)
    reporter.info(`an earlier upload from this folder (other results) stays recorded in ${UPLOAD_RECORD}`);
  reporter.step(describeSent(doc, { url: choice.url, signed }));
  reporter.step(`uploaded: ${result.url}`);
  return 'uploaded';
}
