import type { Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, Redactor } from '../../src/redaction/redactor.js';

const R = REDACTED;

/** Writes the chunks, ends the stream, resolves with everything it emitted. */
async function through(stream: Transform, chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await done;
  return Buffer.concat(out).toString('utf8');
}

function bytesOf(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function oneByteChunks(bytes: Buffer): Buffer[] {
  return [...bytes].map((b) => Buffer.from([b]));
}

interface Case {
  name: string;
  secrets: string[];
  text: string;
  expected: string;
}

const CASES: Case[] = [
  { name: 'plain', secrets: ['hunter2'], text: 'login bob hunter2 ok\n', expected: `login bob ${R} ok\n` },
  {
    name: 'multi-byte UTF-8 secret and text',
    secrets: ['pässwörd🔑'],
    text: 'ä→ pässwörd🔑 日本 pässwörd\n',
    expected: `ä→ ${R} 日本 pässwörd\n`,
  },
  {
    name: 'CRLF lines and a secret holding CRLF',
    secrets: ['s3cret', 'two\r\nlines'],
    text: 'a\r\nOS_PASSWORD=s3cret\r\nnext two\r\nlines\r\n',
    expected: `a\r\nOS_PASSWORD=${R}\r\nnext ${R}\r\n`,
  },
  { name: 'secret at EOF', secrets: ['tail-secret'], text: 'token: tail-secret', expected: `token: ${R}` },
  { name: 'secret is the whole input', secrets: ['whole'], text: 'whole', expected: R },
  {
    name: 'one secret a prefix of another',
    secrets: ['abc', 'abcdef'],
    text: 'x abcdef y abc z abcde',
    expected: `x ${R} y ${R} z ${R}de`,
  },
  {
    name: 'regex metacharacters',
    secrets: ['$&', '.*', 'a\\b', '(x|y)[z]^+?{1}'],
    text: 'one $& two .* three a\\b four (x|y)[z]^+?{1} five xy\n',
    expected: `one ${R} two ${R} three ${R} four ${R} five xy\n`,
  },
  {
    name: 'newline inside the secret',
    secrets: ['multi\nline'],
    text: 'multi\nline\nmulti\n',
    expected: `${R}\nmulti\n`,
  },
  { name: 'back to back', secrets: ['ab'], text: 'abababa', expected: `${R}${R}${R}a` },
];

describe('Redactor.redact', () => {
  it.each(CASES)('$name', ({ secrets, text, expected }) => {
    expect(createRedactor(secrets).redact(text)).toBe(expected);
  });

  it('does not expand $ patterns of the replacement', () => {
    expect(createRedactor(['$&']).redact("a$&b$'c")).toBe(`a${R}b$'c`);
  });

  it('ignores empty secrets and registers each secret once', () => {
    const redactor = createRedactor(['', 'x1y2', 'x1y2']);
    expect(redactor.secrets()).toEqual(['x1y2']);
    expect(redactor.redact('abc')).toBe('abc');
  });

  it('leaves text alone when there are no secrets', () => {
    expect(new Redactor().redact('password=nothing')).toBe('password=nothing');
  });
});

describe('Redactor forms of a secret', () => {
  const secret = 'p"a\\s/s wörd&+=?';
  const redactor = createRedactor([secret]);
  const forms: [string, string][] = [
    ['JSON-escaped', JSON.stringify({ password: secret })],
    ['JSON with ASCII escapes (Python json.dumps)', '{"password": "p\\"a\\\\s/s w\\u00f6rd&+=?"}'],
    ['encodeURIComponent', `https://h/?password=${encodeURIComponent(secret)}&x=1`],
    ['form encoding with +', `POST body: ${new URLSearchParams({ password: secret }).toString()}`],
    ['encodeURIComponent with + for spaces', `q=${encodeURIComponent(secret).replace(/%20/g, '+')}`],
    ['XML-escaped', '<property value="p&quot;a\\s/s wörd&amp;+=?"/>'],
    ['base64', `secret: ${Buffer.from(secret).toString('base64')}`],
    ['base64url', `secret: ${Buffer.from(secret).toString('base64url')}`],
  ];
  it.each(forms)('%s', (_name, text) => {
    const redacted = redactor.redact(text);
    expect(redacted).toContain(R);
    expect(redacted).not.toContain('s/s');
    expect(redacted).not.toContain('s%2Fs');
    expect(redacted).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
    expect(redacted).not.toContain(Buffer.from(secret).toString('base64url').slice(0, 12));
  });
});

describe('Redactor short secrets', () => {
  it('still redacts them and reports them by name and length only', () => {
    const redactor = new Redactor();
    redactor.add('pw', 'OS_PASSWORD');
    redactor.add('long-enough', 'OS_TOKEN');
    redactor.add('äö€');
    expect(redactor.redact('pw=pw')).toBe(`${R}=${R}`);
    expect(redactor.weakSecrets()).toEqual([
      { name: 'OS_PASSWORD', length: 2 },
      { name: undefined, length: 3 },
    ]);
    expect(JSON.stringify(redactor.weakSecrets())).not.toContain('pw');
  });
});

describe('Redactor.createRedactingStream', () => {
  describe.each(CASES)('$name', ({ secrets, text, expected }) => {
    const bytes = bytesOf(text);
    it('is split into two chunks at every byte offset', async () => {
      for (let i = 0; i <= bytes.length; i++) {
        const out = await through(createRedactor(secrets).createRedactingStream(), [
          bytes.subarray(0, i),
          bytes.subarray(i),
        ]);
        expect(out, `split at byte ${i}`).toBe(expected);
      }
    });
    it('is fed 1-byte chunks', async () => {
      expect(await through(createRedactor(secrets).createRedactingStream(), oneByteChunks(bytes))).toBe(
        expected,
      );
    });
  });

  it('is split into three chunks at every pair of offsets', async () => {
    const secrets = ['abc', 'abcdef', 'cdx'];
    const text = 'zabcdefabcdxabcd€abc';
    const expected = `z${R}${R}dx${R}d€${R}`;
    expect(createRedactor(secrets).redact(text)).toBe(expected);
    const bytes = bytesOf(text);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
        expect(await through(createRedactor(secrets).createRedactingStream(), chunks), `${i},${j}`).toBe(
          expected,
        );
      }
    }
  });

  it('holds back only what may still become a secret', async () => {
    const stream = createRedactor(['hunter2']).createRedactingStream();
    const seen: string[] = [];
    stream.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
    stream.write(bytesOf('aaaa hunt'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.join('')).toBe('aaaa ');
    stream.write(bytesOf('ing hunte'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.join('')).toBe('aaaa hunting ');
    stream.end(bytesOf('r2'));
    await new Promise((resolve) => stream.on('end', resolve));
    expect(seen.join('')).toBe(`aaaa hunting ${R}`);
  });

  it('emits what follows a match that ends inside the held-back text', async () => {
    const stream = createRedactor(['xyz12', '12abc']).createRedactingStream();
    const seen: string[] = [];
    stream.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
    stream.write(bytesOf('> xyz12a'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.join('')).toBe(`> ${R}a`);
    stream.end(bytesOf('bc 12abc'));
    await new Promise((resolve) => stream.on('end', resolve));
    expect(seen.join('')).toBe(`> ${R}abc ${R}`);
  });

  it('applies secrets added after it was created', async () => {
    const redactor = new Redactor();
    const stream = redactor.createRedactingStream();
    redactor.add('late-secret');
    expect(await through(stream, [bytesOf('x late-secret y')])).toBe(`x ${R} y`);
  });

  it('applies a secret added between chunks to the text still held and to later chunks', async () => {
    const redactor = createRedactor(['other']);
    const stream = redactor.createRedactingStream();
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    stream.write(bytesOf('one oth'));
    redactor.add('new-pass');
    stream.write(bytesOf('er two new-'));
    stream.end(bytesOf('pass three new-pass'));
    await new Promise((resolve) => stream.on('end', resolve));
    expect(Buffer.concat(out).toString()).toBe(`one ${R} two ${R} three ${R}`);
  });

  it.each([[['x9']], [['x9', 'q']]])(
    'redacts a secret longer than the search window, with %j',
    async (others) => {
      const long = `${'k9€'.repeat(120)}end`;
      const text = `a ${long} b x9q ${Buffer.from(long).toString('base64')} ${long.slice(1)} c`;
      const bytes = bytesOf(text);
      for (const secrets of [[long], [long, ...others]]) {
        const expected = createRedactor(secrets).redact(text);
        expect(expected.startsWith(`a ${R} b `)).toBe(true);
        for (let i = 0; i <= bytes.length; i += 7) {
          const chunks = [bytes.subarray(0, i), bytes.subarray(i)];
          expect(await through(createRedactor(secrets).createRedactingStream(), chunks), `${i}`).toBe(
            expected,
          );
        }
      }
    },
  );

  it('passes bytes that are not valid UTF-8 through unchanged', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xe2, 0x82]),
      bytesOf(' hunter2 '),
      Buffer.from([0x80, 0xc3]),
    ]);
    const stream = createRedactor(['hunter2']).createRedactingStream();
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    for (const chunk of oneByteChunks(bytes)) stream.write(chunk);
    stream.end();
    await new Promise((resolve) => stream.on('end', resolve));
    expect(Buffer.concat(out)).toEqual(
      Buffer.concat([Buffer.from([0xff, 0xe2, 0x82]), bytesOf(` ${R} `), Buffer.from([0x80, 0xc3])]),
    );
  });

  it('passes text through when there is no secret', async () => {
    expect(await through(new Redactor().createRedactingStream(), oneByteChunks(bytesOf('ä€🔑 text')))).toBe(
      'ä€🔑 text',
    );
  });
});

describe('Redactor.redactObject', () => {
  it('masks secret-named keys and secret values anywhere, without touching the input', () => {
    const redactor = createRedactor(['hunter2']);
    const env = {
      OS_PASSWORD: 'anything',
      OS_APPLICATION_CREDENTIAL_SECRET: 'cred',
      OS_USERNAME: 'bob',
      OS_AUTH_URL: 'https://keystone/v3?pw=hunter2',
      nested: [{ note: 'it is hunter2' }, 42, null],
      hunter2: 'a key named like the secret',
    };
    const copy = JSON.parse(JSON.stringify(env)) as unknown;
    expect(redactor.redactObject(env)).toEqual({
      OS_PASSWORD: R,
      OS_APPLICATION_CREDENTIAL_SECRET: R,
      OS_USERNAME: 'bob',
      OS_AUTH_URL: `https://keystone/v3?pw=${R}`,
      nested: [{ note: `it is ${R}` }, 42, null],
      [R]: 'a key named like the secret',
    });
    expect(env).toEqual(copy);
  });
});
