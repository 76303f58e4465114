/** `tcup upload RESULTS`: upload a saved run with the same consent, signing and checks as after a run. */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EXIT_OK, TcupError } from '../core/errors.js';
import { createReporter } from '../core/log.js';
import type { RefstackDocument } from '../results/tests.js';
import type { Deps, UploadChoice } from '../pipeline/options.js';
import { prepareUpload, uploadStep } from '../pipeline/steps/upload.js';

export interface UploadCommandOptions {
  /** What to upload and how (src/cli.ts builds it from the flags, as for a run). */
  upload: UploadChoice;
  /** --cacert, as given (relative to the working directory). */
  cacert?: string | undefined;
  insecure: boolean;
}

export async function uploadCommand(
  deps: Deps,
  results: string,
  options: UploadCommandOptions,
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
  const choice = options.upload;
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
  const http = await deps.http({
    env: deps.env,
    ...(options.cacert ? { caFile: resolve(deps.cwd, options.cacert) } : {}),
    insecure: options.insecure,
  });
  try {
    await uploadStep(deps, http, choice, doc, dirname(file), reporter, key, undefined);
    return EXIT_OK;
  } finally {
    await http.close();
  }
}
