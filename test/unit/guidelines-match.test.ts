import { describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import { loadBundledGuideline } from '../../src/guidelines/load.js';
import { matchTests } from '../../src/guidelines/match.js';
import { selectTests } from '../../src/guidelines/select.js';
import { parseTestList } from '../../src/guidelines/test-list.js';

const U1 = '6c0a0990-43b6-4529-9b61-5fd8daf7c55c';
const U2 = 'a8333aa2-205c-449f-a828-d38c2489bf25';
const U3 = 'e36c0eaa-dff5-4082-ad1f-3f9a80aa3f59';

describe('matchTests', () => {
  it('matches by exact name, then alias, then idempotent id, and reports the rest as missing', () => {
    const requested = [
      { name: 'a.B.test_same', uuid: U1, aliases: [] },
      { name: 'a.B.test_new_name', uuid: U2, aliases: ['a.Old.test_old_name'] },
      { name: 'a.B.test_renamed', uuid: U3.toUpperCase(), aliases: [] },
      { name: 'a.B.test_gone', uuid: '00000000-0000-4000-8000-000000000000', aliases: ['a.B.test_gone_too'] },
      { name: 'a.B.test_plain', aliases: [] },
    ];
    const installed = [
      `a.B.test_same[id-${U1},smoke]`,
      `a.Old.test_old_name[id-${U2}]`,
      `  a.C.test_now_called_this[id-${U3}]  `,
      'a.B.test_unrelated',
      '',
    ];
    const { matched, missing } = matchTests(requested, installed);
    expect(matched.map((m) => [m.requested.name, m.installedId, m.by])).toEqual([
      ['a.B.test_same', `a.B.test_same[id-${U1},smoke]`, 'name'],
      ['a.B.test_new_name', `a.Old.test_old_name[id-${U2}]`, 'alias'],
      ['a.B.test_renamed', `a.C.test_now_called_this[id-${U3}]`, 'uuid'],
    ]);
    expect(missing.map((t) => t.name)).toEqual(['a.B.test_gone', 'a.B.test_plain']);
  });

  it('prefers the exact name over a different test carrying the same id', () => {
    const { matched } = matchTests(
      [{ name: 'a.B.test_x', uuid: U1, aliases: [] }],
      [`a.Z.test_copy[id-${U1}]`, `a.B.test_x[id-${U1}]`],
    );
    expect(matched[0]).toMatchObject({ installedId: `a.B.test_x[id-${U1}]`, by: 'name' });
  });

  it('matches the whole 2020.06 platform selection against ~3500 installed tests quickly', () => {
    const selection = selectTests(loadBundledGuideline('2020.06'), { includeFlagged: true });
    const installed: string[] = [];
    for (let i = 0; i < 3300; i++)
      installed.push(
        `tempest.api.filler.T${i}.test_${i}[id-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000]`,
      );
    // Everything present except the first test; the second only under a new name with its id.
    const [first, second, ...rest] = selection.tests;
    installed.push(`tempest.api.moved.Elsewhere.test_moved[id-${second!.uuid},smoke]`);
    for (const t of rest) installed.push(`${t.name}[id-${t.uuid}]`);
    const started = performance.now();
    const { matched, missing } = matchTests(selection.tests, installed);
    expect(performance.now() - started).toBeLessThan(500);
    expect(missing).toEqual([first]);
    expect(matched).toHaveLength(selection.tests.length - 1);
    expect(matched.find((m) => m.requested === second)?.by).toBe('uuid');
  });

  it('works on a parsed RefStack test list', () => {
    const list = parseTestList(`a.B.test_x[id-${U1}]\na.B.test_y\n`, 'list.txt');
    const { matched, missing } = matchTests(list, [`a.Renamed.test_x[id-${U1}]`]);
    expect(matched.map((m) => m.by)).toEqual(['uuid']);
    expect(missing.map((t) => t.name)).toEqual(['a.B.test_y']);
  });
});

describe('parseTestList', () => {
  it('reads plain names and RefStack lines, skipping blanks and comments, each name once', () => {
    const text = [
      '# tcup list',
      'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token[id-6F8E4436-FC96-4282-8122-E41DF57197A9,smoke]',
      '',
      '   tempest.api.compute.test_versions.TestVersions.test_list_api_versions  ',
      'tempest.api.compute.test_versions.TestVersions.test_list_api_versions[id-6c0a0990-43b6-4529-9b61-5fd8daf7c55c]',
      'designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_create_zone[d4ce813e-64a5-4c9d-9f2b-2d3f4b5a6c7d]\r',
    ].join('\n');
    expect(parseTestList(text, 'list.txt')).toEqual([
      {
        name: 'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token',
        uuid: '6f8e4436-fc96-4282-8122-e41df57197a9',
        aliases: [],
      },
      {
        name: 'tempest.api.compute.test_versions.TestVersions.test_list_api_versions',
        uuid: '6c0a0990-43b6-4529-9b61-5fd8daf7c55c',
        aliases: [],
      },
      {
        name: 'designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_create_zone',
        uuid: 'd4ce813e-64a5-4c9d-9f2b-2d3f4b5a6c7d',
        aliases: [],
      },
    ]);
  });

  it.each([
    ['Error getting JSON content for version: 2020.06\n', /could not fetch guideline "2020.06"/],
    ['Invalid target: planet', /does not know target "planet"/],
    ['<!DOCTYPE html>\n<html><body>Not found</body></html>', /HTML page/],
    ['  \n# only a comment\n', /holds no test names/],
    ['tempest.api.a.B.test_x\n{"title": "Not Found"}\n', /line 2 is not a test id/],
    ['tempest.api.a.B.test_x extra words', /line 1 is not a test id/],
  ])('rejects %j', (text, message) => {
    let caught: unknown;
    try {
      parseTestList(text, 'https://refstack.example/v1/guidelines/2020.06/tests');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TcupError);
    expect((caught as TcupError).code).toBe('USAGE');
    expect((caught as TcupError).message).toMatch(message);
    expect((caught as TcupError).message).toContain('https://refstack.example/v1/guidelines/2020.06/tests');
  });
});
