/** The pattern model shared by validation and matching: JSON shapes, the `$or` key, the error format. */

export type EventPattern = Record<string, unknown>;

export type JsonObject = Record<string, unknown>;
export type Leaf = string | number | boolean | null;

export const OR_KEY = '$or';

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isLeaf(value: unknown): value is Leaf {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** Every validation error names the offending key path. */
export function fail(path: string, message: string): never {
  throw new Error(`Invalid event pattern at ${path || '(root)'}: ${message}`);
}
