/**
 * A small runtime schema (pure): each schema checks a JSON value and describes itself as plain JSON,
 * so the Python side (container/protocol.py) can be compared with it field by field. Error messages
 * name the path and what was expected, never the value (a value may be a password).
 */

/** The JSON description of a schema; container/protocol.py builds the same shapes. */
export type Description =
  | 'string'
  | 'int'
  | 'bool'
  | { enum: readonly string[] }
  | { list: Description }
  | { map: Description }
  | { pair: [Description, Description] }
  | { nullable: Description }
  | { object: Record<string, { type: Description; optional: boolean }> };

export interface Schema<T> {
  readonly description: Description;
  /** The first problem in `value` as `path: what was expected`, or undefined when it fits. */
  problem(value: unknown, path: string): string | undefined;
  /** Type carrier only (never set). */
  readonly type?: T;
}

export interface Optional<T> {
  readonly optional: Schema<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Fields = Record<string, Schema<unknown> | Optional<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<F extends Fields> = Simplify<
  { [K in keyof F as F[K] extends Optional<unknown> ? never : K]: Infer<F[K]> } & {
    [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: F[K] extends Optional<infer T> ? T : never;
  }
>;

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function leaf<T>(description: Description, fits: (v: unknown) => boolean, expected: string): Schema<T> {
  return {
    description,
    problem: (v, path) => (fits(v) ? undefined : `${path || 'value'}: expected ${expected}`),
  };
}

export const string = leaf<string>('string', (v) => typeof v === 'string', 'a string');
export const int = leaf<number>('int', (v) => Number.isSafeInteger(v), 'an integer');
export const bool = leaf<boolean>('bool', (v) => typeof v === 'boolean', 'true or false');

export function oneOf<const V extends readonly string[]>(...values: V): Schema<V[number]> {
  return leaf({ enum: values }, (v) => values.includes(v as string), `one of ${values.join(', ')}`);
}

export function list<T>(item: Schema<T>): Schema<T[]> {
  return {
    description: { list: item.description },
    problem(v, path) {
      if (!Array.isArray(v)) return `${path || 'value'}: expected a list`;
      for (const [i, x] of v.entries()) {
        const p = item.problem(x, `${path}[${i}]`);
        if (p) return p;
      }
      return undefined;
    },
  };
}

export function map<T>(item: Schema<T>): Schema<Record<string, T>> {
  return {
    description: { map: item.description },
    problem(v, path) {
      if (!isRecord(v)) return `${path || 'value'}: expected a mapping`;
      for (const [k, x] of Object.entries(v)) {
        const p = item.problem(x, at(path, k));
        if (p) return p;
      }
      return undefined;
    },
  };
}

export function pair<A, B>(a: Schema<A>, b: Schema<B>): Schema<[A, B]> {
  return {
    description: { pair: [a.description, b.description] },
    problem(v, path) {
      if (!Array.isArray(v) || v.length !== 2) return `${path || 'value'}: expected a pair`;
      return a.problem(v[0], `${path}[0]`) ?? b.problem(v[1], `${path}[1]`);
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    description: { nullable: inner.description },
    problem: (v, path) => (v === null ? undefined : inner.problem(v, path)),
  };
}

/** A field that may be absent (a key whose value is undefined counts as absent). */
export function optional<T>(schema: Schema<T>): Optional<T> {
  return { optional: schema };
}

/** A mapping with exactly these fields: an unknown key is a problem (both sides must know each field). */
export function object<F extends Fields>(fields: F): Schema<ObjectOf<F>> {
  const entries = Object.entries(fields).map(([key, f]) =>
    'optional' in f ? { key, schema: f.optional, optional: true } : { key, schema: f, optional: false },
  );
  const description: Description = {
    object: Object.fromEntries(
      entries.map((e) => [e.key, { type: e.schema.description, optional: e.optional }]),
    ),
  };
  return {
    description,
    problem(v, path) {
      if (!isRecord(v)) return `${path || 'value'}: expected a mapping`;
      for (const key of Object.keys(v))
        if (v[key] !== undefined && !Object.hasOwn(fields, key)) return `${at(path, key)}: unknown field`;
      for (const e of entries) {
        const x = v[e.key];
        if (x === undefined) {
          if (!e.optional) return `${at(path, e.key)}: missing`;
          continue;
        }
        const p = e.schema.problem(x, at(path, e.key));
        if (p) return p;
      }
      return undefined;
    },
  };
}
