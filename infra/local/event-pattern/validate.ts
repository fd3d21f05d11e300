/** Event-pattern validation: syntax errors are thrown with the offending key path. */
import { parseCidr } from './cidr.ts';
import { fail, isLeaf, isPlainObject, OR_KEY, type EventPattern, type JsonObject } from './model.ts';
import { validateWildcard } from './wildcard.ts';

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

/** Throws an Error with a clear message (naming the offending key path) if the pattern is not valid EventBridge syntax. */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isPlainObject(pattern)) {
    throw new Error('Invalid event pattern: the pattern must be a JSON object');
  }
  validateObject(pattern, '', false);
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

function childPath(path: string, key: string): string {
  const segment = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${segment}` : segment;
}
