/**
 * The register CSV's columns: the ones every row must fill, the optional ones, and the order the export writes them in.
 */
import type { MonitoringFrequency } from '../model.ts';

export const REQUIRED_COLUMNS = ['platform', 'handle', 'school', 'linked_email', 'admins', 'main_supervisor'] as const;
const OPTIONAL_COLUMNS = [
  'url', 'reserve_supervisor', 'purpose', 'audience', 'published_name', 'monitoring_frequency',
  'planned_end_date', 'next_review_date', 'last_activity_date', 'holiday_monitoring_frequency',
] as const;

/**
 * The export column order: required then optional, as named in the contract. holiday_monitoring_frequency came
 * later (contracts section 9) and is last, so spreadsheets and scripts that read the older columns by position
 * still find them where they were.
 */
export const REGISTER_COLUMNS: readonly string[] = Object.freeze([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

export type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

export const DEFAULT_FREQUENCY: MonitoringFrequency = 'weekly';
