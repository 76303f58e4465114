import { describe, expect, it } from 'vitest';
import { describeUpload, resultsEndpoint, validateDocument } from '../../src/refstack/upload.js';

const t = (name: string, uuid?: string) => (uuid ? { name, uuid } : { name });
const ok = {
  cpid: 'a'.repeat(32),
  duration_seconds: 61,
  results: [t('tempest.api.a.A.test_x', '6f8e4436-fc96-4282-8122-e41df57197a9'), t('tempest.api.a.A.test_y')],
};
const doc = (patch: Record<string, unknown>) => ({ ...ok, ...patch });

describe('validateDocument', () => {
  it('accepts a valid document (uuid optional, 128-char cpid, 512-char latin-1 names)', () => {
    expect(validateDocument(ok)).toEqual([]);
    expect(validateDocument(doc({ cpid: 'c'.repeat(128), results: [t('é'.repeat(512))] }))).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', [], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['missing cpid', { duration_seconds: 1, results: [t('a')] }, /has no "cpid"/],
    ['missing duration', { cpid: 'x', results: [t('a')] }, /has no "duration_seconds"/],
    ['missing results', { cpid: 'x', duration_seconds: 1 }, /has no "results"/],
    ['extra key', doc({ meta: {} }), /may only have cpid, duration_seconds and results; it also has "meta"/],
    ['cpid not a string', doc({ cpid: 12 }), /"cpid" must be a string/],
    ['cpid too long', doc({ cpid: 'c'.repeat(129) }), /"cpid" may be at most 128 characters/],
    ['cpid not latin-1', doc({ cpid: 'cloud☁' }), /"cpid" may only use latin-1/],
    ['duration not integer', doc({ duration_seconds: 1.5 }), /"duration_seconds" must be a whole/],
    ['duration a string', doc({ duration_seconds: '60' }), /"duration_seconds" must be a whole/],
    ['duration negative', doc({ duration_seconds: -1 }), /non-negative/],
    ['results not a list', doc({ results: {} }), /"results" must be a list/],
    ['no passing test', doc({ results: [] }), /at least one passed test/],
    [
      'result without name',
      doc({ results: [{ uuid: ok.results[0]?.uuid }] }),
      /non-empty string "name" \(results\[0\]\)/,
    ],
    ['result with empty name', doc({ results: [t('')] }), /non-empty string "name"/],
    [
      'result with extra key',
      doc({ results: [{ name: 'a', status: 'success' }] }),
      /only have "name" and "uuid"/,
    ],
    [
      'bad uuid',
      doc({ results: [t('a', 'id-6f8e4436-fc96-4282-8122-e41df57197a9')] }),
      /"uuid" must be a UUID/,
    ],
    [
      'duplicate names',
      doc({ results: [t('a.b'), t('a.b')] }),
      /unique, also ignoring case, accents \(é = e, ü = y\) and trailing spaces; repeated: a\.b$/,
    ],
    ['names differing in case', doc({ results: [t('a.B'), t('a.b')] }), /repeated: a\.B \/ a\.b$/],
    [
      'name too long',
      doc({ results: [t('a'), t('n'.repeat(513))] }),
      /at most 512 characters \(results\[1\]\)/,
    ],
    [
      'name not latin-1',
      doc({ results: [t('test_ünïcode_ok'), t('test_日本')] }),
      /latin-1 \(Windows-1252\) characters \(results\[1\]\)/,
    ],
  ])('%s', (_label, input, message) => {
    const problems = validateDocument(input);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  // RefStack's names are a unique key under MySQL's latin1_swedish_ci: these are one name there.
  it.each<[string, string, string]>([
    ['e / é', 'test_cafe', 'test_café'],
    ['E / é', 'test_CAFE', 'test_café'],
    ['y / ü', 'test_y', 'test_ü'],
    ['u / ú', 'test_u', 'test_Ú'],
    ['n / ñ', 'test_n', 'test_ñ'],
    ['trailing space', 'test_a', 'test_a  '],
    ['ä / æ', 'test_ä', 'test_Æ'],
    ['å / Å', 'test_å', 'test_Å'],
    ['[ / å (Swedish 7-bit)', 'test_[', 'test_å'],
  ])('duplicates under latin1_swedish_ci: %s', (_label, a, b) => {
    const problems = validateDocument(doc({ results: [t(a), t(b)] }));
    expect(problems).toEqual([expect.stringContaining(`repeated: ${a} / ${b}`)]);
  });

  it.each<[string, string, string]>([
    ['a / å (a letter of its own in Swedish)', 'test_a', 'test_å'],
    ['a / ä', 'test_a', 'test_ä'],
    ['o / ö', 'test_o', 'test_ö'],
    ['ö / ø', 'test_ö', 'test_ø'],
    ['ss / ß', 'test_ss', 'test_ß'],
    ['y / ÿ', 'test_y', 'test_ÿ'],
    ['leading space', 'test_a', ' test_a'],
    ['trailing tab', 'test_a', 'test_a\t'],
    ['Š / š (cp1252)', 'test_Š', 'test_š'],
  ])('distinct under latin1_swedish_ci: %s', (_label, a, b) => {
    expect(validateDocument(doc({ results: [t(a), t(b)] }))).toEqual([]);
  });

  it('takes latin1 as MySQL does: Windows-1252 (€ is storable, U+0080 is not)', () => {
    expect(validateDocument(doc({ results: [t('test_€'), t('test_Œ')] }))).toEqual([]);
    expect(validateDocument(doc({ results: [t('test_\u0080')] }))[0]).toMatch(/latin-1/);
    expect(validateDocument(doc({ cpid: 'cloud€' }))).toEqual([]);
  });

  it('lists every broken rule, one sentence each, without echoing long names', () => {
    const long = 'x'.repeat(600);
    const problems = validateDocument({
      cpid: 'c'.repeat(200),
      duration_seconds: 0.5,
      results: [t(long), t(long)],
      x: 1,
    });
    expect(problems).toHaveLength(5);
    for (const p of problems) expect(p.length).toBeLessThan(200);
  });

  it('counts duplicates and too-long names without flooding', () => {
    const many = Array.from({ length: 10 }, () => t('same'));
    expect(validateDocument(doc({ results: many }))[0]).toMatch(/and 6 more$/);
    const longs = Array.from({ length: 3 }, (_, i) => t(`${i}${'n'.repeat(600)}`));
    expect(validateDocument(doc({ results: longs }))[0]).toMatch(/\(3 results, first results\[0\]\)/);
  });
});

describe('resultsEndpoint', () => {
  it.each([
    ['https://refstack.openstack.org/api', 'https://refstack.openstack.org/api/v1/results/'],
    ['https://refstack.openstack.org/api/', 'https://refstack.openstack.org/api/v1/results/'],
    ['http://127.0.0.1:8000//', 'http://127.0.0.1:8000/v1/results/'],
  ])('%s', (base, expected) => expect(resultsEndpoint(base)).toBe(expected));

  it.each([
    'refstack.example',
    'ftp://refstack.example/api',
    'https://refstack.example/api?x=1',
    'https://refstack.example/api#results',
    'https://refstack.example/api?',
  ])('refuses %s', (base) =>
    expect(() => resultsEndpoint(base)).toThrow(expect.objectContaining({ code: 'USAGE' })),
  );
});

describe('describeUpload', () => {
  it('says where, how many, the cpid, and warns for anonymous uploads', () => {
    const text = describeUpload(ok, { url: 'https://user:pw@refstack.example/api/', signed: false });
    expect(text).toContain('Upload to https://refstack.example/api/v1/results/');
    expect(text).not.toContain('pw');
    expect(text).toContain(`2 passed tests, cpid ${ok.cpid}`);
    expect(text).toMatch(/anonymous.*anyone who has the result id/i);
  });

  it('says a signed upload stays private', () => {
    const text = describeUpload(doc({ results: [t('a')] }), {
      url: 'https://r.example/api',
      signed: true,
    });
    expect(text).toContain('1 passed test,');
    expect(text).toMatch(/private/);
    expect(text).not.toMatch(/anyone/);
  });
});
