import { describe, expect, it } from 'vitest';
import { loadBundledGuideline } from '../../src/guidelines/load.js';
import { selectTests, type Selection } from '../../src/guidelines/select.js';
import { computeVerdict, formatVerdict, summaryJson } from '../../src/guidelines/verdict.js';
import type { TestResult, TestStatus } from '../../src/results/tests.js';

const result = (name: string, status: TestStatus, uuid?: string): TestResult => ({
  id: uuid ? `${name}[id-${uuid}]` : name,
  name,
  status,
  ...(uuid ? { uuid } : {}),
});
const allPassed = (s: Selection) => s.tests.map((t) => result(t.name, 'success', t.uuid));

function tiny(): Selection {
  return {
    version: '2099.01',
    target: 'object',
    product: 'OpenStack Powered Storage',
    types: ['required'],
    includeFlagged: true,
    capabilities: [
      {
        id: 'cap-a',
        status: 'required',
        tests: [
          {
            name: 't.a1',
            uuid: '11111111-1111-4111-8111-111111111111',
            aliases: ['t.a1_old'],
            flagged: false,
          },
          { name: 't.a2', aliases: [], flagged: true },
        ],
      },
      { id: 'cap-b', status: 'required', tests: [{ name: 't.b1', aliases: [], flagged: false }] },
      { id: 'cap-c', status: 'required', tests: [{ name: 't.c1', aliases: [], flagged: false }] },
      { id: 'cap-d', status: 'required', tests: [{ name: 't.d1', aliases: [], flagged: false }] },
    ],
    tests: [],
    undefinedCapabilities: [],
  };
}

describe('computeVerdict', () => {
  it('passes a capability whose only failure is a flagged test', () => {
    const v = computeVerdict(tiny(), [result('t.a1', 'success'), result('t.a2', 'fail')]);
    expect(v.capabilities[0]).toMatchObject({
      id: 'cap-a',
      status: 'pass',
      passed: 1,
      failed: 1,
      flagged: 1,
      total: 2,
    });
  });

  it('counts a test as passed through an alias or its idempotent id (renamed)', () => {
    expect(computeVerdict(tiny(), [result('t.a1_old', 'success')]).capabilities[0]!.status).toBe('pass');
    const renamed = [result('t.renamed', 'success', '11111111-1111-4111-8111-111111111111')];
    expect(computeVerdict(tiny(), renamed).capabilities[0]!.status).toBe('pass');
  });

  it('takes the best result of a test (a rerun that passed wins) and ranks fail > skip > missing', () => {
    const v = computeVerdict(tiny(), [
      result('t.a1', 'fail'),
      result('t.a1', 'success'),
      result('t.b1', 'fail'),
      result('t.b1', 'skip'),
      result('t.c1', 'skip'),
      result('t.d1', 'not-run'),
    ]);
    expect(v.capabilities.map((c) => [c.id, c.status])).toEqual([
      ['cap-a', 'pass'],
      ['cap-b', 'fail'],
      ['cap-c', 'skip'],
      ['cap-d', 'missing'],
    ]);
    expect(v.capabilities[3]).toMatchObject({ passed: 0, failed: 0, skipped: 0, missing: 1 });
    expect(v).toMatchObject({
      compliant: false,
      passedCapabilities: 1,
      totalCapabilities: 4,
      failing: ['cap-b', 'cap-c', 'cap-d'],
    });
  });

  it('passes a capability whose tests are all flagged and left out (compute-servers-resize in 2020.06)', () => {
    const s = selectTests(loadBundledGuideline('2020.06'), {
      capabilityPatterns: ['compute-servers-resize'],
    });
    expect(s.capabilities[0]!.tests).toEqual([]);
    expect(computeVerdict(s, []).capabilities[0]).toMatchObject({ status: 'pass', total: 0 });
  });

  it.each([
    ['xfail', 'pass', { passed: 2, failed: 0 }],
    ['uxsuccess', 'fail', { passed: 1, failed: 1 }],
  ] as const)('%s counts as the live progress counts it: capability %s', (status, expected, counts) => {
    const v = computeVerdict(tiny(), [result('t.a1', status), result('t.a2', 'success')]);
    expect(v.capabilities[0]).toMatchObject({ status: expected, ...counts, missing: 0 });
  });

  it('summary.json names the rule it applied', () => {
    const v = computeVerdict(tiny(), []);
    expect(summaryJson(v).rule.id).toBe('interop-capabilities');
  });

  it('2020.06 object: full pass, then one capability missing a test', () => {
    const s = selectTests(loadBundledGuideline('2020.06'), { target: 'object' });
    const pass = computeVerdict(s, allPassed(s));
    expect(pass).toMatchObject({
      compliant: true,
      passedCapabilities: 20,
      totalCapabilities: 20,
      failing: [],
    });
    expect(formatVerdict(pass).trimEnd().split('\n').at(-1)).toBe(
      'OpenStack Powered Storage 2020.06: 20 of 20 required capabilities pass',
    );

    const dropped = s.capabilities.find((c) => c.id === 'objectstore-temp-url-get')!.tests[0]!.name;
    const partial = computeVerdict(
      s,
      allPassed(s).filter((r) => r.name !== dropped),
    );
    expect(partial.failing).toEqual(['objectstore-temp-url-get']);
    expect(formatVerdict(partial)).toContain(
      '2020.06 object required: 19 of 20 capabilities pass, NOT compliant: objectstore-temp-url-get',
    );
    const summary = summaryJson(partial, { notInstalled: [dropped] });
    expect(summary).toMatchObject({
      version: '2020.06',
      target: 'object',
      types: ['required'],
      tempestCommit: 'd43223773d75d2e82fb33a1281038e611c41d0f3',
      compliant: false,
      passedCapabilities: 19,
      totalCapabilities: 20,
      missingTests: [dropped],
      notInstalled: [dropped],
    });
    expect(summary.capabilities.find((c) => c.id === 'objectstore-temp-url-get')).toMatchObject({
      status: 'missing',
      missing: 1,
      missingTests: [dropped],
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('2020.06 platform: the table has a row per capability and the answer lists the failing ones', () => {
    const s = selectTests(loadBundledGuideline('2020.06'));
    const failingCaps = [
      'compute-servers-rebuild',
      'volumes-v3-upload',
      'networks-l3-router',
      'identity-v3-catalog',
    ];
    const failed = new Set(failingCaps.map((id) => s.capabilities.find((c) => c.id === id)!.tests[0]!.name));
    const v = computeVerdict(
      s,
      s.tests.map((t) => result(t.name, failed.has(t.name) ? 'fail' : 'success')),
    );
    const text = formatVerdict(v);
    expect(
      text.split('\n').filter((l) => /^\S+\s+required\s+(pass|fail|skip|missing)\s/.test(l)),
    ).toHaveLength(78);
    const expectedFailing = s.capabilities
      .filter((c) => c.tests.some((t) => failed.has(t.name)))
      .map((c) => c.id);
    expect(expectedFailing).toHaveLength(4);
    expect(text).toContain(
      `2020.06 platform required: 74 of 78 capabilities pass, NOT compliant: ${expectedFailing.join(', ')}`,
    );
  });

  it('an identity-only pass says it is no full guideline check', () => {
    const s = selectTests(loadBundledGuideline('2020.06'), { capabilityPatterns: ['identity-*'] });
    const v = computeVerdict(s, allPassed(s));
    expect(formatVerdict(v)).toContain(
      'OpenStack Powered Platform 2020.06: 6 of 6 required capabilities pass (only capabilities matching identity-*: not a full guideline check)',
    );
    expect(summaryJson(v).capabilityPatterns).toEqual(['identity-*']);
  });

  it('names an add-on by its add-on name', () => {
    const s = selectTests(loadBundledGuideline('2020.06', 'dns'), { target: 'dns' });
    const v = computeVerdict(s, allPassed(s));
    expect(formatVerdict(v)).toContain('DNS add-on dns.2020.06: 2 of 2 required capabilities pass');
    expect(summaryJson(v)).not.toHaveProperty('tempestCommit');
    expect(summaryJson(v).testRepository?.key).toBe('designate-tempest-plugin');
  });
});
