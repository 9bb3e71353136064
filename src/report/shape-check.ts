// A zod schema's check without zod's copy: for the long lists of a report read back (110,000
// principals, findings, graph hops and reach entries at 10,000 principals), zod's parse builds
// a copy of every record checked, which parseReport threw away (~0.4 s and as much garbage). The
// checker is made from the same zod schema (one definition), for the kinds of schema those
// records use, and says what zod's first issue says: the same path, code, expected type or
// values (shape-check.test.ts compares them on generated records, valid and not). Any other kind
// of schema is refused when the checker is made, not guessed at.
import type { z } from 'zod';

/** zod's first issue, as far as readers use it. */
export interface ShapeIssue {
  readonly code: 'invalid_type' | 'invalid_value';
  readonly path: readonly PropertyKey[];
  readonly expected?: string;
  readonly values?: readonly unknown[];
}

/** The first issue of `value` at `path`, or undefined when it passes. */
type Check = (value: unknown, path: PropertyKey[]) => ShapeIssue | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeIssue = (expected: string, path: readonly PropertyKey[]): ShapeIssue => ({ code: 'invalid_type', path: [...path], expected });

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly entries?: Record<string, string | number>;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly checks?: readonly unknown[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A checker for `schema`; throws when the schema uses a kind this does not mirror. */
export function shapeChecker(schema: z.ZodType): (value: unknown) => ShapeIssue | undefined {
  const check = compile(schema);
  return (value) => check(value, []);
}

function compile(schema: z.ZodType): Check {
  const def = defOf(schema);
  // Refinements (min, max, regex…) are not mirrored: a schema with any is refused.
  if (def.checks !== undefined && def.checks.length > 0) throw new Error(`shapeChecker: ${def.type} with checks`);
  switch (def.type) {
    case 'string':
      return (v, path) => (typeof v === 'string' ? undefined : typeIssue('string', path));
    case 'number':
      // zod refuses NaN and ±Infinity as numbers (JSON.parse makes Infinity of 1e999).
      return (v, path) => (typeof v === 'number' && Number.isFinite(v) ? undefined : typeIssue('number', path));
    case 'boolean':
      return (v, path) => (typeof v === 'boolean' ? undefined : typeIssue('boolean', path));
    case 'unknown':
      return () => undefined;
    case 'enum': {
      const values = Object.values(def.entries!);
      const allowed = new Set<unknown>(values);
      return (v, path) => (allowed.has(v) ? undefined : { code: 'invalid_value', path: [...path], values });
    }
    case 'optional': {
      const inner = compile(def.innerType!);
      return (v, path) => (v === undefined ? undefined : inner(v, path));
    }
    case 'array': {
      const element = compile(def.element!);
      return (v, path) => {
        if (!Array.isArray(v)) return typeIssue('array', path);
        for (let i = 0; i < v.length; i++) {
          path.push(i);
          const issue = element(v[i], path);
          path.pop();
          if (issue) return issue;
        }
        return undefined;
      };
    }
    case 'record': {
      if (defOf(def.keyType!).type !== 'string') throw new Error('shapeChecker: a record keyed by other than strings');
      const value = compile(def.valueType!);
      return (v, path) => {
        // JSON.parse makes only plain objects; zod asks for one (`expected record`).
        if (!isObject(v)) return typeIssue('record', path);
        for (const k of Object.keys(v)) {
          path.push(k);
          const issue = value(v[k], path);
          path.pop();
          if (issue) return issue;
        }
        return undefined;
      };
    }
    case 'object': {
      // Loose (unknown keys pass) or stripping (unknown keys pass, dropped from zod's copy): the same check.
      if (def.catchall !== undefined && defOf(def.catchall).type !== 'unknown') throw new Error('shapeChecker: an object with a catchall');
      const fields = Object.entries(def.shape!).map(([k, s]) => [k, compile(s)] as const);
      return (v, path) => {
        if (!isObject(v)) return typeIssue('object', path);
        for (const [k, field] of fields) {
          path.push(k);
          const issue = field(v[k], path);
          path.pop();
          if (issue) return issue;
        }
        return undefined;
      };
    }
    default:
      throw new Error(`shapeChecker: a ${def.type} schema`);
  }
}
