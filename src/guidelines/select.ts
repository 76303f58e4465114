/** Which capabilities and tests a guideline asks of a target (pure). */
import { TcupError } from '../core/errors.js';
import {
  CAPABILITY_STATUSES,
  pinnedReference,
  TARGET_PRODUCTS,
  targetsOf,
  type CapabilityStatus,
  type Guideline,
  type GuidelineTest,
  type Target,
} from './model.js';

export interface SelectOptions {
  /** Defaults to the guideline's first target: platform for core files, the add-on for add-on files. */
  target?: Target;
  /** Defaults to required only. */
  types?: readonly CapabilityStatus[];
  /** Flagged tests are left out unless this is true. */
  includeFlagged?: boolean;
  /** Globs over capability ids (`*`, `?`), e.g. `identity-*`. Each must match a capability. */
  capabilityPatterns?: readonly string[];
}

export type SelectedTest = GuidelineTest;

export interface SelectedCapability {
  id: string;
  status: CapabilityStatus;
  tests: SelectedTest[];
}

export interface Selection {
  version: string;
  target: Target;
  /** The product's display name in the guideline, e.g. `OpenStack Powered Storage`. */
  product: string;
  types: CapabilityStatus[];
  includeFlagged: boolean;
  capabilityPatterns?: string[];
  /** The pinned test repository: Tempest's commit for core files, the plugin's reference for add-ons. */
  pinned?: { key: string; repository: string; reference: string };
  capabilities: SelectedCapability[];
  /** Every selected test once (aliases merged; flagged only if flagged in every capability). */
  tests: SelectedTest[];
  /** Capability ids the components list for the selected types but the file does not define (left out). */
  undefinedCapabilities: string[];
}

export function selectTests(guideline: Guideline, options: SelectOptions = {}): Selection {
  const offered = targetsOf(guideline);
  const target = options.target ?? offered[0];
  if (target === undefined || !offered.includes(target))
    throw new TcupError(
      'USAGE',
      `guideline ${guideline.id} has no target ${JSON.stringify(options.target)}; it offers ${offered.join(', ')}`,
      guideline.kind === 'core'
        ? 'add-on targets (dns, orchestration) have their own guideline files'
        : undefined,
    );
  const types = [
    ...new Set(options.types && options.types.length > 0 ? options.types : ['required' as const]),
  ];
  const unknownType = types.find((t) => !CAPABILITY_STATUSES.includes(t));
  if (unknownType !== undefined)
    throw new TcupError(
      'USAGE',
      `unknown capability type ${JSON.stringify(unknownType)}; valid: ${CAPABILITY_STATUSES.join(', ')}`,
    );
  const includeFlagged = options.includeFlagged ?? false;
  const product = TARGET_PRODUCTS[target];

  // Types in guideline order, so a capability required in one component and advisory in another is required.
  const listed = new Map<string, CapabilityStatus>();
  for (const status of CAPABILITY_STATUSES) {
    if (!types.includes(status)) continue;
    for (const component of guideline.platforms[product]?.components ?? []) {
      for (const id of guideline.components[component]?.[status] ?? [])
        if (!listed.has(id)) listed.set(id, status);
    }
  }
  let ids = [...listed.keys()];
  const patterns = options.capabilityPatterns?.filter((p) => p.trim() !== '');
  if (patterns && patterns.length > 0)
    ids = filterByPatterns(ids, patterns, `${guideline.id} ${target} ${types.join(',')}`);

  const capabilities: SelectedCapability[] = [];
  const undefinedCapabilities: string[] = [];
  for (const id of ids) {
    const defined = Object.hasOwn(guideline.capabilities, id) ? guideline.capabilities[id] : undefined;
    if (!defined) {
      undefinedCapabilities.push(id);
      continue;
    }
    const tests = defined.tests
      .filter((t) => includeFlagged || !t.flagged)
      .map((t) => ({ ...t, aliases: [...t.aliases] }));
    capabilities.push({ id, status: listed.get(id)!, tests });
  }
  const pinned = pinnedReference(guideline);
  return {
    version: guideline.id,
    target,
    product,
    types,
    includeFlagged,
    ...(patterns && patterns.length > 0 ? { capabilityPatterns: patterns } : {}),
    ...(pinned ? { pinned } : {}),
    capabilities,
    tests: uniqueTests(capabilities),
    undefinedCapabilities,
  };
}

/** Matches `*` (any run) and `?` (one character) against the whole id. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .trim()
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

function filterByPatterns(ids: string[], patterns: readonly string[], what: string): string[] {
  const regexps = patterns.map((p) => ({ p, re: globToRegExp(p) }));
  const unmatched = regexps.filter(({ re }) => !ids.some((id) => re.test(id))).map(({ p }) => p);
  if (unmatched.length > 0)
    throw new TcupError(
      'USAGE',
      `capability filter ${unmatched.map((p) => JSON.stringify(p)).join(', ')} matches none of the ${ids.length} capabilities of ${what}`,
      'capability ids look like identity-v3-tokens-create; globs use * and ?',
    );
  return ids.filter((id) => regexps.some(({ re }) => re.test(id)));
}

function uniqueTests(capabilities: readonly SelectedCapability[]): SelectedTest[] {
  const byName = new Map<string, SelectedTest>();
  for (const test of capabilities.flatMap((c) => c.tests)) {
    const seen = byName.get(test.name);
    if (!seen) {
      byName.set(test.name, { ...test, aliases: [...test.aliases] });
      continue;
    }
    for (const alias of test.aliases) if (!seen.aliases.includes(alias)) seen.aliases.push(alias);
    seen.flagged = seen.flagged && test.flagged;
    if (!seen.uuid && test.uuid) seen.uuid = test.uuid;
  }
  return [...byName.values()];
}
