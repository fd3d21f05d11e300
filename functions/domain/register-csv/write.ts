/**
 * Writing the register as CSV, in the same format the import reads.
 */
import { stringify } from 'csv-stringify/sync';
import { parseDate, type AccountFields } from '../model.ts';
import { DEFAULT_FREQUENCY, REGISTER_COLUMNS, type Column } from './columns.ts';
import { protectCell } from './formula.ts';

function exportDate(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return parseDate(value) ?? value;
}

/** An account's register fields as the export's cells, column by column (before formula protection). */
export function registerRecord(row: AccountFields): Record<Column, string> {
  return {
    platform: row.platform,
    handle: row.handle,
    school: row.school,
    linked_email: row.linkedEmail,
    admins: row.admins.join(';'),
    main_supervisor: row.mainSupervisor,
    url: row.url ?? '',
    reserve_supervisor: row.reserveSupervisor ?? '',
    purpose: row.purpose ?? '',
    audience: row.audience ?? '',
    published_name: row.publishedName ?? '',
    monitoring_frequency: row.monitoringFrequency ?? DEFAULT_FREQUENCY,
    planned_end_date: exportDate(row.plannedEndDate),
    next_review_date: exportDate(row.nextReviewDate),
    last_activity_date: exportDate(row.lastActivityDate),
    holiday_monitoring_frequency: row.holidayMonitoringFrequency ?? '',
  };
}

/**
 * Writes the register in the import format: header row, every `REGISTER_COLUMNS` column (empty when
 * undefined), admins joined with `;`, dates as YYYY-MM-DD, LF line endings, no BOM. A cell that would start a
 * formula in a spreadsheet is written with a leading `'` (formula.ts), which the import takes off again.
 * For rows in the form `parseRegisterCsv` returns, `parseRegisterCsv(registerToCsv(rows))` gives them back.
 */
export function registerToCsv(rows: AccountFields[]): string {
  const columns = REGISTER_COLUMNS as Column[];
  const records = rows.map((row) => {
    const r = registerRecord(row);
    return columns.map((c) => protectCell(r[c]));
  });
  return stringify([columns, ...records], { record_delimiter: '\n', bom: false });
}
