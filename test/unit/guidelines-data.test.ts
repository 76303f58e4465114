import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import { bundledVersions, loadBundledGuideline, parseGuideline } from '../../src/guidelines/load.js';
import { targetsOf } from '../../src/guidelines/model.js';
import { selectTests } from '../../src/guidelines/select.js';
import { bundledStandards, loadStandard } from '../../src/guidelines/standard.js';
import type { HttpClient } from '../../src/core/http.js';
import { createReporter } from '../../src/core/log.js';
import { resolveSelection } from '../../src/pipeline/steps/selection.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(repoRoot, '..', 'shared', 'fixtures', 'interop');
const VERSIONS = ['2019.11', '2020.06', 'next', 'dns.2020.06', 'orchestration.2020.06'];
const SCS_LIST = join(repoRoot, '..', 'shared', 'fixtures', 'scs', 'scs-0128-v1-tempest-tests-non-admin.lst');

interface RawTest {
  idempotent_id?: string;
  aliases?: string[];
  flagged?: unknown;
}
interface RawGuideline {
  components: Record<string, { capabilities: Record<string, string[]> }>;
  capabilities: Record<string, { tests: Record<string, RawTest> }>;
}
const rawText = (version: string) => readFileSync(join(fixtures, `${version}.json`), 'utf8');
const raw = (version: string) => JSON.parse(rawText(version)) as RawGuideline;

/** Counted straight from the fixture file, sharing no code with src/guidelines. */
function independentCount(version: string, components: string[], includeFlagged: boolean) {
  const doc = raw(version);
  const caps = new Set<string>();
  for (const c of components) for (const id of doc.components[c]!.capabilities['required']!) caps.add(id);
  let entries = 0;
  let flagged = 0;
  const unique = new Set<string>();
  for (const id of caps) {
    for (const [name, test] of Object.entries(doc.capabilities[id]!.tests)) {
      if (test.flagged) flagged++;
      if (test.flagged && !includeFlagged) continue;
      entries++;
      unique.add(name);
    }
  }
  return { capabilities: caps.size, entries, flagged, unique: unique.size };
}

function counted(version: string, target: 'platform' | 'compute' | 'object', includeFlagged: boolean) {
  const s = selectTests(loadBundledGuideline(version), { target, includeFlagged });
  return {
    capabilities: s.capabilities.length,
    entries: s.capabilities.reduce((n, c) => n + c.tests.length, 0),
    unique: s.tests.length,
  };
}

describe('bundled guideline counts agree with the raw fixture files', () => {
  it('2020.06 platform required: 78 capabilities, 286 tests of which 11 flagged', () => {
    const all = independentCount('2020.06', ['os_powered_compute', 'os_powered_storage'], true);
    expect(all).toEqual({ capabilities: 78, entries: 286, flagged: 11, unique: 284 });
    const withoutFlagged = independentCount('2020.06', ['os_powered_compute', 'os_powered_storage'], false);
    expect(counted('2020.06', 'platform', false)).toEqual({
      capabilities: withoutFlagged.capabilities,
      entries: withoutFlagged.entries,
      unique: withoutFlagged.unique,
    });
    expect(counted('2020.06', 'platform', false)).toEqual({ capabilities: 78, entries: 275, unique: 273 });
    expect(counted('2020.06', 'platform', true)).toEqual({ capabilities: 78, entries: 286, unique: 284 });
  });

  it('2020.06 object required: 20 capabilities, 58 distinct tests in 60 entries', () => {
    const ind = independentCount('2020.06', ['os_powered_storage'], false);
    expect(ind).toMatchObject({ capabilities: 20, entries: 60, unique: 58 });
    expect(counted('2020.06', 'object', false)).toEqual({ capabilities: 20, entries: 60, unique: 58 });
  });

  it('2020.06 compute required: 60 capabilities, 217 distinct tests (the e2e run a part: SCS-0128 holds 195)', () => {
    const ind = independentCount('2020.06', ['os_powered_compute'], false);
    expect(counted('2020.06', 'compute', false)).toEqual({
      capabilities: ind.capabilities,
      entries: ind.entries,
      unique: ind.unique,
    });
    expect(counted('2020.06', 'compute', false)).toMatchObject({ capabilities: 60, unique: 217 });
  });

  it.each([
    ['2019.11', 'compute', ['os_powered_compute']],
    ['next', 'platform', ['os_powered_compute', 'os_powered_storage']],
    ['next', 'object', ['os_powered_storage']],
  ] as const)('%s %s required', (version, target, components) => {
    const ind = independentCount(version, [...components], false);
    expect(counted(version, target, false)).toEqual({
      capabilities: ind.capabilities,
      entries: ind.entries,
      unique: ind.unique,
    });
  });

  it('the keystone capabilities of 2020.06 hold the 8 documented tests, one flagged', () => {
    const g = loadBundledGuideline('2020.06');
    const all = selectTests(g, { capabilityPatterns: ['identity-*'], includeFlagged: true });
    expect(all.tests.map((t) => t.name.split('.').slice(-2).join('.')).sort()).toEqual([
      'IdentityCatalogTest.test_catalog_standardization',
      'IdentityV3ProjectsTest.test_list_projects_returns_only_authorized_projects',
      'TestApiDiscovery.test_api_media_types',
      'TestApiDiscovery.test_api_version_resources',
      'TestApiDiscovery.test_api_version_statuses',
      'TokensV3Test.test_create_token',
      'TokensV3Test.test_token_auth_creation_existence_deletion',
      'TokensV3Test.test_validate_token',
    ]);
    const flagged = all.tests.filter((t) => t.flagged).map((t) => t.name);
    expect(flagged).toEqual([
      'tempest.api.identity.v3.test_projects.IdentityV3ProjectsTest.test_list_projects_returns_only_authorized_projects',
    ]);
    expect(selectTests(g, { capabilityPatterns: ['identity-*'] }).tests).toHaveLength(7);
  });
});

describe('derived data', () => {
  it.each(VERSIONS)('%s: parsing the raw file gives exactly the bundled data', (version) => {
    expect(parseGuideline(rawText(version), `${version}.json`)).toEqual(loadBundledGuideline(version));
  });

  it.each(VERSIONS)('%s: holds no prose', (version) => {
    const text = readFileSync(join(repoRoot, 'src', 'guidelines', 'data', `${version}.json`), 'utf8');
    expect(text).not.toMatch(/"(description|reason|action|achievements|scoring)"/);
    expect(text).not.toContain('bugs.launchpad.net');
    expect(rawText(version)).toMatch(/"description"/); // the check can fail
  });

  it('normalises idempotent ids to bare lowercase uuids (core id-<uuid>, add-ons bare)', () => {
    const uuids = (version: string) =>
      Object.values(loadBundledGuideline(version).capabilities).flatMap((c) => c.tests.map((t) => t.uuid));
    for (const version of VERSIONS) {
      for (const uuid of uuids(version))
        expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    const dns = loadBundledGuideline('dns.2020.06');
    const first = dns.capabilities['dns-record-crud']!.tests[0]!;
    expect(first.uuid).toBe(
      raw('dns.2020.06').capabilities['dns-record-crud']!.tests[first.name]!.idempotent_id!.toLowerCase(),
    );
    const core = loadBundledGuideline('2020.06').capabilities['compute-list-api-versions']!.tests[0]!;
    expect(core.uuid).toBe('6c0a0990-43b6-4529-9b61-5fd8daf7c55c');
    expect(uuids('orchestration.2020.06')).toHaveLength(60);
  });

  it('keeps aliases and flags as facts', () => {
    const g = loadBundledGuideline('2020.06');
    const tests = Object.values(g.capabilities).flatMap((c) => c.tests);
    expect(tests.filter((t) => t.flagged)).toHaveLength(11);
    expect(tests.filter((t) => t.aliases.length > 0)).toHaveLength(95);
  });

  it('pins the tempest commit', () => {
    expect(selectTests(loadBundledGuideline('2020.06')).pinned).toEqual({
      key: 'tempest',
      repository: 'https://opendev.org/openstack/tempest/',
      reference: 'd43223773d75d2e82fb33a1281038e611c41d0f3',
    });
    expect(selectTests(loadBundledGuideline('dns.2020.06')).pinned?.key).toBe('designate-tempest-plugin');
  });

  it('the index lists every version with the targets its data offers', () => {
    expect(
      bundledVersions()
        .map((v) => v.id)
        .sort(),
    ).toEqual([...VERSIONS].sort());
    for (const v of bundledVersions()) expect(v.targets).toEqual(targetsOf(loadBundledGuideline(v.id)));
    expect(bundledVersions().find((v) => v.id === 'next')?.status).toBe('draft');
  });
});

describe('loading and selecting', () => {
  const usage = (fn: () => unknown, message: RegExp) => {
    let caught: unknown;
    try {
      fn();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TcupError);
    expect((caught as TcupError).code).toBe('USAGE');
    expect((caught as TcupError).message).toMatch(message);
  };

  it('finds an add-on file by core version and add-on target', () => {
    expect(loadBundledGuideline('2020.06', 'dns').id).toBe('dns.2020.06');
    expect(loadBundledGuideline('2020.06', 'orchestration').id).toBe('orchestration.2020.06');
    expect(loadBundledGuideline('2020.06', 'object').id).toBe('2020.06');
    expect(loadBundledGuideline('dns.2020.06').id).toBe('dns.2020.06');
  });

  it('rejects an unknown version, listing the bundled ones', () => {
    usage(
      () => loadBundledGuideline('2022.11'),
      /unknown guideline version "2022.11".*2020\.06 \(platform, compute, object\)/,
    );
  });

  it('rejects a target the guideline does not offer, listing the valid ones', () => {
    usage(
      () => selectTests(loadBundledGuideline('2020.06'), { target: 'dns' }),
      /offers platform, compute, object/,
    );
    usage(() => selectTests(loadBundledGuideline('dns.2020.06'), { target: 'platform' }), /offers dns$/);
  });

  it('selects add-on targets', () => {
    const dns = selectTests(loadBundledGuideline('2020.06', 'dns'), { target: 'dns' });
    expect(dns.product).toBe('DNS');
    expect(dns.capabilities.map((c) => c.id)).toEqual(['dns-record-crud', 'dns-zone-crud']);
    expect(dns.tests).toHaveLength(10);
    const heat = selectTests(loadBundledGuideline('orchestration.2020.06'));
    expect(heat.target).toBe('orchestration');
    expect(heat.capabilities).toHaveLength(23);
  });

  it('selects by type and leaves out capabilities the file does not define', () => {
    const g = loadBundledGuideline('next');
    const advisory = selectTests(g, { types: ['advisory'] });
    expect(advisory.capabilities.every((c) => c.status === 'advisory')).toBe(true);
    expect(advisory.capabilities.map((c) => c.id)).toEqual([
      'volumes-v3-upload',
      'compute-servers-create-multiple',
      'identity-v3-tokens-delete', // advisory in both components, listed once
    ]);
    const removed = selectTests(g, { types: ['removed'] });
    expect(removed.capabilities).toHaveLength(0);
    expect(removed.undefinedCapabilities).toContain('volumes-v2-reserve');
    const both = selectTests(g, { types: ['required', 'advisory'] });
    expect(both.capabilities).toHaveLength(75 + 3);
    expect(both.capabilities.find((c) => c.id === 'identity-v3-tokens-delete')?.status).toBe('advisory');
  });

  it('filters capabilities by glob and rejects a glob that matches nothing', () => {
    const g = loadBundledGuideline('2020.06');
    const s = selectTests(g, { capabilityPatterns: ['identity-v3-tokens-*', 'images-v2-?ist'] });
    expect(s.capabilities.map((c) => c.id)).toEqual([
      'identity-v3-tokens-create',
      'identity-v3-tokens-delete',
      'identity-v3-tokens-validate',
      'images-v2-list',
    ]);
    usage(
      () => selectTests(g, { capabilityPatterns: ['identity-*', 'idenity-*'] }),
      /"idenity-\*" matches none/,
    );
  });

  it.each([
    ['{not json', /is not JSON/],
    ['<html><body>502</body></html>', /HTML/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ metadata: { id: '2017.01', schema: '1.6' } }), /schema is "1.6"/],
    [
      JSON.stringify({ metadata: { id: 'x', schema: '2.0' }, components: {}, capabilities: {} }),
      /neither "platforms" nor "add-ons"/,
    ],
    [
      JSON.stringify({
        metadata: { id: 'manila.2020.06', schema: '2.0' },
        'add-ons': { 'Shared File System': { components: [{ name: 'os_powered_shared_file_system' }] } },
        components: { os_powered_shared_file_system: { capabilities: { required: [] } } },
        capabilities: {},
      }),
      /offers "Shared File System", none of tcup's targets/,
    ],
    [
      JSON.stringify({
        metadata: { id: 'x', schema: '2.0' },
        platforms: { DNS: { components: [{ name: 'c' }] } },
        components: { c: { capabilities: { required: ['a'] } } },
        capabilities: { a: { tests: { 't.x': { idempotent_id: 'id-nope' } } } },
      }),
      /test t\.x has a malformed idempotent_id "id-nope"/,
    ],
  ])('rejects a malformed guideline: %s', (text, message) => {
    usage(() => parseGuideline(text, 'my.json'), message);
  });

  it('lists a capability required in one component and advisory in another once, as required', () => {
    const g = parseGuideline(
      JSON.stringify({
        metadata: { id: 'custom', schema: '2.0' },
        platforms: { 'OpenStack Powered Platform': { components: [{ name: 'c' }, { name: 's' }] } },
        components: {
          c: { capabilities: { required: ['a'], advisory: ['b'] } },
          s: { capabilities: { required: ['b'] } },
        },
        capabilities: { a: { tests: { 't.a': {} } }, b: { tests: { 't.b': {} } } },
      }),
      'custom.json',
    );
    const s = selectTests(g, { types: ['required', 'advisory'] });
    expect(s.capabilities.map((c) => [c.id, c.status])).toEqual([
      ['a', 'required'],
      ['b', 'required'],
    ]);
  });

  it('reads a user guideline with a bare or id- prefixed uuid', () => {
    const g = parseGuideline(
      JSON.stringify({
        metadata: { id: 'custom', schema: '2.0' },
        platforms: { 'OpenStack Powered Storage': { components: [{ name: 's' }] } },
        components: { s: { capabilities: { required: ['a'], advisory: ['b'] } } },
        capabilities: {
          a: {
            tests: {
              't.a': { idempotent_id: 'ID-6C0A0990-43B6-4529-9B61-5FD8DAF7C55C', flagged: { reason: 'x' } },
            },
          },
          b: { tests: { 't.b': { aliases: ['t.b_old'] } } },
        },
      }),
      'custom.json',
    );
    expect(targetsOf(g)).toEqual(['object']);
    expect(g.capabilities['a']!.tests).toEqual([
      { name: 't.a', uuid: '6c0a0990-43b6-4529-9b61-5fd8daf7c55c', aliases: [], flagged: true },
    ]);
    expect(
      selectTests(g, { types: ['required', 'advisory'], includeFlagged: true }).tests.map((t) => t.name),
    ).toEqual(['t.a', 't.b']);
  });
});

describe('the bundled SCS-0128 list agrees with the raw fixture', () => {
  // Counted straight from the .lst file, sharing no code with src/guidelines.
  const rawLines = readFileSync(SCS_LIST, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const rawNames = rawLines.map((l) => l.replace(/\[.*$/, ''));
  const rawUuids = rawLines.map((l) => /\[id-([0-9a-f-]{36})/.exec(l)?.[1]);
  const byService = (names: string[]) => {
    const counts: Record<string, number> = {};
    for (const n of names) counts[n.split('.')[2]!] = (counts[n.split('.')[2]!] ?? 0) + 1;
    return counts;
  };

  it('258 tests: 88 compute, 66 network, 65 volume, 23 image, 16 identity, each with an idempotent id', () => {
    expect(rawLines).toHaveLength(258);
    expect(byService(rawNames)).toEqual({ compute: 88, network: 66, volume: 65, image: 23, identity: 16 });
    const s = loadStandard('scs-0128');
    expect(s.tests).toHaveLength(rawLines.length);
    expect(new Set(s.tests.map((t) => t.name)).size).toBe(new Set(rawNames).size);
    expect(byService(s.tests.map((t) => t.name))).toEqual(byService(rawNames));
    expect(s.tests.map((t) => t.name)).toEqual(rawNames);
    expect(s.tests.map((t) => t.uuid)).toEqual(rawUuids);
    expect(rawUuids.every((u) => u !== undefined)).toBe(true);
  });

  it('is bundled verbatim, with its source, commit and licence (CC BY-SA 4.0)', () => {
    const file = JSON.parse(
      readFileSync(join(repoRoot, 'src', 'guidelines', 'data', 'scs-0128.json'), 'utf8'),
    ) as { tests: string[]; licence: { name: string; attribution: string }; source: Record<string, string> };
    expect(file.tests).toEqual(rawLines);
    expect(file.licence.name).toBe('CC BY-SA 4.0');
    expect(file.licence.attribution).toMatch(/Sovereign Cloud Stack/);
    expect(file.source).toMatchObject({
      repository: 'https://github.com/SovereignCloudStack/standards',
      path: 'Tests/iaas/scs_0128_e2e_testing/tempest-tests-non-admin.lst',
      commit: 'ab4be81c7eb99b152f585c5b4e6b2d7ecf8d4fa7',
    });
    expect(bundledStandards().map((x) => x.id)).toEqual(['scs-0128']);
    expect(loadStandard('scs-0128')).toMatchObject({ label: 'SCS-0128 v1', rule: 'no-failed-tests' });
  });

  it('has none of the tests SCS removed from 2022.11 (admin, account lockout)', () => {
    const names = loadStandard('scs-0128').tests.map((t) => t.name);
    expect(names.some((n) => n.includes('.admin.'))).toBe(false);
    expect(names.some((n) => n.endsWith('test_user_account_lockout'))).toBe(false);
    expect(rawNames.some((n) => n.endsWith('test_user_account_lockout'))).toBe(false);
  });
});

describe('selection: a 2022.11-shaped file, and the scs-0128 target', () => {
  const noHttp: HttpClient = {
    request: () => Promise.reject(new Error('no network in this test')),
    close: () => Promise.resolve(),
  };
  const quiet = () =>
    createReporter({ write: () => undefined, isTTY: false, verbose: false, redact: (t) => t });
  const base = { types: ['required'], includeFlagged: false, capabilities: [], cwd: repoRoot };

  /** 2022.11 as the docs describe it against 2020.06: schema 2.0, no server-metadata tests, new ones. */
  function file2022(): string {
    const doc = JSON.parse(rawText('2020.06')) as RawGuideline & {
      metadata: Record<string, unknown>;
      test_repositories: Record<string, { reference: string }>;
    };
    doc.metadata['id'] = '2022.11';
    doc.metadata['os_trademark_approval'] = {
      target_approval: '2022.11',
      replaces: '2022.06',
      releases: ['wallaby', 'xena', 'yoga', 'zed'],
      status: 'approved',
    };
    doc.test_repositories['tempest']!.reference = '2a71585700b4141910dbd4139805e2c0e9c49a8e';
    const compute = doc.components['os_powered_compute']!.capabilities;
    compute['required'] = compute['required']!.filter((c) => !c.startsWith('compute-servers-metadata-'));
    compute['required'].push('identity-v3-application-credentials');
    doc.capabilities['identity-v3-application-credentials'] = {
      tests: {
        'tempest.api.identity.v3.test_application_credentials.ApplicationCredentialsV3Test.test_create_application_credential':
          { idempotent_id: 'id-8080c75c-eddc-4786-941a-c2da7039ae61' },
      },
    };
    const dir = mkdtempSync(join(tmpdir(), 'tcup-2022-'));
    writeFileSync(join(dir, '2022.11.json'), JSON.stringify(doc));
    return join(dir, '2022.11.json');
  }

  it('--guideline FILE reads a 2022.11-shaped guideline (the last one, no longer served)', async () => {
    const path = file2022();
    const r = await resolveSelection(noHttp, { ...base, guideline: path, target: 'compute' }, quiet());
    const bundled = selectTests(loadBundledGuideline('2020.06'), { target: 'compute' });
    expect(r.guideline?.version).toBe('2022.11');
    expect(r.guideline?.pinned?.reference).toBe('2a71585700b4141910dbd4139805e2c0e9c49a8e');
    const ids = r.guideline!.capabilities.map((c) => c.id);
    expect(ids).toContain('identity-v3-application-credentials');
    expect(ids.some((id) => id.startsWith('compute-servers-metadata-'))).toBe(false);
    expect(ids).toHaveLength(
      bundled.capabilities.filter((c) => !c.id.startsWith('compute-servers-metadata-')).length + 1,
    );
  });

  it('--target scs-0128 selects the standard, not a guideline', async () => {
    const r = await resolveSelection(noHttp, { ...base, guideline: '2020.06', target: 'scs-0128' }, quiet());
    expect(r.guideline).toBeUndefined();
    expect(r.standard?.label).toBe('SCS-0128 v1');
    expect(r.tests).toHaveLength(258);
    expect(r.plugins).toEqual([]);
  });

  it.each([
    ['--type', { types: ['required', 'advisory'] }],
    ['--capability', { capabilities: ['identity-*'] }],
    ['--include-flagged', { includeFlagged: true }],
    ['--test-list', { testList: 'list.txt' }],
  ])('--target scs-0128 with %s is a usage error', async (option, extra) => {
    const run = resolveSelection(
      noHttp,
      { ...base, guideline: '2020.06', target: 'scs-0128', ...extra },
      quiet(),
    );
    await expect(run).rejects.toThrow(TcupError);
    await expect(run).rejects.toThrow(new RegExp(`${option} does not apply to --target scs-0128`));
  });
});
