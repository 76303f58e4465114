/** The upload step: consent first, private (signed) by default, and never a silent failure. */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TcupError } from '../../core/errors.js';
import type { HttpClient } from '../../core/http.js';
import type { Reporter } from '../../core/log.js';
import { askConfirm, askPassword } from '../../core/prompt.js';
import type { RefstackDocument } from '../../results/tests.js';
import type { Deps, UploadChoice } from '../options.js';

export type { UploadChoice } from '../options.js';
import { keyNeedsPassphrase, loadSigningKey, signBody, sshPublicLine } from '../../refstack/signing.js';
import { describeUpload, resultsEndpoint, uploadResults, validateDocument } from '../../refstack/upload.js';

/** A failed upload throws UPLOAD_FAILED (after saying where the results stay). */
export type UploadOutcome = 'skipped' | 'dry-run' | 'uploaded';

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
    throw new TcupError('CREDENTIALS', `${envName} is not set`, 'export the key passphrase in that variable');
  const passphrase =
    fromEnv ??
    (await askPassword({
      message: `passphrase for ${keyFile}`,
      signal: deps.signal,
      input: deps.stdin,
      output: deps.stderr,
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
  if (doc) deps.stderr.write(deps.redactor.redact(describeUpload(doc, { url: choice.url, signed }) + '\n'));
  else
    reporter.step(
      `after the run, the results will be uploaded to ${resultsEndpoint(choice.url)} (${signed ? 'signed' : 'anonymous'})`,
    );
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
    return 'dry-run';
  }
  const yes = consent ?? (await decideUpload(deps, choice, doc, reporter, key !== undefined));
  if (!yes) {
    reporter.info(`not uploaded. Later: tcup upload ${dir} --sign KEY (or --anonymous)`);
    return 'skipped';
  }
  try {
    const result = await uploadResults(http, doc, {
      url: choice.url,
      ...(key ? { key } : {}),
      signal: deps.signal,
      retries: 3,
    });
    await writeFile(
      join(dir, 'upload.json'),
      JSON.stringify({ test_id: result.testId, url: result.url, signed: key !== undefined }, null, 2) + '\n',
    );
    reporter.step(`uploaded: ${result.url}`);
    return 'uploaded';
  } catch (error) {
    // Said once, as the run's error (exit 10), after where the results are.
    if (error instanceof TcupError)
      reporter.info(`the results stay in ${dir}; retry with: tcup upload ${dir}`);
    throw error;
  }
}
