/**
 * Characters a register cell may not hold (contracts section 4). Control characters, text-direction controls
 * (bidirectional embeddings, overrides and isolates, and the invisible direction marks) and zero-width characters can
 * make a handle or an address look like another one, or disguise text in the emails and pages that show it; a row
 * holding one is refused with the column named, never silently cleaned.
 *
 * Two exceptions, both in free-text columns only:
 * - `purpose` and `audience` may span lines (a quoted value with CR, LF or CRLF inside it). The import has always
 *   read them so and the export writes them so; no other column may.
 * - `purpose`, `audience` and `published_name` may hold a zero-width joiner inside an emoji sequence (👩‍💻, 🏳️‍🌈),
 *   which is how those emoji are spelt; anywhere else it is refused like any zero-width character.
 *
 * Only the register's own columns are checked: extra columns (notes) are ignored by the import anyway.
 */
import type { Column } from './columns.ts';

const MULTILINE_COLUMNS: ReadonlySet<Column> = new Set<Column>(['purpose', 'audience']);
const FREE_TEXT_COLUMNS: ReadonlySet<Column> = new Set<Column>(['purpose', 'audience', 'published_name']);

/** C0 and C1 control characters and DEL; text-direction controls and marks; zero-width characters. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
/** A zero-width joiner between two parts of an emoji (an emoji, a skin tone, or the emoji variation selector). */
const EMOJI_BEFORE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

const NAMES: Record<number, string> = {
  0x00: 'NUL', 0x09: 'tab', 0x0a: 'line feed', 0x0d: 'carriage return', 0x1b: 'escape', 0x7f: 'delete',
  0x061c: 'Arabic letter mark', 0x200b: 'zero-width space', 0x200c: 'zero-width non-joiner', 0x200d: 'zero-width joiner',
  0x200e: 'left-to-right mark', 0x200f: 'right-to-left mark', 0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding', 0x202c: 'pop directional formatting', 0x202d: 'left-to-right override',
  0x202e: 'right-to-left override', 0x2060: 'word joiner', 0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate', 0x2068: 'first strong isolate', 0x2069: 'pop directional isolate',
  0xfeff: 'zero-width no-break space',
};

function code(c: number): string {
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return NAMES[c] ? `${hex} ${NAMES[c]}` : hex;
}

function kind(c: number): string {
  if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return 'a control character';
  if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return 'a text-direction character';
  return 'an invisible zero-width character';
}

/**
 * Why `raw` (a cell exactly as read, before trimming) may not be imported into `column`, or undefined when it may.
 * Names the first offending character only: one short reason per column, however bad the cell.
 */
export function unsafeCharacterReason(column: Column, raw: string): string | undefined {
  UNSAFE.lastIndex = 0;
  for (let m = UNSAFE.exec(raw); m !== null; m = UNSAFE.exec(raw)) {
    const at = m.index;
    const c = raw.charCodeAt(at);
    if (c === 0x0d || c === 0x0a) {
      if (MULTILINE_COLUMNS.has(column)) continue; // CR, LF or CRLF inside a quoted value
      return `${column}: contains a line break (only purpose and audience may span lines)`;
    }
    // An emoji is at most two UTF-16 units, and a variation selector or skin tone follows it directly.
    if (c === 0x200d && FREE_TEXT_COLUMNS.has(column) && EMOJI_BEFORE.test(raw.slice(Math.max(0, at - 2), at)) && EMOJI_AFTER.test(raw.slice(at + 1, at + 3))) continue;
    return `${column}: contains ${kind(c)} (${code(c)})`;
  }
  return undefined;
}
