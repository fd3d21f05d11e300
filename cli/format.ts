/** Plain-text tables for the terminal; `--json` bypasses this entirely. */
export function table(rows: Array<Record<string, unknown>>, columns: Array<[key: string, title: string]>): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (Array.isArray(v) ? v.join('; ') : v === undefined || v === null ? '' : String(v));
  const widths = columns.map(([k, t]) => Math.min(60, Math.max(t.length, ...rows.map((r) => cell(r[k]).length))));
  const fit = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (vals: string[]) => vals.map((v, i) => fit(v, widths[i]!)).join('  ').trimEnd();
  return [line(columns.map(([, t]) => t)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map(([k]) => cell(r[k]))))].join('\n');
}
