/** Requests and events both sides of the container protocol must judge alike (valid, or the same message). */
import { encodeRequest, PROTOCOL_VERSION, type RequestFields } from '../../src/protocol/container.js';

export const PW = `p"a's\\s$%&<> \u00a0✓`;
export const REQUEST: RequestFields = {
  mode: 'run',
  cloud: { auth_url: 'http://127.0.0.1:5000/v3', auth_type: 'password', username: 'demo', password: PW },
  accounts: [
    { username: 'demo', password: PW, project_name: 'demo', roles: ['member'] },
    {
      username: 'alt',
      password: PW,
      project_name: 'alt',
      types: ['operator'],
      resources: { network: 'private' },
    },
  ],
  tempestconf: [['auth.tempest_roles', 'member']],
  tests: ['tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token[id-x]'],
  concurrency: 1,
  proxy: { HTTPS_PROXY: 'http://u:pw@proxy:3128' },
};
const request = (change: (r: Record<string, unknown>) => void = () => undefined) => {
  const r = JSON.parse(encodeRequest(REQUEST)) as Record<string, unknown>;
  change(r);
  return JSON.stringify(r);
};
const account = (r: Record<string, unknown>) => (r.accounts as Record<string, unknown>[])[1]!;

export interface Vector {
  name: string;
  kind: 'request' | 'event';
  text: string;
  /** undefined: valid; otherwise the exact message both sides give. */
  error?: string;
}

export const PROTOCOL_VECTORS: Vector[] = [
  { name: 'a full request', kind: 'request', text: request() },
  { name: 'without the optional proxy', kind: 'request', text: request((r) => delete r.proxy) },
  {
    name: 'a debug request without tests',
    kind: 'request',
    text: request((r) => Object.assign(r, { mode: 'debug', tests: [] })),
  },
  {
    name: 'another version',
    kind: 'request',
    text: request((r) => (r.version = 99)),
    error: `the request speaks protocol 99, this side ${PROTOCOL_VERSION}`,
  },
  {
    name: 'no version',
    kind: 'request',
    text: request((r) => delete r.version),
    error: 'the request is not valid: version: missing',
  },
  { name: 'not JSON', kind: 'request', text: '{"mode": "run"', error: 'the request is not valid JSON' },
  {
    name: 'a list',
    kind: 'request',
    text: '[]',
    error: 'the request is not valid: value: expected a mapping',
  },
  {
    name: 'an unknown field',
    kind: 'request',
    text: request((r) => (r.gpu = true)),
    error: 'the request is not valid: gpu: unknown field',
  },
  {
    name: 'a password that is a number (the value is never named)',
    kind: 'request',
    text: request((r) => (account(r).password = 12345)),
    error: 'the request is not valid: accounts[1].password: expected a string',
  },
  {
    name: 'an unknown account type',
    kind: 'request',
    text: request((r) => (account(r).types = ['admin'])),
    error: 'the request is not valid: accounts[1].types[0]: expected one of operator, reseller_admin',
  },
  {
    name: 'a resource Tempest does not read',
    kind: 'request',
    text: request((r) => (account(r).resources = { router: 'r1' })),
    error: 'the request is not valid: accounts[1].resources.router: unknown field',
  },
  {
    name: 'a tempestconf entry that is not a pair',
    kind: 'request',
    text: request((r) => (r.tempestconf = [['a.b']])),
    error: 'the request is not valid: tempestconf[0]: expected a pair',
  },
  {
    name: 'a fractional concurrency',
    kind: 'request',
    text: request((r) => (r.concurrency = 1.5)),
    error: 'the request is not valid: concurrency: expected an integer',
  },
  {
    name: 'insecure as a string',
    kind: 'request',
    text: request((r) => ((r.cloud as Record<string, unknown>).insecure = 'yes')),
    error: 'the request is not valid: cloud.insecure: expected true or false',
  },
  {
    name: 'a proxy value that is not a string',
    kind: 'request',
    text: request((r) => (r.proxy = { HTTP_PROXY: null })),
    error: 'the request is not valid: proxy.HTTP_PROXY: expected a string',
  },
  { name: 'configured', kind: 'event', text: '{"event": "configured", "ms": 1200}' },
  { name: 'start', kind: 'event', text: '{"event": "start", "total": 0}' },
  {
    name: 'a test',
    kind: 'event',
    text: '{"event": "test", "id": "t.a[id-1]", "status": "xfail", "ms": 3, "reason": null}',
  },
  {
    name: 'a test without a duration',
    kind: 'event',
    text: '{"event": "test", "id": "t.a", "status": "skip", "ms": null, "reason": "no"}',
  },
  {
    name: 'finished',
    kind: 'event',
    text: '{"event": "finished", "rc": 1, "stream": "partial", "tail": ["Traceback", "Boom"]}',
  },
  { name: 'error', kind: 'event', text: '{"event": "error", "message": "x"}' },
  { name: 'done', kind: 'event', text: '{"event": "done", "code": 3}' },
  { name: 'ready', kind: 'event', text: '{"event": "ready", "code": 0}' },
  {
    name: 'a cut-off line',
    kind: 'event',
    text: '{"event": "test", "id": ',
    error: 'an event is not valid JSON',
  },
  { name: 'a string', kind: 'event', text: '"done"', error: 'an event is not a JSON object' },
  { name: 'no kind', kind: 'event', text: '{"code": 0}', error: 'unknown event kind (none)' },
  {
    name: 'an unknown kind',
    kind: 'event',
    text: '{"event": "exploded"}',
    error: 'unknown event kind "exploded"',
  },
  {
    name: 'an unknown status',
    kind: 'event',
    text: '{"event": "test", "id": "t", "status": "unknown", "ms": null, "reason": null}',
    error: 'event "test": status: expected one of success, fail, skip, xfail, uxsuccess',
  },
  {
    name: 'a missing field',
    kind: 'event',
    text: '{"event": "test", "id": "t", "status": "fail", "ms": 1}',
    error: 'event "test": reason: missing',
  },
  {
    name: 'an extra field',
    kind: 'event',
    text: '{"event": "done", "code": 0, "extra": 1}',
    error: 'event "done": extra: unknown field',
  },
  {
    name: 'a boolean for a number',
    kind: 'event',
    text: '{"event": "finished", "rc": true, "stream": "none", "tail": []}',
    error: 'event "finished": rc: expected an integer',
  },
  {
    name: 'a tail that is not a list of strings',
    kind: 'event',
    text: '{"event": "finished", "rc": 1, "stream": "none", "tail": [1]}',
    error: 'event "finished": tail[0]: expected a string',
  },
];
