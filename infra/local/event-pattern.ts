/**
 * Amazon EventBridge event-pattern validation and matching, for the local
 * EventBridge emulator.
 *
 * Follows the AWS user guide pages "Amazon EventBridge event patterns",
 * "Content filtering in Amazon EventBridge event patterns" and "Comparison
 * operators for use in event patterns in Amazon EventBridge". Where those pages
 * are silent, behaviour follows Event Ruler (github.com/aws/event-ruler), the
 * open-source engine EventBridge matches with.
 *
 * Model: a pattern is a tree of objects whose leaves are arrays of
 * alternatives. Keys in one object are ANDed, the alternatives in one array are
 * ORed, and `$or` ORs whole sub-patterns. Every operator looks at the *leaf*
 * values (string, number, boolean, null) found at the field's path; arrays in
 * the event are flattened, so a field matches when any of its elements does.
 */

export type EventPattern = Record<string, unknown>;

type JsonObject = Record<string, unknown>;
type Leaf = string | number | boolean | null;

const OR_KEY = '$or';

/** Operators that may appear as the single key of a match expression. */
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);

/** The matchers `anything-but` may negate (`{"anything-but": {"prefix": "us-"}}`). */
const ANYTHING_BUT_NESTABLE = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/** Throws an Error with a clear message (naming the offending key path) if the pattern is not valid EventBridge syntax. */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isPlainObject(pattern)) {
    throw new Error('Invalid event pattern: the pattern must be a JSON object');
  }
  validateObject(pattern, '', false);
}

function fail(path: string, message: string): never {
  throw new Error(`Invalid event pattern at ${path || '(root)'}: ${message}`);
}

function validateObject(obj: JsonObject, path: string, isOrMember: boolean): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) fail(path, 'empty objects are not allowed');

  for (const key of keys) {
    const value = obj[key];
    const keyPath = childPath(path, key);

    // `$or` is only the operator when followed by an array; Event Ruler keeps
    // `"$or": {...}` working as an ordinary field name for backward compatibility.
    if (key === OR_KEY && Array.isArray(value)) {
      validateOr(value, keyPath);
      continue;
    }
    // Event Ruler reserves operator names inside `$or` members, so that
    // `{"$or": [{"prefix": "a"}, ...]}` cannot be mistaken for a field called "prefix".
    if (isOrMember && OPERATORS.has(key)) {
      fail(keyPath, `"${key}" is an operator name and cannot be used as a field inside $or`);
    }

    if (isPlainObject(value)) {
      validateObject(value, keyPath, false);
    } else if (Array.isArray(value)) {
      validateValueList(value, keyPath);
    } else {
      fail(keyPath, 'a field must be an array of match values or a nested object');
    }
  }
}

function validateOr(members: unknown[], path: string): void {
  if (members.length < 2) fail(path, '$or must contain at least 2 sub-patterns');
  members.forEach((member, i) => {
    const memberPath = `${path}[${i}]`;
    if (!isPlainObject(member)) fail(memberPath, 'each $or member must be an object');
    validateObject(member, memberPath, true);
  });
}

function validateValueList(values: unknown[], path: string): void {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  values.forEach((value, i) => {
    const itemPath = `${path}[${i}]`;
    if (isPlainObject(value)) {
      validateMatchExpression(value, itemPath);
    } else if (!isLeaf(value)) {
      fail(itemPath, 'a match value must be a string, number, true, false, null or an operator object');
    }
  });
}

function validateMatchExpression(expr: JsonObject, path: string): void {
  const keys = Object.keys(expr);
  if (keys.length === 0) fail(path, 'empty match expression; expected one operator such as "prefix"');
  if (keys.length > 1) {
    fail(path, `a match expression takes exactly one operator, got ${keys.map((k) => `"${k}"`).join(', ')}`);
  }
  const op = keys[0]!;
  const operand = expr[op];
  const opPath = childPath(path, op);

  switch (op) {
    case 'prefix':
    case 'suffix':
      validateAffix(op, operand, opPath);
      return;
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail(opPath, 'equals-ignore-case operand must be a string');
      return;
    case 'wildcard':
      validateWildcard(operand, opPath);
      return;
    case 'anything-but':
      validateAnythingBut(operand, opPath);
      return;
    case 'numeric':
      validateNumeric(operand, opPath);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') fail(opPath, 'exists operand must be true or false');
      return;
    case 'cidr':
      if (typeof operand !== 'string') fail(opPath, 'cidr operand must be a string such as "10.0.0.0/24"');
      parseCidr(operand, opPath);
      return;
    default:
      fail(path, `unknown operator "${op}"`);
  }
}

/** `prefix`/`suffix` take a string, or `{"equals-ignore-case": "..."}` for a case-insensitive affix. */
function validateAffix(op: string, operand: unknown, path: string): void {
  if (typeof operand === 'string') return;
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      fail(path, `${op} takes a string or {"equals-ignore-case": "<string>"}`);
    }
    if (typeof operand['equals-ignore-case'] !== 'string') {
      fail(childPath(path, 'equals-ignore-case'), 'equals-ignore-case operand must be a string');
    }
    return;
  }
  fail(path, `${op} operand must be a string or {"equals-ignore-case": "<string>"}`);
}

/**
 * Only `*` is special. A backslash may escape `*` (a literal star) or another
 * backslash; any other escape is invalid, and so are consecutive wildcards.
 */
function validateWildcard(operand: unknown, path: string): void {
  if (typeof operand !== 'string') fail(path, 'wildcard operand must be a string');
  for (let i = 0; i < operand.length; i++) {
    const ch = operand[i];
    if (ch === '\\') {
      const next = operand[i + 1];
      if (next !== '*' && next !== '\\') {
        fail(path, `invalid escape at position ${i} in "${operand}"; only \\* and \\\\ are allowed`);
      }
      i++; // skip the escaped character
    } else if (ch === '*' && operand[i + 1] === '*') {
      fail(path, `consecutive wildcard characters at position ${i} in "${operand}"`);
    }
  }
}

function validateAnythingBut(operand: unknown, path: string): void {
  if (typeof operand === 'string') return;
  if (typeof operand === 'number') {
    if (!Number.isFinite(operand)) fail(path, 'anything-but number must be finite');
    return;
  }
  if (Array.isArray(operand)) {
    // A list of only strings or only numbers; null, booleans and mixed lists are rejected.
    if (operand.length === 0) fail(path, 'empty arrays are not allowed');
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!allStrings && !allNumbers) {
      fail(path, 'an anything-but list must contain only strings or only numbers');
    }
    return;
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) fail(path, 'anything-but takes exactly one nested operator');
    const inner = keys[0]!;
    const innerPath = childPath(path, inner);
    if (!ANYTHING_BUT_NESTABLE.has(inner)) {
      fail(innerPath, `anything-but cannot be combined with "${inner}"; use prefix, suffix, equals-ignore-case or wildcard`);
    }
    const innerOperand = operand[inner];
    const candidates = Array.isArray(innerOperand) ? innerOperand : [innerOperand];
    if (candidates.length === 0) fail(innerPath, 'empty arrays are not allowed');
    candidates.forEach((candidate, i) => {
      const candidatePath = Array.isArray(innerOperand) ? `${innerPath}[${i}]` : innerPath;
      if (typeof candidate !== 'string') fail(candidatePath, `anything-but/${inner} operand must be a string`);
      if (inner === 'wildcard') validateWildcard(candidate, candidatePath);
      if ((inner === 'prefix' || inner === 'suffix') && candidate === '') {
        fail(candidatePath, `anything-but/${inner} operand must not be empty`);
      }
    });
    return;
  }
  fail(path, 'anything-but takes a string, a number, a list of strings or numbers, or a nested operator object');
}

/**
 * `numeric` is a small grammar: `[op, n]` with op one of = < <= > >=, or a
 * range `[">" | ">=", low, "<" | "<=", high]` with low < high.
 */
function validateNumeric(operand: unknown, path: string): void {
  if (!Array.isArray(operand)) fail(path, 'numeric operand must be an array such as [">", 0, "<=", 5]');
  if (operand.length !== 2 && operand.length !== 4) {
    fail(path, 'numeric takes one comparison [op, n] or a range [">"|">=", low, "<"|"<=", high]');
  }
  const [op1, n1, op2, n2] = operand as unknown[];
  checkNumericTerm(op1, n1, path, 0);
  if (operand.length === 2) return;

  if (op1 !== '>' && op1 !== '>=') fail(`${path}[0]`, 'a numeric range must start with ">" or ">="');
  if (op2 !== '<' && op2 !== '<=') fail(`${path}[2]`, 'a numeric range must end with "<" or "<="');
  checkNumericTerm(op2, n2, path, 2);
  if (!((n1 as number) < (n2 as number))) fail(path, 'the lower bound of a numeric range must be less than the upper bound');
}

function checkNumericTerm(op: unknown, n: unknown, path: string, index: number): void {
  if (typeof op !== 'string' || !NUMERIC_OPERATORS.has(op)) {
    fail(`${path}[${index}]`, `unknown numeric operator ${JSON.stringify(op)}; expected =, <, <=, > or >=`);
  }
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    fail(`${path}[${index + 1}]`, `the value after "${op}" must be a number`);
  }
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

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

/**
 * `*` matches any run of characters (including none); `\*` is a literal star
 * and `\\` a literal backslash. The match is anchored at both ends. Uses the
 * classic leftmost-segment scan rather than a regex, so it cannot backtrack
 * exponentially on long values.
 */
function matchWildcard(pattern: string, value: string): boolean {
  const segments = wildcardSegments(pattern);
  if (segments.length === 1) return value === segments[0];

  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;

  let position = first.length;
  const end = value.length - last.length;
  for (const middle of segments.slice(1, -1)) {
    const found = value.indexOf(middle, position);
    if (found < 0 || found + middle.length > end) return false;
    position = found + middle.length;
  }
  return true;
}

/** Splits a wildcard pattern at its unescaped `*`s, resolving the escapes. */
function wildcardSegments(pattern: string): string[] {
  const segments: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      segments[segments.length - 1] += pattern[++i]!;
    } else if (ch === '*') {
      segments.push('');
    } else {
      segments[segments.length - 1] += ch;
    }
  }
  return segments;
}

// ---------------------------------------------------------------------------
// CIDR
// ---------------------------------------------------------------------------

interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

interface CidrRange {
  version: 4 | 6;
  low: bigint;
  high: bigint;
}

const cidrCache = new Map<string, CidrRange>();

function matchCidr(cidr: string, leaf: string): boolean {
  let range = cidrCache.get(cidr);
  if (!range) {
    range = parseCidr(cidr, 'cidr');
    cidrCache.set(cidr, range);
  }
  const address = parseIp(leaf);
  return address !== undefined && address.version === range.version && address.value >= range.low && address.value <= range.high;
}

/**
 * Follows Event Ruler's CIDR.cidr(): exactly one "/", an integer mask, IPv4
 * masks 0-31 and IPv6 masks 0-127 (Ruler rejects /32 and /128), and the range
 * runs from the address as written up to the address with its host bits set.
 */
function parseCidr(text: string, path: string): CidrRange {
  const parts = text.split('/');
  if (parts.length !== 2) fail(path, `malformed CIDR "${text}", exactly one "/" is required`);
  const [addressText, maskText] = parts as [string, string];
  if (!/^[0-9]+$/.test(maskText)) fail(path, `malformed CIDR "${text}", the mask must be a non-negative integer`);
  const address = parseIp(addressText);
  if (!address) fail(path, `invalid IP address "${addressText}" in CIDR "${text}"`);

  const width = address.version === 4 ? 32 : 128;
  const maskBits = Number(maskText);
  if (maskBits >= width) fail(path, `IPv${address.version} mask bits must be < ${width}`);

  const hostBits = BigInt(width - maskBits);
  const hostMask = (1n << hostBits) - 1n;
  return { version: address.version, low: address.value, high: address.value | hostMask };
}

function parseIp(text: string): IpAddress | undefined {
  if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(text)) {
    let value = 0n;
    for (const octetText of text.split('.')) {
      const octet = Number(octetText); // decimal, even with leading zeros
      if (octet > 255) return undefined;
      value = (value << 8n) | BigInt(octet);
    }
    return { version: 4, value };
  }
  if (text.includes(':') && /^[0-9a-fA-F:]+$/.test(text)) {
    const halves = text.split('::');
    if (halves.length > 2) return undefined;
    const head = halves[0] ? halves[0].split(':') : [];
    const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
    const missing = 8 - head.length - tail.length;
    if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
    const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
    let value = 0n;
    for (const group of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      value = (value << 16n) | BigInt(parseInt(group, 16));
    }
    return { version: 6, value };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
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

function childPath(path: string, key: string): string {
  const segment = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${segment}` : segment;
}
