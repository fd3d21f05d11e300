/** Event-pattern matching against a full EventBridge event. */
import { matchCidr } from './cidr.ts';
import { isLeaf, isPlainObject, OR_KEY, type EventPattern, type JsonObject, type Leaf } from './model.ts';
import { validatePattern } from './validate.ts';
import { matchWildcard } from './wildcard.ts';

/** Patterns already validated, so repeated matching does not re-walk them. */
const validatedPatterns = new WeakSet<object>();

/** True when the event (a full EventBridge event: version,id,detail-type,source,account,time,region,resources,detail) matches. */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  if (!validatedPatterns.has(pattern)) {
    // Fail loudly on a malformed pattern rather than silently matching nothing (or everything).
    validatePattern(pattern);
    validatedPatterns.add(pattern);
  }
  return matchObject(pattern, isPlainObject(event) ? event : {});
}

/** AND over the pattern's keys, evaluated against one object of the event. */
function matchObject(pattern: JsonObject, obj: JsonObject): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === OR_KEY && Array.isArray(sub)) {
      // Each $or member is a sub-pattern applied to this same object.
      if (!sub.some((member) => matchObject(member as JsonObject, obj))) return false;
      continue;
    }

    const present = Object.hasOwn(obj, key) && obj[key] !== undefined;
    const value = present ? obj[key] : undefined;

    if (Array.isArray(sub)) {
      if (!matchField(sub, value, present)) return false;
    } else {
      // Nested pattern object. If the event value is an array of objects, the
      // whole sub-pattern must be satisfied by ONE element (Event Ruler's
      // "array-consistent" matching). If there is no object here at all, the
      // sub-pattern is still evaluated (against nothing), so that a nested
      // `exists: false` matches when a parent is missing.
      const candidates = collectObjects(value);
      if (candidates.length === 0) candidates.push({});
      if (!candidates.some((candidate) => matchObject(sub as JsonObject, candidate))) return false;
    }
  }
  return true;
}

/** OR over one field's alternatives. */
function matchField(alternatives: unknown[], value: unknown, present: boolean): boolean {
  // Operators only see leaf values. An object-valued field, an empty array and
  // a missing field all offer no leaves, which is why the docs' `exists: false`
  // example matches when `c-count` is an object. `null` *is* a leaf.
  const leaves = present ? collectLeaves(value) : [];
  return alternatives.some((alternative) => {
    if (isPlainObject(alternative) && 'exists' in alternative) {
      return alternative.exists === (leaves.length > 0);
    }
    return leaves.some((leaf) => matchLeaf(alternative, leaf));
  });
}

/** Does one event leaf satisfy one pattern alternative (a literal or an operator object)? */
function matchLeaf(alternative: unknown, leaf: Leaf): boolean {
  if (!isPlainObject(alternative)) {
    // Exact match: same JSON type and value, case-sensitive, no normalisation.
    return alternative === leaf;
  }
  const [op, operand] = Object.entries(alternative)[0]!;
  switch (op) {
    case 'prefix':
      return matchAffix(operand, leaf, 'prefix');
    case 'suffix':
      return matchAffix(operand, leaf, 'suffix');
    case 'equals-ignore-case':
      return typeof leaf === 'string' && foldCase(leaf) === foldCase(operand as string);
    case 'wildcard':
      return typeof leaf === 'string' && matchWildcard(operand as string, leaf);
    case 'anything-but':
      return matchAnythingBut(operand, leaf);
    case 'numeric':
      return matchNumeric(operand as unknown[], leaf);
    case 'cidr':
      return typeof leaf === 'string' && matchCidr(operand as string, leaf);
    default:
      return false; // unreachable for validated patterns
  }
}

/** prefix/suffix only ever match strings: "5" as a prefix never matches the number 5. */
function matchAffix(operand: unknown, leaf: Leaf, kind: 'prefix' | 'suffix'): boolean {
  if (typeof leaf !== 'string') return false;
  let value = leaf;
  let affix: string;
  if (isPlainObject(operand)) {
    affix = foldCase(operand['equals-ignore-case'] as string);
    value = foldCase(leaf);
  } else {
    affix = operand as string;
  }
  return kind === 'prefix' ? value.startsWith(affix) : value.endsWith(affix);
}

/**
 * anything-but matches every leaf except the excluded ones, including leaves
 * of other types: `{"anything-but": "x"}` matches 5 and null, and
 * `{"anything-but": {"prefix": "init"}}` matches the number 5 because a number
 * has no "init" prefix. It still needs a leaf, so a missing field never matches.
 */
function matchAnythingBut(operand: unknown, leaf: Leaf): boolean {
  if (Array.isArray(operand)) return !operand.includes(leaf);
  if (isPlainObject(operand)) {
    const [inner, innerOperand] = Object.entries(operand)[0]!;
    const excluded = Array.isArray(innerOperand) ? innerOperand : [innerOperand];
    return !excluded.some((candidate) => matchLeaf({ [inner]: candidate }, leaf));
  }
  return operand !== leaf;
}

/**
 * Numeric comparison works on JSON numbers only (a string "5" never matches)
 * and compares values, so 300, 300.0 and 3.0e2 are all equal here.
 */
function matchNumeric(terms: unknown[], leaf: Leaf): boolean {
  if (typeof leaf !== 'number' || !Number.isFinite(leaf)) return false;
  for (let i = 0; i < terms.length; i += 2) {
    const bound = terms[i + 1] as number;
    switch (terms[i]) {
      case '=':
        if (!(leaf === bound)) return false;
        break;
      case '<':
        if (!(leaf < bound)) return false;
        break;
      case '<=':
        if (!(leaf <= bound)) return false;
        break;
      case '>':
        if (!(leaf > bound)) return false;
        break;
      case '>=':
        if (!(leaf >= bound)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The leaf values at a field, with arrays (at any depth) flattened and objects skipped. */
function collectLeaves(value: unknown, out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) {
    for (const element of value) collectLeaves(element, out);
  } else if (isLeaf(value)) {
    out.push(value);
  }
  return out;
}

/** The objects at a field, with arrays (at any depth) flattened and leaves skipped. */
function collectObjects(value: unknown, out: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(value)) {
    for (const element of value) collectObjects(element, out);
  } else if (isPlainObject(value)) {
    out.push(value);
  }
  return out;
}

function foldCase(text: string): string {
  return text.toLowerCase();
}
