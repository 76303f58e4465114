/**
 * The container protocol from both sides: src/protocol/container.ts and its mirror container/protocol.py
 * describe the same fields, and judge the same requests and events alike, with the same message.
 */
import { describe, expect, it } from 'vitest';
import {
  describeProtocol,
  encodeRequest,
  EVENT_PREFIX,
  parseEvent,
  parseLine,
  parseRequest,
  PROTOCOL_VERSION,
  ProtocolError,
} from '../../src/protocol/container.js';
import { tempestCrashed } from '../../src/tempest/test-run.js';
import { PROTOCOL_VECTORS as VECTORS, PW, REQUEST, type Vector } from '../support/protocol-vectors.js';
import { HOST_PYTHON, runContainerPython } from '../support/python.js';

const tsVerdict = (v: Vector) => {
  try {
    (v.kind === 'request' ? parseRequest : parseEvent)(v.text);
    return { ok: true };
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return { ok: false, error: (error as Error).message };
  }
};
const expected = (v: Vector) => (v.error === undefined ? { ok: true } : { ok: false, error: v.error });

describe('container protocol (TypeScript side)', () => {
  it.each(VECTORS)('$kind: $name', (v) => {
    expect(tsVerdict(v)).toEqual(expected(v));
  });

  it('stamps the version on the request and refuses to send one that does not fit', () => {
    expect(JSON.parse(encodeRequest(REQUEST))).toMatchObject({ version: PROTOCOL_VERSION, mode: 'run' });
    expect(encodeRequest(REQUEST).endsWith('}\n')).toBe(true);
    const bad = { ...REQUEST, concurrency: Number.NaN };
    expect(() => encodeRequest(bad)).toThrow(
      'the container request is not valid: concurrency: expected an integer',
    );
  });

  it('leaves out optional fields that are undefined', () => {
    const fields = { ...REQUEST, cloud: { ...REQUEST.cloud, region_name: undefined } };
    expect(JSON.parse(encodeRequest(fields))).not.toHaveProperty('cloud.region_name');
  });

  it('never puts a value into a message', () => {
    const messages = VECTORS.map((v) => tsVerdict(v).error ?? '').join('\n');
    expect(messages).not.toContain('12345');
    expect(messages).not.toContain(PW);
  });

  it.each([
    ['a log line', 'tempest: starting', { log: 'tempest: starting' }],
    ['an event line', `${EVENT_PREFIX}{"event": "done", "code": 0}`, { event: { event: 'done', code: 0 } }],
    [
      'the prefix without its space is log text',
      '::tcup::{"event": "done"}',
      { log: '::tcup::{"event": "done"}' },
    ],
  ])('parseLine: %s', (_name, line, result) => {
    expect(parseLine(line)).toEqual(result);
  });

  it('parseLine: a malformed event line throws a ProtocolError', () => {
    expect(() => parseLine(`${EVENT_PREFIX}{"event": `)).toThrow(ProtocolError);
  });
});

describe.skipIf(!HOST_PYTHON)('container protocol (container/protocol.py, host python3)', () => {
  it('describes the same version, prefix, request fields and event kinds', () => {
    expect(runContainerPython('protocol.py', ['--describe'])).toEqual(describeProtocol());
  });

  it('judges every vector as the TypeScript side does, with the same message', () => {
    const verdicts = runContainerPython(
      'protocol.py',
      ['--check'],
      VECTORS.map((v) => ({ kind: v.kind, text: v.text })),
    ) as unknown[];
    expect(VECTORS.map((v, i) => ({ name: v.name, ...(verdicts[i] as object) }))).toEqual(
      VECTORS.map((v) => ({ name: v.name, ...expected(v) })),
    );
  });
});

if (!HOST_PYTHON)
  console.warn('no python3 >= 3.11 here: container/protocol.py is tested in the image only (e2e)');

describe('tempestCrashed: a crash is "the run failed", failing tests are not', () => {
  const finished = (rc: number, stream: 'complete' | 'partial' | 'none') => ({
    event: 'finished' as const,
    rc,
    stream,
    tail: [],
  });
  it.each([
    ['tests ran, all passed', finished(0, 'complete'), 5, false],
    ['tests ran, some failed (tempest run exits 1)', finished(1, 'complete'), 5, false],
    ['exit 0 with nothing run (an empty list)', finished(0, 'none'), 0, false],
    ['crashed before any test', finished(1, 'none'), 0, true],
    ['crashed with a test left running', finished(1, 'partial'), 3, true],
    [
      'a complete stream, but none of the requested tests in it (the list did not load)',
      finished(2, 'complete'),
      0,
      true,
    ],
  ] as const)('%s', (_name, event, requestedWithResult, crashed) => {
    expect(tempestCrashed(event, requestedWithResult)).toBe(crashed);
  });
});
