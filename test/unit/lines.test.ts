/** The one line splitter (src/core/lines.ts): the container's stdout and its log go through it. */
import { describe, expect, it } from 'vitest';
import { lineWriter } from '../../src/core/lines.js';

const e = Buffer.from('é\n');

describe('lineWriter', () => {
  it.each<[string, (string | Buffer)[], string[]]>([
    ['lines ending in a newline', ['a\nb\n'], ['a', 'b']],
    ['a last line without a newline', ['a\nb'], ['a', 'b']],
    ['only a line without a newline', ['last words'], ['last words']],
    ['lines cut across chunks', ['a', 'b\nc', '\n'], ['ab', 'c']],
    ['empty lines', ['\n\n'], ['', '']],
    ['a character cut across byte chunks', [e.subarray(0, 1), e.subarray(1)], ['é']],
    ['a last character cut, never completed', [Buffer.from('x\n'), e.subarray(0, 1)], ['x', '\ufffd']],
    ['nothing', [], []],
  ])('%s', async (_, chunks, expected) => {
    const lines: string[] = [];
    const writer = lineWriter((line) => lines.push(line));
    for (const chunk of chunks) writer.write(chunk);
    await new Promise((resolve) => writer.end(resolve));
    expect(lines).toEqual(expected);
  });
});
