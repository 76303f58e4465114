import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/redaction/redactor.js';
import { defaultResultsDir, maskBinary, writeResultsFolder } from '../../src/results/folder.js';

describe('results folder', () => {
  it.each([
    [new Date(2026, 10, 23, 19, 47, 5), '/w/tcup-results/2026-11-23_194705'],
    [new Date(2027, 0, 2, 3, 4, 5), '/w/tcup-results/2027-01-02_030405'],
  ])('names the folder by local time: %s', (date, expected) =>
    expect(defaultResultsDir('/w', date)).toBe(expected),
  );

  it.each([
    ['abcSECRETdef', ['SECRET'], 'abc******def'],
    ['SECRETSECRET', ['SECRET'], '************'],
    ['no secret here', ['SECRET'], 'no secret here'],
    ['päss in utf8', ['päss'], '***** in utf8'],
  ])('masks secrets in binary data keeping its length: %s', (input, secrets, expected) => {
    const out = maskBinary(Buffer.from(input), secrets);
    expect(out.toString('latin1')).toBe(expected);
    expect(out.length).toBe(Buffer.from(input).length);
  });

  it('writes every file redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcup-unit-'));
    const redactor = createRedactor(['hunter2!']);
    await writeResultsFolder(
      dir,
      {
        files: new Map([
          ['tempest.log', Buffer.from('password=hunter2! ok\n')],
          ['results.subunit', Buffer.from([0xb3, ...Buffer.from('xhunter2!x')])],
        ]),
        tests: [{ id: 'a.b', name: 'a.b', status: 'fail', reason: 'auth hunter2! failed' }],
        refstack: { cpid: 'c', duration_seconds: 1, results: [] },
        summary: { note: 'hunter2!' },
        missing: ['x.y'],
        log: 'log hunter2!\n',
      },
      redactor,
      redactor.secrets(),
    );
    const files = readdirSync(dir).sort();
    expect(files).toEqual(
      [
        'missing.txt',
        'refstack.json',
        'results.subunit',
        'summary.json',
        'tcup.log',
        'tempest.log',
        'tests.json',
      ].sort(),
    );
    for (const f of files) expect(readFileSync(join(dir, f), 'latin1'), f).not.toContain('hunter2!');
    expect(readFileSync(join(dir, 'tempest.log'), 'utf8')).toBe('password=[REDACTED] ok\n');
  });
});
