/**
 * Throughput of Redactor.createRedactingStream on a Tempest-like log generated in memory, fed in 64 KiB
 * chunks (split anywhere: mid-line, mid-secret, mid-character), with a handful of secrets sprinkled in.
 */
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRedactor, formsOf, REDACTED } from '../src/redaction/redactor.js';

export const CHUNK_BYTES = 64 * 1024;

export interface ThroughputResult {
  inputBytes: number;
  outputBytes: number;
  secretsPlanted: number;
  redactions: number;
  /** Secret forms found in the output (must be 0). */
  leaks: number;
  passes: number[];
  /** Median over the passes, in MB/s (10^6 bytes). */
  mbPerSecond: number;
}

/** Five secrets a run holds: two passwords, an application credential secret, a token, a key passphrase. */
export const SECRETS = [
  'Pä$$ "w0rd" bench ✓',
  'admin-7d1f9c2b5e',
  'Xq3vN8rT2mK9pL4wZ7yB1cD6fH0jG5sA-appcred-secret-0123456789abcdef',
  'gAAAAABmZ' +
    'Q'.repeat(8) +
    'k3JtV9x2bW7nL0pR4sT8uY1cE5gI6hM3oA-_zF2dK9qN7vB0wX4yJ8lU1rS5tG3eH6iO2aC9mP7fD4sK0nQ',
  'signing key passphrase 2f8e',
];

/** A small deterministic PRNG (mulberry32): the same log every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

const TESTS = [
  'TokensV3Test:test_create_token',
  'TokensV3Test:test_validate_token',
  'ApplicationCredentialsV3Test:test_create_application_credential',
  'CredentialsTestJSON:test_credentials_create_get_update_delete',
  'ServersTestJSON:test_list_servers',
  'ContainerTest:test_create_container',
];

/**
 * About `bytes` of log text; returns it with the number of secret occurrences planted. Tempest logs are
 * mostly ASCII: one line in `unicodeEvery` carries non-ASCII text (besides the secret with `ä` and `✓`).
 */
export function generateLog(bytes: number, unicodeEvery = 200): { log: Buffer; planted: number } {
  const rand = prng(42);
  const lines: string[] = [];
  let size = 0;
  let planted = 0;
  let n = 0;
  while (size < bytes) {
    n++;
    const ts = `2024-05-01 12:${String(Math.floor(n / 6000) % 60).padStart(2, '0')}:${String(Math.floor(n / 100) % 60).padStart(2, '0')}.${String(n % 1000).padStart(3, '0')}`;
    const req = `req-${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`;
    const test = TESTS[Math.floor(rand() * TESTS.length)]!;
    const head = `${ts} 1287 DEBUG tempest.lib.common.rest_client [${req} ]`;
    let line: string;
    if (n % 97 === 0) {
      const secret = SECRETS[planted % SECRETS.length]!;
      const forms = [...formsOf(secret)];
      const form = forms[Math.floor(rand() * forms.length)]!;
      planted++;
      line =
        rand() < 0.5
          ? `${head} Request - Headers: {'Content-Type': 'application/json', 'X-Auth-Token': '${form}'}`
          : `${head} Body: {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "password": "${form}"}}}}}`;
    } else if (n % 3 === 0) {
      line = `${head} Request (${test}): 200 GET http://127.0.0.1:35357/v3/projects/${hex(rand, 32)} ${(rand() * 0.5).toFixed(3)}s`;
    } else if (n % 3 === 1) {
      line = `${head} Response - Headers: {'date': 'Wed, 01 May 2024 12:00:00 GMT', 'content-type': 'application/json', 'content-length': '${Math.floor(rand() * 4000)}', 'x-openstack-request-id': '${req}', 'status': '200'}`;
    } else {
      line = `${head} Body: {"project": {"id": "${hex(rand, 32)}", "name": "tempest-${test.split(':')[0]}-${Math.floor(rand() * 1e9)}", "domain_id": "default", "enabled": true, "description": "${n % unicodeEvery === 2 ? 'élan ✓' : 'bench'}"}}`;
    }
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return { log: Buffer.from(lines.join('\n') + '\n', 'utf8'), planted };
}

async function onePass(log: Buffer): Promise<{ ms: number; output: Buffer }> {
  const redactor = createRedactor(SECRETS);
  const chunks: Buffer[] = [];
  for (let at = 0; at < log.length; at += CHUNK_BYTES) chunks.push(log.subarray(at, at + CHUNK_BYTES));
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  const started = performance.now();
  await pipeline(Readable.from(chunks), redactor.createRedactingStream(), sink);
  return { ms: performance.now() - started, output: Buffer.concat(out) };
}

function countOf(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

export async function measureRedactor(
  bytes = 100_000_000,
  passes = 3,
  unicodeEvery = 200,
): Promise<ThroughputResult> {
  const { log, planted } = generateLog(bytes, unicodeEvery);
  const times: number[] = [];
  let output: Buffer = Buffer.alloc(0);
  for (let i = 0; i < passes; i++) {
    const pass = await onePass(log);
    times.push(pass.ms);
    output = pass.output;
  }
  const text = output.toString('utf8');
  const leaks = SECRETS.flatMap((s) => [...formsOf(s)]).reduce((sum, form) => sum + countOf(text, form), 0);
  const rates = times.map((ms) => log.length / 1e6 / (ms / 1000)).sort((a, b) => a - b);
  return {
    inputBytes: log.length,
    outputBytes: output.length,
    secretsPlanted: planted,
    redactions: countOf(text, REDACTED),
    leaks,
    passes: times,
    mbPerSecond: rates[Math.floor(rates.length / 2)]!,
  };
}
