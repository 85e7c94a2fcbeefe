import type { OxenParameter } from './oxen-api.ts';
import { typesOf } from './oxen-models.ts';

/*
 * Whether a value fits a parameter of a model's JSON schema, as far as the adapter checks it: the
 * enum, the type and the range. A value that does not fit is not sent, and the warning says why.
 */

/** The values a parameter takes, for a message: `one of 1:1, 16:9` or `any value`. */
export function describeEnum(parameter: OxenParameter): string {
  return parameter.enum ? `one of ${parameter.enum.map((value) => String(value)).join(', ')}` : 'any value';
}

/** Why a value does not fit a parameter, or `undefined` when it fits. */
export function valueProblem(parameter: OxenParameter, value: unknown): string | undefined {
  const candidate = coerce(parameter, value);
  if (parameter.enum) {
    return parameter.enum.some((allowed) => allowed === candidate) ? undefined : describeEnum(parameter);
  }
  const types = typesOf(parameter);
  if (types.length > 0 && !types.some((type) => matchesType(type, candidate))) {
    return `expected ${types.join(' or ')}`;
  }
  if (typeof candidate === 'number') {
    if (parameter.minimum !== undefined && candidate < parameter.minimum) {
      return `must be at least ${parameter.minimum}`;
    }
    if (parameter.maximum !== undefined && candidate > parameter.maximum) {
      return `must be at most ${parameter.maximum}`;
    }
  }
  return undefined;
}

/** A number given for a parameter whose values are strings (`safety_tolerance: 2` → `"2"`) is the same value. */
export function coerce(parameter: OxenParameter, value: unknown): unknown {
  const types = typesOf(parameter);
  const stringValued =
    types.includes('string') || parameter.enum?.every((allowed) => typeof allowed === 'string');
  if (typeof value === 'number' && stringValued && !types.includes('number') && !types.includes('integer')) {
    return String(value);
  }
  return value;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}
