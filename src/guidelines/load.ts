/** Guidelines: the bundled ones by version id, and a user's own guideline JSON (schema 2.0). Pure. */
import { TcupError } from '../core/errors.js';
import { BUNDLED, INDEX } from './data/index.js';
import {
  CAPABILITY_STATUSES,
  TARGET_PRODUCTS,
  TARGETS,
  targetsOf,
  type Guideline,
  type GuidelineIndex,
  type GuidelineTest,
  type Target,
} from './model.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The bundled versions with their kind, approval status and targets (for `tcup guidelines`). */
export function bundledVersions(): GuidelineIndex['versions'] {
  return INDEX.versions;
}

/**
 * A bundled guideline by version id. An add-on target also finds its add-on file by the core version:
 * `2020.06` with target `dns` is `dns.2020.06`.
 */
export function loadBundledGuideline(version: string, target?: Target): Guideline {
  const direct = Object.hasOwn(BUNDLED, version) ? BUNDLED[version] : undefined;
  const addOnId = target && `${target}.${version}`;
  const addOn = addOnId && Object.hasOwn(BUNDLED, addOnId) ? BUNDLED[addOnId] : undefined;
  const found = target && direct && !targetsOf(direct).includes(target) && addOn ? addOn : (direct ?? addOn);
  if (found) return found;
  const list = INDEX.versions.map((v) => `${v.id} (${v.targets.join(', ')})`).join('; ');
  throw new TcupError(
    'USAGE',
    `unknown guideline version ${JSON.stringify(version)}; bundled: ${list}`,
    'pass --guideline with a guideline JSON file or URL for another version',
  );
}

/** Parses a guideline JSON text (schema 2.0, core or add-on) into the bundled model. */
export function parseGuideline(text: string, source: string): Guideline {
  const bad = (problem: string) =>
    new TcupError(
      'USAGE',
      `${source} is not a usable interop guideline: ${problem}`,
      'guidelines are JSON files of schema 2.0 from openstack/interop',
    );
  if (text.trimStart().startsWith('<')) throw bad('it is HTML, not JSON');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw bad(`it is not JSON (${(error as Error).message})`);
  }
  if (!isObject(doc)) throw bad('it is not a JSON object');
  const metadata = doc['metadata'];
  if (!isObject(metadata) || typeof metadata['id'] !== 'string') throw bad('it has no metadata.id');
  if (metadata['schema'] !== '2.0')
    throw bad(
      `its schema is ${JSON.stringify(metadata['schema'])}; tcup reads schema "2.0" (guidelines since 2018.02)`,
    );
  const addOns = doc['add-ons'];
  const products = addOns ?? doc['platforms'];
  if (!isObject(products)) throw bad('it has neither "platforms" nor "add-ons"');
  const componentsRaw = doc['components'];
  const capabilitiesRaw = doc['capabilities'];
  if (!isObject(componentsRaw)) throw bad('it has no "components" object');
  if (!isObject(capabilitiesRaw)) throw bad('it has no "capabilities" object');

  const platforms: Guideline['platforms'] = {};
  for (const [name, product] of Object.entries(products)) {
    if (!isObject(product) || !Array.isArray(product['components']))
      throw bad(`product ${JSON.stringify(name)} lists no components`);
    const components: unknown[] = product['components'];
    const names = components.map((c) => (isObject(c) && typeof c['name'] === 'string' ? c['name'] : ''));
    const unknown = names.find((n) => !Object.hasOwn(componentsRaw, n));
    if (unknown !== undefined)
      throw bad(`product ${JSON.stringify(name)} names an unknown component ${JSON.stringify(unknown)}`);
    platforms[name] = { components: names };
    const required = product['required_platform_components'];
    if (Array.isArray(required))
      platforms[name].requiredPlatformComponents = required.map((c) =>
        isObject(c) ? asText(c['name']) : '',
      );
  }

  const components: Guideline['components'] = {};
  for (const [name, component] of Object.entries(componentsRaw)) {
    const caps = isObject(component) ? component['capabilities'] : undefined;
    if (!isObject(caps)) throw bad(`component ${JSON.stringify(name)} has no capabilities`);
    const byStatus = {} as Guideline['components'][string];
    for (const status of CAPABILITY_STATUSES) {
      const ids = caps[status] ?? [];
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
        throw bad(`component ${JSON.stringify(name)}: capabilities.${status} is not a list of ids`);
      byStatus[status] = ids;
    }
    components[name] = byStatus;
  }

  const capabilities: Guideline['capabilities'] = {};
  for (const [id, capability] of Object.entries(capabilitiesRaw)) {
    const tests = isObject(capability) ? capability['tests'] : undefined;
    if (!isObject(tests)) throw bad(`capability ${JSON.stringify(id)} has no tests object`);
    capabilities[id] = { tests: Object.entries(tests).map(([name, test]) => parseTest(name, test, bad)) };
  }

  const repos: Guideline['testRepositories'] = {};
  const reposRaw = doc['test_repositories'];
  for (const [key, repo] of Object.entries(isObject(reposRaw) ? reposRaw : {})) {
    if (isObject(repo))
      repos[key] = { repository: asText(repo['repository']), reference: asText(repo['reference']) };
  }
  const approval = metadata['os_trademark_approval'];
  const status =
    isObject(approval) && typeof approval['status'] === 'string' ? approval['status'] : undefined;
  const guideline: Guideline = {
    id: metadata['id'],
    schema: '2.0',
    kind: addOns === undefined ? 'core' : 'add-on',
    ...(status ? { status } : {}),
    testRepositories: repos,
    platforms,
    components,
    capabilities,
  };
  if (targetsOf(guideline).length === 0) {
    const offered = Object.keys(platforms)
      .map((p) => JSON.stringify(p))
      .join(', ');
    const known = TARGETS.map((t) => `${t} (${TARGET_PRODUCTS[t]})`).join(', ');
    throw bad(`it offers ${offered || 'no products'}, none of tcup's targets ${known}`);
  }
  return guideline;
}

function parseTest(name: string, test: unknown, bad: (problem: string) => TcupError): GuidelineTest {
  if (!isObject(test)) throw bad(`test ${name} is not an object`);
  const raw = test['idempotent_id'];
  let uuid: string | undefined;
  if (raw !== undefined) {
    uuid = asText(raw).trim().toLowerCase().replace(/^id-/, '');
    if (!UUID.test(uuid)) throw bad(`test ${name} has a malformed idempotent_id ${JSON.stringify(raw)}`);
  }
  const aliases = test['aliases'] ?? [];
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string'))
    throw bad(`test ${name}: aliases is not a list of names`);
  const flagged = test['flagged'] !== undefined && test['flagged'] !== false;
  return { name, ...(uuid ? { uuid } : {}), aliases, flagged };
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
