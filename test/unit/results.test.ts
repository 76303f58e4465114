import { describe, expect, it } from 'vitest';
import { buildRefstackDocument, splitTestId, type TestResult } from '../../src/results/tests.js';

describe('splitTestId', () => {
  it.each([
    [
      'a.B.test_x[id-6F8E4436-fc96-4282-8122-e41df57197a9,smoke]',
      'a.B.test_x',
      '6f8e4436-fc96-4282-8122-e41df57197a9',
    ],
    [
      'a.B.test_x[smoke,id-6f8e4436-fc96-4282-8122-e41df57197a9]',
      'a.B.test_x',
      '6f8e4436-fc96-4282-8122-e41df57197a9',
    ],
    [
      'a.B.test_x[6f8e4436-fc96-4282-8122-e41df57197a9]',
      'a.B.test_x',
      '6f8e4436-fc96-4282-8122-e41df57197a9',
    ],
    ['a.B.test_x[smoke]', 'a.B.test_x', undefined],
    ['a.B.test_x', 'a.B.test_x', undefined],
  ])('%s', (id, name, uuid) => expect(splitTestId(id)).toEqual(uuid ? { name, uuid } : { name }));
});

describe('buildRefstackDocument', () => {
  const t = (name: string, status: TestResult['status'], uuid?: string): TestResult => ({
    id: name,
    name,
    status,
    ...(uuid ? { uuid } : {}),
  });
  it('keeps passed tests only, each name once ignoring case, and rounds the duration', () => {
    const doc = buildRefstackDocument(
      [
        t('a.x', 'success', 'u1'),
        t('a.y', 'fail'),
        t('a.z', 'skip'),
        t('A.X', 'success'),
        t('a.w', 'success'),
      ],
      'cpid-1',
      12.6,
    );
    expect(doc).toEqual({
      cpid: 'cpid-1',
      duration_seconds: 13,
      results: [{ name: 'a.x', uuid: 'u1' }, { name: 'a.w' }],
    });
    expect(Object.keys(doc)).toEqual(['cpid', 'duration_seconds', 'results']);
  });
});
