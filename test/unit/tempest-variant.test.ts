/**
 * Which Tempest a cloud gets, from its version documents: the ones recorded from the real test beds
 * (test/fixtures/versions/: Keystone and Swift of Debian 12 = Zed and Debian 13 = 2025.1, Nova of the
 * 2025.1 compute bed), the 2025.2, 2026.1 and 2026.2 ones derived from those releases' Debian packages
 * (the fixtures' README), and the rule for every release of the support tables: the newest Tempest
 * that supports the cloud's release.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chooseVariant,
  computeMaxVersion,
  describeChoice,
  guessRelease,
  identityVersion,
  parseVersions,
  RELEASES,
  releaseOfCompute,
  releaseOfSwift,
  swiftVersion,
  VARIANTS,
  type VersionDocuments,
} from '../../src/tempest/variant.js';
import { computeRoot, swiftInfo } from '../../src/cloud/versions.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/versions/${name}`, import.meta.url), 'utf8'));

const zed = { identity: fixture('identity.zed.json'), objectStore: fixture('swift-info.zed.json') };
const epoxy = {
  identity: fixture('identity.2025.1.json'),
  objectStore: fixture('swift-info.2025.1.json'),
};
const computeEpoxy = fixture('compute-root.2025.1.json');
/** 2025.2 Flamingo, 2026.1 Gazpacho, 2026.2 Hibiscus: Nova's and Swift's documents. */
const newer = (release: string): VersionDocuments => ({
  identity: epoxy.identity,
  compute: fixture(`compute-root.${release}.json`),
  objectStore: fixture(`swift-info.${release}.json`),
});
const swiftOnly = (release: string): VersionDocuments => ({
  identity: epoxy.identity,
  objectStore: fixture(`swift-info.${release}.json`),
});
/** Nova's document as Zed's Nova writes it: the recorded one with Zed's maximum (2.93). */
const computeZed = JSON.parse(JSON.stringify(computeEpoxy).replace('"2.100"', '"2.93"')) as unknown;

describe('the recorded version documents', () => {
  it('say what they say', () => {
    expect(identityVersion(zed.identity)).toEqual({ id: 'v3.14', updated: '2020-04-07T00:00:00Z' });
    expect(swiftVersion(zed.objectStore)).toMatch(/^2\.30\./);
    expect(swiftVersion(epoxy.objectStore)).toMatch(/^2\.35\./);
    expect(computeMaxVersion(computeEpoxy)).toBe('2.100');
    expect(computeMaxVersion({ version: { id: 'v2.1', version: '2.96' } })).toBe('2.96');
  });

  it("Keystone's document is the same on Zed and 2025.1: it cannot tell them apart", () => {
    expect(identityVersion(epoxy.identity)).toEqual(identityVersion(zed.identity));
    expect(identityVersion(fixture('identity.2025.1-compute-bed.json'))).toEqual(
      identityVersion(zed.identity),
    );
  });
});

describe('the choice of Tempest', () => {
  const cases: [string, VersionDocuments, string, RegExp][] = [
    ['Zed Keystone + Swift', zed, '33', /Swift is 2\.30\.\d+ \(Zed\): it supports Xena-Zed/],
    // 43 and 47 both support 2025.1: the newest (Tempest is branchless).
    ['2025.1 Keystone + Swift', epoxy, '47', /Swift is 2\.35\.\d+ \(2025\.1\): it supports 2025\.1-2026\.2/],
    [
      '2025.1 compute cloud',
      { ...epoxy, compute: computeEpoxy },
      '47',
      /microversion is 2\.100 \(2025\.1 or 2025\.2\)/,
    ],
    ['Zed compute cloud', { ...zed, compute: computeZed }, '33', /microversion is 2\.93 \(Zed\)/],
    ['2025.2 compute cloud', newer('2025.2'), '47', /microversion is 2\.100 \(2025\.1 or 2025\.2\)/],
    ['2026.1 compute cloud', newer('2026.1'), '47', /microversion is 2\.103 \(2026\.1\)/],
    ['2026.2 compute cloud', newer('2026.2'), '47', /microversion is 2\.104 \(2026\.2\)/],
    ['2025.2 Swift', swiftOnly('2025.2'), '47', /Swift is 2\.36\.2 \(2025\.2\): it supports 2025\.1-2026\.2/],
    ['2026.1 Swift', swiftOnly('2026.1'), '47', /Swift is 2\.37\.2 \(2026\.1\)/],
    ['2026.2 Swift', swiftOnly('2026.2'), '47', /Swift is 2\.38\.2 \(2026\.2\)/],
    ['Keystone alone (Zed)', { identity: zed.identity }, '47', /same from Ussuri to 2025\.1.*the newest/],
    ['Keystone alone (2025.1)', { identity: epoxy.identity }, '47', /the newest/],
    ['nothing answered', {}, '47', /no version document answered.*the newest/],
    ['Train Keystone', { identity: { version: { id: 'v3.13' } } }, '33', /Train or older/],
    ['garbage', { identity: '<html>', compute: { versions: 'x' }, objectStore: [] }, '47', /newest/],
  ];
  it.each(cases)('%s: Tempest %s', (_, docs, want, reason) => {
    const choice = chooseVariant(parseVersions(docs));
    expect(choice.variant.id).toBe(want);
    expect(choice.reason).toMatch(reason);
    expect(describeChoice(choice)).toMatch(
      new RegExp(`^Tempest ${want} \\(Debian (1[23]|testing)\\), Tempest \\d+\\.0\\.0 `),
    );
  });

  it('compute wins over Swift, Swift over Keystone', () => {
    expect(guessRelease(parseVersions({ ...zed, compute: computeEpoxy }))).toMatchObject({
      kind: 'releases',
      releases: ['2025.1', '2025.2'],
    });
  });

  it('--tempest is obeyed, with a warning when it does not support the cloud', () => {
    const asked = chooseVariant(parseVersions(epoxy), '33');
    expect(asked.variant.id).toBe('33');
    expect(asked.reason).toMatch(/as asked \(--tempest 33\)/);
    expect(asked.warning).toMatch(
      /Tempest 33 \(Debian 12\) does not support 2025\.1.*Tempest 47 \(Debian testing\) would/,
    );
    // 43 supports 2025.1 (47, the automatic choice there, too): no warning.
    expect(chooseVariant(parseVersions(epoxy), '43').warning).toBeUndefined();
    expect(chooseVariant(parseVersions(newer('2026.1')), '43').warning).toMatch(
      /Tempest 43 \(Debian 13\) does not support 2026\.1.*Tempest 47 \(Debian testing\) would/,
    );
    expect(chooseVariant(parseVersions(zed), '33').warning).toBeUndefined();
    expect(chooseVariant(parseVersions({ identity: zed.identity }), '33').warning).toBeUndefined();
  });

  const microversions: [string, string][] = [
    ['2.60', '33'], // Queens: older than any supported release, the oldest support
    ['2.90', '33'], // Xena/Yoga
    ['2.93', '33'], // Zed
    ['2.94', '43'], // 2023.1 cycle: none supports 2023.1; 33 and 43 are one release off, a tie goes to the newer
    ['2.95', '43'], // 2023.1/2023.2
    ['2.96', '43'], // 2024.1/2024.2: only 43
    ['2.100', '47'], // 2025.1/2025.2: 43 supports 2025.1, 47 both: the newest
    ['2.101', '47'], // 2026.1 cycle
    ['2.103', '47'], // 2026.1
    ['2.104', '47'], // 2026.2
    ['2.110', '47'], // newer than we know
  ];
  it.each(microversions)('compute max %s: Tempest %s', (max, want) => {
    expect(chooseVariant({ computeMaxVersion: max }).variant.id).toBe(want);
  });

  const swifts: [string, string][] = [
    ['2.20.0', '33'],
    ['2.28.1', '33'],
    ['2.30.1', '33'],
    ['2.31.1', '43'],
    ['2.32.0', '43'],
    ['2.34.2', '43'],
    ['2.35.1', '47'], // 2025.1: 43 and 47 both, the newest
    ['2.36.2', '47'],
    ['2.37.2', '47'],
    ['2.38.2', '47'],
    ['2.40.0', '47'],
    ['3.0.0', '47'],
  ];
  it.each(swifts)('Swift %s: Tempest %s', (version, want) => {
    expect(chooseVariant({ swiftVersion: version }).variant.id).toBe(want);
  });

  it('maps versions to releases as the tables say', () => {
    expect(releaseOfCompute('2.95')).toMatchObject({ releases: ['2023.1', '2023.2'] });
    expect(releaseOfCompute('2.1')).toMatchObject({ kind: 'older', than: 'Train' });
    expect(releaseOfSwift('2.33.0')).toMatchObject({ releases: ['2024.1'] });
    expect(releaseOfSwift('2.99.0')).toMatchObject({ kind: 'newer', than: '2026.2' });
    expect(releaseOfSwift('2.38.2')).toMatchObject({ releases: ['2026.2'] });
    expect(releaseOfCompute('2.104')).toMatchObject({ releases: ['2026.2'] });
    expect(releaseOfCompute('2.105')).toMatchObject({ kind: 'newer', than: '2026.2' });
  });

  it('lists the variants newest first, each supporting a run of consecutive releases', () => {
    expect(VARIANTS.map((v) => v.id)).toEqual(['47', '43', '33']);
    for (const v of VARIANTS) {
      const at = v.supports.map((r) => RELEASES.indexOf(r));
      expect(at).toEqual(at.map((_, i) => at[0]! + i));
    }
  });
});

describe('where the version documents are', () => {
  const roots: [string, string][] = [
    ['http://127.0.0.1:16002/v2.1', 'http://127.0.0.1:16002/'],
    ['https://cloud.example.com/compute/v2.1/abc123', 'https://cloud.example.com/compute/'],
    ['https://nova.example.com:8774/v2/abc', 'https://nova.example.com:8774/'],
  ];
  it.each(roots)('compute %s → %s', (endpoint, root) => expect(computeRoot(endpoint)).toBe(root));

  const infos: [string, string][] = [
    ['http://127.0.0.1:8080/v1/AUTH_abc', 'http://127.0.0.1:8080/info'],
    ['https://cloud.example.com/swift/v1/AUTH_abc', 'https://cloud.example.com/swift/info'],
  ];
  it.each(infos)('object store %s → %s', (endpoint, info) => expect(swiftInfo(endpoint)).toBe(info));
});
