/** What a results folder records of its uploads, and the `tcup upload` line a hint repeats. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readUploadRecord, recordUpload, type UploadRecord } from '../../src/results/folder.js';
import { uploadCommandLine } from '../../src/pipeline/steps/upload.js';
import type { UploadChoice } from '../../src/pipeline/options.js';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'tcup-record-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rec = (id: string): UploadRecord => ({
  test_id: id,
  url: `https://r.example/#/results/${id}`,
  signed: true,
});

describe('upload.json', () => {
  it('is absent until an upload is recorded; each new one goes on top, the earlier ones are kept', async () => {
    expect(readUploadRecord(dir)).toBeUndefined();
    await recordUpload(dir, rec('one'));
    expect(readUploadRecord(dir)).toEqual(rec('one'));
    await recordUpload(dir, rec('two'));
    await recordUpload(dir, rec('three'));
    const file = JSON.parse(readFileSync(path.join(dir, 'upload.json'), 'utf8')) as unknown;
    expect(file).toEqual({ ...rec('three'), earlier: [rec('one'), rec('two')] });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['null', 'null'],
  ])('a file that is %s still counts as a recorded upload', (_label, text) => {
    writeFileSync(path.join(dir, 'upload.json'), text);
    expect(readUploadRecord(dir)).toEqual({ test_id: '', url: '', signed: false });
  });
});

describe('uploadCommandLine', () => {
  const choice = (patch: Partial<UploadChoice>): UploadChoice => ({
    url: 'https://refstack.openstack.org/api',
    askEarly: false,
    yes: false,
    anonymous: false,
    dryRun: false,
    ...patch,
  });
  it.each<[string, string, Partial<UploadChoice>, string]>([
    ['signed, default server', '/w/res', { sign: 'k.pem' }, 'tcup upload res --sign k.pem'],
    [
      'passphrase variable',
      '/w/res',
      { sign: '~/.ssh/refstack', passphraseEnv: 'KP' },
      'tcup upload res --sign ~/.ssh/refstack --key-passphrase-env KP',
    ],
    ['anonymous', '/w', { anonymous: true }, 'tcup upload . --anonymous'],
    [
      'another server, credentials left out',
      '/elsewhere/r',
      { anonymous: true, url: 'https://u:pw@rs.example/api' },
      'tcup upload /elsewhere/r --anonymous --refstack-url https://rs.example/api',
    ],
    [
      "a folder with a space and a '",
      "/w/my 'run'",
      { anonymous: true },
      `tcup upload 'my '\\''run'\\''' --anonymous`,
    ],
  ])('%s', (_label, folder, patch, expected) => {
    expect(uploadCommandLine({ cwd: '/w' }, folder, choice(patch))).toBe(expected);
  });
});
