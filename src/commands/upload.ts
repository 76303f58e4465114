/** `tcup upload RESULTS`: upload a saved run with the same consent, signing and checks as after a run. */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EXIT_OK, TcupError } from '../core/errors.js';
import { createHttpClient } from '../core/http.js';
import { createReporter } from '../core/log.js';
import type { RefstackDocument } from '../results/tests.js';
import type { Deps } from '../pipeline/options.js';
import { DEFAULT_REFSTACK_URL } from '../refstack/upload.js';
import { prepareUpload, uploadStep, type UploadChoice } from '../pipeline/steps/upload.js';

export async function uploadCommand(
  deps: Deps,
  results: string,
  opts: Record<string, unknown>,
): Promise<number> {
  const path = resolve(deps.cwd, results);
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'refstack.json');
  } catch {
    throw new TcupError(
      'USAGE',
      `no results at ${results}`,
      'give a tcup results folder or its refstack.json',
    );
  }
  let doc: RefstackDocument;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as RefstackDocument;
  } catch (error) {
    throw new TcupError(
      'USAGE',
      `cannot read ${file}: ${(error as Error).message}`,
      'give a tcup results folder or its refstack.json',
    );
  }
  const str = (k: string) => (typeof opts[k] === 'string' ? opts[k] : undefined);
  const choice: UploadChoice = {
    url: str('refstackUrl') ?? DEFAULT_REFSTACK_URL,
    askEarly: true, // the command itself says the user wants to upload
    yes: opts.yes === true,
    anonymous: opts.anonymous === true,
    dryRun: opts.dryRun === true,
    sign: str('sign'),
    passphraseEnv: str('keyPassphraseEnv'),
    again: opts.again === true,
  };
  const reporter = createReporter({
    write: (t) => deps.stderr.write(t),
    isTTY: deps.stderr.isTTY === true,
    verbose: false,
    redact: (t) => deps.redactor.redact(t),
  });
  const key = await prepareUpload(deps, choice);
  if (!key && !choice.anonymous && !choice.dryRun)
    throw new TcupError(
      'USAGE',
      'an upload needs --sign KEY (private to you) or --anonymous (anyone with the result id can read it)',
      'tcup sign KEY prints the public key to register in your RefStack profile',
    );
  if (!choice.dryRun && !choice.yes && deps.stdin.isTTY !== true)
    throw new TcupError(
      'USAGE',
      'there is no terminal to ask for consent',
      'add --yes to upload without asking',
    );
  const http = createHttpClient({
    env: deps.env,
    ...(str('cacert') ? { caFile: resolve(deps.cwd, str('cacert')!) } : {}),
    insecure: opts.insecure === true,
  });
  try {
    await uploadStep(deps, http, choice, doc, dirname(file), reporter, key, undefined);
    return EXIT_OK;
  } finally {
    await http.close();
  }
}
