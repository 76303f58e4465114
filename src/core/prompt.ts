/**
 * Questions to the user: the only importer of @inquirer/*. Prompts go to stderr, never echo a secret,
 * refuse without a terminal (instead of hanging or reading a pipe), and turn Ctrl-C into PROMPT_ABORTED.
 */
import confirm from '@inquirer/confirm';
import password from '@inquirer/password';
import { TcupError } from './errors.js';

export interface PromptStreams {
  signal?: AbortSignal;
  /** Defaults to process.stdin; must be a terminal (isTTY). */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Defaults to process.stderr. */
  output?: NodeJS.WritableStream;
}

export interface PasswordQuestion extends PromptStreams {
  /** What the prompt shows: "OpenStack password for demo". */
  message: string;
  /**
   * Without a terminal, the error names the secret and how to supply it: `missing` is the sentence's
   * start ("account alt_demo of accounts.yaml has no password"), `supply` the hint ("… --password-stdin").
   * Without it the error repeats `message` and says to run tcup in a terminal.
   */
  unasked?: { missing: string; supply: string };
}

export interface ConfirmQuestion extends PromptStreams {
  message: string;
  default: boolean;
}

/** Asks for a secret on the terminal; the answer is masked with '*' and can not be revealed. */
export async function askPassword(question: PasswordQuestion): Promise<string> {
  const context = contextOf(question, () => noTerminalForPassword(question));
  const validate = (value: string) => value !== '' || 'the password must not be empty';
  return ask(() => password({ message: question.message, mask: '*', toggleMask: false, validate }, context));
}

/** Asks a yes/no question on the terminal. */
export async function askConfirm(question: ConfirmQuestion): Promise<boolean> {
  const context = contextOf(
    question,
    () =>
      new TcupError(
        'USAGE',
        `there is no terminal to ask: ${question.message}`,
        'run tcup in a terminal, or give the answer as an option (see --help)',
      ),
  );
  return ask(() => confirm({ message: question.message, default: question.default }, context));
}

/**
 * Reads a secret from a stream (--password-stdin): all of it, less exactly one trailing "\n" or "\r\n".
 * Nothing else is trimmed: a password may begin or end with spaces.
 */
export async function readSecretFromStream(stream: NodeJS.ReadableStream, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const secret = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (secret === '') {
    throw new TcupError(
      'CREDENTIALS',
      `${what} read from standard input is empty`,
      `pipe the ${what} in, for example: printf '%s' "$SECRET" | tcup … --password-stdin`,
    );
  }
  return secret;
}

interface InquirerContext {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** The refusal without a terminal: which secret is missing, and what supplies it instead. */
function noTerminalForPassword(question: Pick<PasswordQuestion, 'message' | 'unasked'>): TcupError {
  const { unasked } = question;
  return unasked
    ? new TcupError(
        'CREDENTIALS',
        `${unasked.missing} and there is no terminal to ask for it`,
        unasked.supply,
      )
    : new TcupError(
        'CREDENTIALS',
        `there is no terminal to ask for the ${question.message}`,
        'run tcup in a terminal to be asked',
      );
}

/** The inquirer context; throws refusal() unless the input is a terminal (inquirer would read a pipe). */
function contextOf(streams: PromptStreams, refusal: () => TcupError): InquirerContext {
  const input = streams.input ?? process.stdin;
  if (input.isTTY !== true) throw refusal();
  return {
    input,
    output: streams.output ?? process.stderr,
    ...(streams.signal ? { signal: streams.signal } : {}),
  };
}

async function ask<T>(prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new TcupError('PROMPT_ABORTED', 'the question was cancelled', undefined, { cause: error });
    }
    throw error;
  }
}
