/**
 * Formula neutralising (contracts section 4). A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab or
 * a carriage return as a formula, so a handle such as `=HYPERLINK("x")` would run when the export is opened in Excel.
 * The export writes such a cell with a leading `'` (which Excel shows as text and does not display), and the import
 * removes that `'` again, so export → import is still a no-op.
 *
 * To keep the pair exact, a value that already starts with `'`s followed by one of those characters gets one more
 * `'` on export: `'=x` is written `''=x` and read back as `'=x`. Any other value, `'` or not, is left as it is.
 */

/** Starts a formula, after any number of `'`s. */
const FORMULA_AFTER_QUOTES = /^'*[=+\-@\t\r]/;
/** One or more `'`s, then a character that starts a formula: the import takes the first `'` off. */
const PROTECTED = /^'+[=+\-@\t\r]/;

/** The cell as the export writes it. */
export function protectCell(value: string): string {
  return FORMULA_AFTER_QUOTES.test(value) ? `'${value}` : value;
}

/** The value of a cell the import read (already trimmed): `protectCell`'s inverse. */
export function unprotectCell(value: string): string {
  return PROTECTED.test(value) ? value.slice(1) : value;
}
