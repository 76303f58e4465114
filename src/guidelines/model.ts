/** The facts of an interop guideline (schema 2.0), as tcup bundles and reads them. */

export const CAPABILITY_STATUSES = ['required', 'advisory', 'deprecated', 'removed'] as const;
export type CapabilityStatus = (typeof CAPABILITY_STATUSES)[number];

/** tcup's targets and the product names ("platforms" or "add-ons") the guideline files use for them. */
export const TARGET_PRODUCTS = {
  platform: 'OpenStack Powered Platform',
  compute: 'OpenStack Powered Compute',
  object: 'OpenStack Powered Storage',
  dns: 'DNS',
  orchestration: 'Orchestration',
} as const;
export type Target = keyof typeof TARGET_PRODUCTS;
export const TARGETS = Object.keys(TARGET_PRODUCTS) as Target[];

export function isTarget(value: string): value is Target {
  return Object.hasOwn(TARGET_PRODUCTS, value);
}

export interface GuidelineTest {
  /** The full test name, without attributes. */
  name: string;
  /** The idempotent id: a bare lowercase uuid. */
  uuid?: string;
  /** Earlier or alternative names of the same test. */
  aliases: string[];
  /** A flagged test is optional: a capability passes without it. */
  flagged: boolean;
}

export interface GuidelineData {
  id: string;
  schema: string;
  kind: 'core' | 'add-on';
  /** `approved` or `draft` (os_trademark_approval.status), when the file says. */
  status?: string;
  /** Test repositories by key (`tempest`, or a plugin's): the URL and the pinned reference. */
  testRepositories: Record<string, { repository: string; reference: string }>;
  /** Products by display name (`platforms` of core files, `add-ons` of add-on files). */
  platforms: Record<string, { components: string[]; requiredPlatformComponents?: string[] }>;
  /** Capability ids of each component, by status. */
  components: Record<string, Record<CapabilityStatus, string[]>>;
  capabilities: Record<string, { tests: GuidelineTest[] }>;
}

export type Guideline = GuidelineData;

export interface GuidelineIndex {
  versions: { id: string; kind: 'core' | 'add-on'; status: string | null; targets: Target[] }[];
  /** The bundled standards that are plain test lists, by target name. */
  standards: StandardTarget[];
}

/**
 * Standards that are a plain list of Tempest tests with a rule, not an interop guideline: each is a
 * target of its own (`--target scs-0128`) and takes no `--guideline`, `--type` or `--capability`.
 */
export const STANDARD_TARGETS = ['scs-0128'] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];

/** Every value of `--target`: an interop guideline's product or a standard. */
export type RunTarget = Target | StandardTarget;
export const RUN_TARGETS: readonly RunTarget[] = [...TARGETS, ...STANDARD_TARGETS];

/** Debian packages of the Tempest plugins each add-on target needs. */
export const PLUGINS: Partial<Record<RunTarget, string[]>> = {
  dns: ['designate-tempest-plugin'],
  orchestration: ['heat-tempest-plugin'],
};

export function isStandardTarget(value: string): value is StandardTarget {
  return (STANDARD_TARGETS as readonly string[]).includes(value);
}

/**
 * How a standard's verdict is reached. `no-failed-tests` (SCS-0128): compliant when no listed test
 * failed; skips are not failures; listed tests without a result (not in the installed Tempest, or not
 * run) make the pass tentative.
 */
export type StandardRule = 'no-failed-tests';

/** A bundled standard: its facts, its source and licence, and its test list verbatim. */
export interface StandardData {
  id: StandardTarget;
  /** `SCS-0128` */
  name: string;
  /** `v1` */
  version: string;
  title: string;
  /** The standard's status where it is published (`Draft`, `Stable`, …). */
  status: string;
  rule: StandardRule;
  /** The rule in the standard's own words. */
  ruleText: string;
  successorOf?: string;
  derivedFrom?: string;
  source: { repository: string; path: string; commit: string; date: string; standard: string };
  licence: { name: string; url: string; attribution: string };
  sourceFile: string;
  /** The list's lines: `name[id-…,attrs]`. */
  tests: string[];
}

/** The targets a guideline offers, in TARGETS order. */
export function targetsOf(guideline: Pick<Guideline, 'platforms'>): Target[] {
  return TARGETS.filter((t) => Object.hasOwn(guideline.platforms, TARGET_PRODUCTS[t]));
}

/** The pinned commit of Tempest (core files) or of the add-on's plugin, when the file names one. */
export function pinnedReference(
  guideline: Guideline,
): { key: string; repository: string; reference: string } | undefined {
  const entries = Object.entries(guideline.testRepositories);
  const [key, repo] = entries.find(([k]) => k === 'tempest') ?? entries[0] ?? [];
  return key && repo ? { key, ...repo } : undefined;
}
