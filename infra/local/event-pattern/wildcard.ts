/** The `wildcard` operator: its escape grammar and an anchored, non-backtracking match. */
import { fail } from './model.ts';

/**
 * Only `*` is special. A backslash may escape `*` (a literal star) or another
 * backslash; any other escape is invalid, and so are consecutive wildcards.
 */
export function validateWildcard(operand: unknown, path: string): void {
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

/**
 * `*` matches any run of characters (including none); `\*` is a literal star
 * and `\\` a literal backslash. The match is anchored at both ends. Uses the
 * classic leftmost-segment scan rather than a regex, so it cannot backtrack
 * exponentially on long values.
 */
export function matchWildcard(pattern: string, value: string): boolean {
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
