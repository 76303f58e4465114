/** `tcup sign KEY`: what the RefStack profile page asks for when a key is registered. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_OK, TcupError } from '../core/errors.js';
import type { Deps } from '../pipeline/options.js';
import { keyNeedsPassphrase, loadSigningKey, selfSignature, sshPublicLine } from '../refstack/signing.js';
import { keyPassphrase } from '../pipeline/steps/upload.js';

export async function signCommand(
  deps: Deps,
  keyFile: string,
  options: { passphraseEnv?: string | undefined },
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(resolve(deps.cwd, keyFile), 'utf8');
  } catch (error) {
    throw new TcupError(
      'USAGE',
      `cannot read the key ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const key = keyNeedsPassphrase(text)
    ? loadSigningKey(text, await keyPassphrase(deps, keyFile, options.passphraseEnv))
    : loadSigningKey(text);
  deps.stdout.write(
    `Public key:\n${sshPublicLine(key)}\n\nSelf-signature (over the bytes "signature"):\n${selfSignature(key)}\n`,
  );
  return EXIT_OK;
}
