/**
 * RefStack result signing: load an RSA private key (PEM PKCS#1/PKCS#8, encrypted PEM, OpenSSH format with or
 * without a passphrase), derive its `ssh-rsa` public line and sign bytes with RSA PKCS#1 v1.5 + SHA-256.
 * ssh2 (declared) parses the OpenSSH format and writes the public key blob; it is used only here.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';
import { TcupError } from '../core/errors.js';

const RSA_ONLY_HINT =
  'create an RSA key for RefStack: ssh-keygen -t rsa -b 4096 -f ~/.ssh/refstack, then register its public key';
const PASSPHRASE_HINT =
  'enter the passphrase when tcup asks for it (on a terminal), or put it in an environment variable and name it with --key-passphrase-env VAR';

/** Thrown when the key is encrypted and no passphrase (`missing`) or a wrong one (`wrong`) was given. */
export class KeyPassphraseError extends TcupError {
  readonly needsPassphrase = true;
  constructor(
    readonly reason: 'missing' | 'wrong',
    options?: ErrorOptions,
  ) {
    super(
      'CREDENTIALS',
      reason === 'missing'
        ? 'the signing key is protected by a passphrase and none was given'
        : 'the passphrase of the signing key is wrong',
      PASSPHRASE_HINT,
      options,
    );
  }
}

type KeyFormat = 'openssh' | 'pem-encrypted' | 'pem' | 'public' | 'unknown';

function formatOf(text: string): KeyFormat {
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return 'openssh';
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return 'pem-encrypted';
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    return /Proc-Type:\s*4,ENCRYPTED/.test(text) ? 'pem-encrypted' : 'pem';
  if (/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(text) || /^\s*(ssh-|ecdsa-)\S+ AAAA/.test(text))
    return 'public';
  return 'unknown';
}

/** The unencrypted header of an `openssh-key-v1` file: cipher name and the type of its (first) key. */
function opensshHeader(text: string): { cipher: string; keyType: string } | undefined {
  const b64 = text.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic) return undefined;
  let pos = magic.length;
  const str = (): Buffer | undefined => {
    if (pos + 4 > buf.length) return undefined;
    const len = buf.readUInt32BE(pos);
    if (pos + 4 + len > buf.length) return undefined;
    const out = buf.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
    return out;
  };
  const cipher = str();
  if (!cipher || !str() || !str() || pos + 4 > buf.length) return undefined; // kdfname, kdfoptions
  pos += 4; // number of keys
  const pub = str();
  if (!pub || pub.length < 4) return undefined;
  const typeLen = pub.readUInt32BE(0);
  return { cipher: cipher.toString('latin1'), keyType: pub.subarray(4, 4 + typeLen).toString('latin1') };
}

/** True when the key text is encrypted, so the caller should ask for a passphrase before loading it. */
export function keyNeedsPassphrase(text: string): boolean {
  const format = formatOf(text);
  if (format === 'pem-encrypted') return true;
  if (format === 'openssh') return (opensshHeader(text)?.cipher ?? 'none') !== 'none';
  return false;
}

function nonRsa(kind: string): TcupError {
  const name = /ed25519/i.test(kind)
    ? 'an ed25519'
    : /ecdsa|^ec$/i.test(kind)
      ? 'an ECDSA'
      : /dsa|dss/i.test(kind)
        ? 'a DSA'
        : /ed448/i.test(kind)
          ? 'an ed448'
          : /rsa-pss/i.test(kind)
            ? 'an RSA-PSS'
            : `a ${kind}`;
  return new TcupError(
    'USAGE',
    `the signing key is ${name} key; RefStack accepts RSA keys only`,
    RSA_ONLY_HINT,
  );
}

function requireRsa(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw nonRsa(key.asymmetricKeyType ?? 'unknown');
  return key;
}

function loadOpenSsh(text: string, passphrase: string | undefined): KeyObject {
  const header = opensshHeader(text);
  if (!header)
    throw new TcupError('USAGE', 'the signing key file is not a valid OpenSSH private key', RSA_ONLY_HINT);
  if (header.keyType !== 'ssh-rsa') throw nonRsa(header.keyType);
  const encrypted = header.cipher !== 'none';
  if (encrypted && !passphrase) throw new KeyPassphraseError('missing');
  const parsed = ssh2.utils.parseKey(text, encrypted ? passphrase : undefined);
  const key: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const cause = key instanceof Error ? key : undefined;
    if (cause && /no passphrase/i.test(cause.message)) throw new KeyPassphraseError('missing', { cause });
    if (encrypted && cause && /bad passphrase|integrity/i.test(cause.message))
      throw new KeyPassphraseError('wrong', { cause });
    throw new TcupError(
      'USAGE',
      `the OpenSSH signing key could not be read (${cause?.message ?? 'no key found'})`,
      'convert it to PEM with: ssh-keygen -p -m PEM -f KEY',
      cause ? { cause } : undefined,
    );
  }
  const parsedKey = key as ParsedKey;
  if (parsedKey.type !== 'ssh-rsa') throw nonRsa(parsedKey.type);
  return requireRsa(createPrivateKey(parsedKey.getPrivatePEM()));
}

function loadPem(text: string, passphrase: string | undefined, encrypted: boolean): KeyObject {
  if (encrypted && !passphrase) throw new KeyPassphraseError('missing');
  try {
    return createPrivateKey(
      encrypted ? { key: text, format: 'pem', passphrase } : { key: text, format: 'pem' },
    );
  } catch (error) {
    if (encrypted) throw new KeyPassphraseError('wrong', { cause: error });
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED') throw new KeyPassphraseError('missing');
    throw new TcupError(
      'USAGE',
      'the signing key file is not a readable PEM private key',
      'give an RSA private key in PEM (PKCS#1 or PKCS#8) or OpenSSH format',
      { cause: error },
    );
  }
}

/**
 * Loads an RSA private key from the text of a key file. Throws KeyPassphraseError when a passphrase is needed
 * (or wrong), and a USAGE TcupError for public keys, non-RSA keys and unreadable files.
 */
export function loadSigningKey(pem: string, passphrase?: string): KeyObject {
  const format = formatOf(pem);
  switch (format) {
    case 'openssh':
      return loadOpenSsh(pem, passphrase);
    case 'pem-encrypted':
      return requireRsa(loadPem(pem, passphrase, true));
    case 'pem':
      return requireRsa(loadPem(pem, passphrase, false));
    case 'public':
      throw new TcupError(
        'USAGE',
        'the signing key file holds a public key; signing needs the private key',
        'give the private key file (e.g. ~/.ssh/refstack, not ~/.ssh/refstack.pub)',
      );
    case 'unknown':
      throw new TcupError(
        'USAGE',
        'the signing key file is not a PEM or OpenSSH private key',
        'give an RSA private key in PEM (PKCS#1 or PKCS#8) or OpenSSH format',
      );
  }
}

/**
 * The OpenSSH public line `ssh-rsa AAAA...` of an RSA private key, as `ssh-keygen -y` prints it. ssh2 writes
 * the key blob (string "ssh-rsa", mpint e, mpint n) from the key's PKCS#1 form.
 */
export function sshPublicLine(key: KeyObject, comment?: string): string {
  if (key.type !== 'private')
    throw new TcupError('USAGE', 'signing needs the private key, not the public one', RSA_ONLY_HINT);
  if (key.asymmetricKeyType !== 'rsa') throw nonRsa(key.asymmetricKeyType ?? 'unknown');
  const parsed = ssh2.utils.parseKey(key.export({ type: 'pkcs1', format: 'pem' }));
  const ssh: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (ssh instanceof Error || ssh === undefined) throw ssh ?? new Error('ssh2 read no key');
  const line = `ssh-rsa ${(ssh as ParsedKey).getPublicSSH().toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

/** Hex RSA PKCS#1 v1.5 SHA-256 signature of the exact bytes sent (the `X-Signature` header). */
export function signBody(key: KeyObject, body: Buffer | string): string {
  return sign('sha256', typeof body === 'string' ? Buffer.from(body, 'utf8') : body, key).toString('hex');
}

/** The signature over the bytes `signature` that RefStack's profile page asks for when a key is registered. */
export function selfSignature(key: KeyObject): string {
  return signBody(key, Buffer.from('signature', 'utf8'));
}
