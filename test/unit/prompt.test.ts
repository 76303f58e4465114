import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import { askConfirm, askPassword, readSecretFromStream } from '../../src/core/prompt.js';

/** A fake terminal: keystrokes go in through `input` (isTTY), everything the prompt draws is in `screen()`. */
function fakeTerminal(tty = true) {
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  const output = new PassThrough();
  let drawn = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  output.on('data', (chunk: Buffer) => {
    drawn += chunk.toString('utf8');
    for (const w of waiters.filter((w) => drawn.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    input,
    output,
    screen: () => drawn,
    /** Resolves once `text` has been drawn (the prompt ignores keys typed before its first render). */
    shown: (text: string) =>
      drawn.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`not drawn: ${JSON.stringify(text)}`)), 2000);
            waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
          }),
    type: (keys: string) => input.write(keys),
  };
}

async function errorOf(promise: Promise<unknown>): Promise<TcupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TcupError);
  return error as TcupError;
}

const PASSWORD = 'S3cr€t pw$&*';

describe('askPassword', () => {
  it('returns what was typed and never draws it', async () => {
    const term = fakeTerminal();
    const answer = askPassword({
      message: 'OpenStack password for bob',
      input: term.input,
      output: term.output,
    });
    await term.shown('OpenStack password for bob');
    term.type(PASSWORD);
    await term.shown('*'.repeat(PASSWORD.length));
    term.type('\r');
    await expect(answer).resolves.toBe(PASSWORD);
    expect(term.screen()).not.toContain('S3cr');
    expect(term.screen()).not.toContain('€');
  });

  it('can not be made to reveal the password with ctrl+t', async () => {
    const term = fakeTerminal();
    const answer = askPassword({ message: 'Password', input: term.input, output: term.output });
    await term.shown('Password');
    term.type('visible?');
    term.type('\u0014');
    term.type('!');
    await term.shown('*'.repeat(9));
    term.type('\r');
    await expect(answer).resolves.toBe('visible?!');
    expect(term.screen()).not.toContain('visible');
  });

  it('asks again when the answer is empty', async () => {
    const term = fakeTerminal();
    const answer = askPassword({ message: 'Password', input: term.input, output: term.output });
    await term.shown('Password');
    term.type('\r');
    await term.shown('must not be empty');
    term.type('pw2\r');
    await expect(answer).resolves.toBe('pw2');
  });

  it('turns Ctrl-C into PROMPT_ABORTED', async () => {
    const term = fakeTerminal();
    const answer = askPassword({ message: 'Password', input: term.input, output: term.output });
    await term.shown('Password');
    term.type('half');
    term.type('\u0003');
    const error = await errorOf(answer);
    expect(error.code).toBe('PROMPT_ABORTED');
    expect(term.screen()).not.toContain('half');
  });

  it('turns an aborted signal into PROMPT_ABORTED', async () => {
    const term = fakeTerminal();
    const controller = new AbortController();
    const answer = askPassword({
      message: 'Password',
      input: term.input,
      output: term.output,
      signal: controller.signal,
    });
    await term.shown('Password');
    controller.abort(new Error('SIGINT'));
    expect((await errorOf(answer)).code).toBe('PROMPT_ABORTED');
  });

  it.each([
    [
      'names the secret and what supplies it',
      { missing: 'account alt of a.yaml has no password', supply: 'add password: to a.yaml' },
      'account alt of a.yaml has no password and there is no terminal to ask for it',
      'add password: to a.yaml',
    ],
    [
      'repeats the question when the caller says nothing more',
      undefined,
      'there is no terminal to ask for the passphrase for key.pem',
      'run tcup in a terminal to be asked',
    ],
  ])('refuses without a terminal, reads nothing, and %s', async (_, unasked, message, hint) => {
    const term = fakeTerminal(false);
    term.type('piped-password\n');
    const question = { message: 'passphrase for key.pem', input: term.input, output: term.output };
    const error = await errorOf(askPassword(unasked ? { ...question, unasked } : question));
    expect([error.code, error.message, error.hint]).toEqual(['CREDENTIALS', message, hint]);
    expect(term.screen()).toBe('');
    expect(String(term.input.read() as Buffer | null)).toBe('piped-password\n');
  });
});

describe('askConfirm', () => {
  it.each([
    ['y\r', true],
    ['n\r', false],
    ['\r', false],
  ])('answers %j with %s (default no)', async (keys, expected) => {
    const term = fakeTerminal();
    const answer = askConfirm({ message: 'Upload?', default: false, input: term.input, output: term.output });
    await term.shown('Upload?');
    term.type(keys);
    await expect(answer).resolves.toBe(expected);
  });

  it('turns Ctrl-C into PROMPT_ABORTED', async () => {
    const term = fakeTerminal();
    const answer = askConfirm({ message: 'Upload?', default: false, input: term.input, output: term.output });
    await term.shown('Upload?');
    term.type('\u0003');
    expect((await errorOf(answer)).code).toBe('PROMPT_ABORTED');
  });

  it('refuses without a terminal', async () => {
    const term = fakeTerminal(false);
    const error = await errorOf(
      askConfirm({ message: 'Upload?', default: false, input: term.input, output: term.output }),
    );
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('Upload?');
  });
});

describe('readSecretFromStream', () => {
  it.each([
    ['pw\n', 'pw'],
    ['pw\r\n', 'pw'],
    ['pw', 'pw'],
    ['  pw  \n', '  pw  '],
    ['pw\n\n', 'pw\n'],
    ['pw\r', 'pw\r'],
    ['pä€🔑\n', 'pä€🔑'],
  ])('reads %j as %j', async (input, expected) => {
    const bytes = Buffer.from(input, 'utf8');
    const oneByteChunks = [...bytes].map((b) => Buffer.from([b]));
    await expect(readSecretFromStream(Readable.from(oneByteChunks), 'password')).resolves.toBe(expected);
  });

  it.each(['', '\n', '\r\n'])('refuses the empty input %j', async (input) => {
    const error = await errorOf(readSecretFromStream(Readable.from([Buffer.from(input)]), 'password'));
    expect(error.code).toBe('CREDENTIALS');
    expect(error.message).toBe('password read from standard input is empty');
  });
});
