import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import {
  KeyPassphraseError,
  keyNeedsPassphrase,
  loadSigningKey,
  selfSignature,
  signBody,
  sshPublicLine,
} from '../../src/refstack/signing.js';
import { hasSshKeygen } from '../support/ssh-keygen.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const pkcs1Enc = rsa.privateKey.export({
  type: 'pkcs1',
  format: 'pem',
  cipher: 'aes-256-cbc',
  passphrase: 'hunter2',
}) as string;
const pkcs8Enc = rsa.privateKey.export({
  type: 'pkcs8',
  format: 'pem',
  cipher: 'aes-256-cbc',
  passphrase: 'hunter2',
}) as string;

function verifies(key: KeyObject, publicKey: KeyObject): boolean {
  const body = Buffer.from('{"cpid":"x","duration_seconds":1,"results":[{"name":"t"}]}');
  return verify('sha256', body, publicKey, Buffer.from(signBody(key, body), 'hex'));
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('loadSigningKey with keys made by node:crypto', () => {
  it.each([
    ['PEM PKCS#1', pkcs1, undefined],
    ['PEM PKCS#8', pkcs8, undefined],
    ['encrypted PEM PKCS#1', pkcs1Enc, 'hunter2'],
    ['encrypted PEM PKCS#8', pkcs8Enc, 'hunter2'],
  ])('loads %s and signs verifiably', (_label, pem, passphrase) => {
    const key = loadSigningKey(pem, passphrase);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(verifies(key, rsa.publicKey)).toBe(true);
    expect(sshPublicLine(key)).toBe(sshPublicLine(rsa.privateKey));
  });

  it.each([
    ['PKCS#1', pkcs1Enc],
    ['PKCS#8', pkcs8Enc],
  ])('an encrypted %s key without passphrase asks for one, a wrong one is told apart', (_label, pem) => {
    const missing = errorOf(() => loadSigningKey(pem));
    expect(missing).toBeInstanceOf(KeyPassphraseError);
    expect(missing).toMatchObject({ code: 'CREDENTIALS', reason: 'missing', needsPassphrase: true });
    const wrong = errorOf(() => loadSigningKey(pem, 'wrong'));
    expect(wrong).toMatchObject({ code: 'CREDENTIALS', reason: 'wrong' });
    expect((wrong as Error).message).toMatch(/passphrase .* is wrong/);
  });

  it.each([
    ['ed25519', generateKeyPairSync('ed25519').privateKey, /an ed25519 key; RefStack accepts RSA keys only/],
    ['ecdsa', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, /an ECDSA key/],
  ])('rejects a PEM %s key', (_label, key, message) => {
    const pem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
    const error = errorOf(() => loadSigningKey(pem));
    expect(error).toBeInstanceOf(TcupError);
    expect(error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) as unknown });
    expect((error as TcupError).hint).toMatch(/ssh-keygen -t rsa/);
  });

  it('rejects public keys and garbage with USAGE', () => {
    const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(errorOf(() => loadSigningKey(spki))).toMatchObject({ code: 'USAGE', message: /public key/ });
    expect(errorOf(() => loadSigningKey(sshPublicLine(rsa.privateKey)))).toMatchObject({ code: 'USAGE' });
    expect(errorOf(() => loadSigningKey('hello'))).toMatchObject({
      code: 'USAGE',
      message: /not a PEM or OpenSSH/,
    });
    const broken = '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n';
    expect(errorOf(() => loadSigningKey(broken))).toMatchObject({
      code: 'USAGE',
      message: /not a readable PEM/,
    });
  });
});

describe('sshPublicLine, signBody, selfSignature', () => {
  it('builds ssh-rsa + mpint e + mpint n (e and n of the JWK), with an optional comment', () => {
    const line = sshPublicLine(rsa.privateKey, 'me@host');
    expect(line).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]+=* me@host$/);
    const blob = Buffer.from(line.split(' ')[1] ?? '', 'base64');
    const fields: Buffer[] = [];
    for (let at = 0; at < blob.length; at += 4 + blob.readUInt32BE(at))
      fields.push(blob.subarray(at + 4, at + 4 + blob.readUInt32BE(at)));
    expect(fields.map((f) => f.length > 0)).toEqual([true, true, true]);
    const [type, e, n] = fields as [Buffer, Buffer, Buffer];
    expect(type.toString()).toBe('ssh-rsa');
    const jwk = rsa.publicKey.export({ format: 'jwk' });
    const unsigned = (mpint: Buffer) => (mpint[0] === 0 ? mpint.subarray(1) : mpint);
    expect(unsigned(e).toString('base64url')).toBe(jwk.e);
    expect(unsigned(n).toString('base64url')).toBe(jwk.n);
    expect(n[0]).toBe(0); // a 2048-bit modulus has its top bit set: mpint puts a 0 byte before it
  });

  it('refuses a public key and a non-RSA key', () => {
    expect(errorOf(() => sshPublicLine(rsa.publicKey))).toMatchObject({
      code: 'USAGE',
      message: /private key/,
    });
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(errorOf(() => sshPublicLine(ed))).toMatchObject({ code: 'USAGE', message: /an ed25519 key/ });
  });

  it('signs with RSA PKCS#1 v1.5 SHA-256 in hex; the self-signature covers the bytes "signature"', () => {
    const sig = signBody(rsa.privateKey, 'abc');
    expect(sig).toMatch(/^[0-9a-f]{512}$/);
    expect(signBody(rsa.privateKey, Buffer.from('abc'))).toBe(sig); // deterministic
    const self = selfSignature(rsa.privateKey);
    expect(verify('sha256', Buffer.from('signature'), rsa.publicKey, Buffer.from(self, 'hex'))).toBe(true);
  });
});

describe('keyNeedsPassphrase', () => {
  it.each([
    [pkcs1, false],
    [pkcs8, false],
    [pkcs1Enc, true],
    [pkcs8Enc, true],
    ['nothing', false],
  ])('%#', (pem, expected) => expect(keyNeedsPassphrase(pem)).toBe(expected));
});

describe.skipIf(!hasSshKeygen)('loadSigningKey with keys made by ssh-keygen', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tcup-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  function keygen(type: string, format: string[], passphrase = ''): { file: string; text: string } {
    const file = path.join(dir, `key${n++}`);
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...(type === 'rsa' ? ['-b', '2048'] : []),
      ...format,
      '-N',
      passphrase,
      '-C',
      'tcup@test',
      '-f',
      file,
    ]);
    return { file, text: readFileSync(file, 'utf8') };
  }
  const publicOf = (file: string, passphrase = '') =>
    execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', file], { encoding: 'utf8' })
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');

  it.each([
    ['-m PEM', ['-m', 'PEM'], /BEGIN RSA PRIVATE KEY/],
    ['-m PKCS8', ['-m', 'PKCS8'], /BEGIN PRIVATE KEY/],
    ['OpenSSH (default)', [], /BEGIN OPENSSH PRIVATE KEY/],
  ])('%s without passphrase: public line equals ssh-keygen -y', (_label, format, header) => {
    const { file, text } = keygen('rsa', format);
    expect(text).toMatch(header);
    expect(keyNeedsPassphrase(text)).toBe(false);
    const key = loadSigningKey(text);
    expect(sshPublicLine(key)).toBe(publicOf(file));
    expect(verifies(key, createPublicKey(key))).toBe(true);
  });

  it.each([
    ['-m PEM', ['-m', 'PEM']],
    ['-m PKCS8', ['-m', 'PKCS8']],
    ['OpenSSH (bcrypt)', []],
  ])('%s with passphrase: missing, wrong, right', (_label, format) => {
    const { file, text } = keygen('rsa', format, 'correct horse');
    expect(keyNeedsPassphrase(text)).toBe(true);
    expect(errorOf(() => loadSigningKey(text))).toMatchObject({ code: 'CREDENTIALS', reason: 'missing' });
    expect(errorOf(() => loadSigningKey(text, 'wrong'))).toMatchObject({
      code: 'CREDENTIALS',
      reason: 'wrong',
    });
    const key = loadSigningKey(text, 'correct horse');
    expect(sshPublicLine(key)).toBe(publicOf(file, 'correct horse'));
  });

  it.each([
    ['ed25519', '', /an ed25519 key; RefStack accepts RSA keys only/],
    ['ed25519', 'secret', /an ed25519 key/],
    ['ecdsa', '', /an ECDSA key/],
  ])(
    'rejects an OpenSSH %s key (passphrase %j) before asking for a passphrase',
    (type, passphrase, message) => {
      const { text } = keygen(type, [], passphrase);
      expect(errorOf(() => loadSigningKey(text))).toMatchObject({
        code: 'USAGE',
        message: expect.stringMatching(message) as unknown,
      });
    },
  );
});
