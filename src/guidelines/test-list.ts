/** Test lists: plain names or `name[id-…,…]` lines, as a RefStack server's /v1/guidelines/<v>/tests serves. */
import { TcupError } from '../core/errors.js';
import { splitTestId } from '../results/tests.js';

export interface ListedTest {
  name: string;
  uuid?: string;
  aliases: string[];
}

const TEST_LINE = /^[A-Za-z_][\w.:-]*(\[[^\]\s]*\])?$/;

/**
 * Parses a test list. Blank lines and `#` comments are skipped, each name is kept once. Rejects the bodies
 * a RefStack server answers with status 200 when it has no list (`Error getting JSON content for version: X`,
 * `Invalid target: X`), HTML, and any line that is not a test id.
 */
export function parseTestList(text: string, source: string): ListedTest[] {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart();
  const refuse = (problem: string, hint?: string) =>
    new TcupError('USAGE', `${source} is not a test list: ${problem}`, hint);
  if (first.startsWith('<'))
    throw refuse(
      'it is an HTML page',
      'give the URL of the plain-text list (…/v1/guidelines/<version>/tests)',
    );
  const version = /^Error getting JSON content for version: *(.*)/.exec(first);
  if (version)
    throw refuse(
      `the RefStack server could not fetch guideline ${JSON.stringify(version[1]?.split('\n')[0]?.trim())}`,
      'the server fetches guidelines from GitHub; use a bundled guideline (--guideline VERSION) instead',
    );
  const target = /^Invalid target: *(.*)/.exec(first);
  if (target)
    throw refuse(
      `the RefStack server does not know target ${JSON.stringify(target[1]?.split('\n')[0]?.trim())}`,
      'targets are platform, compute, object, dns, orchestration',
    );

  const tests = new Map<string, ListedTest>();
  const lines = body.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!TEST_LINE.test(line)) {
      const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
      throw refuse(`line ${index + 1} is not a test id: ${JSON.stringify(shown)}`);
    }
    const { name, uuid } = splitTestId(line);
    const seen = tests.get(name);
    if (!seen) tests.set(name, { name, ...(uuid ? { uuid } : {}), aliases: [] });
    else if (!seen.uuid && uuid) seen.uuid = uuid;
  });
  if (tests.size === 0) throw refuse('it holds no test names');
  return [...tests.values()];
}
