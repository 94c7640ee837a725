import { OversightStore, type OversightStoreOptions } from './store.js';
import { isPeriod } from './report.js';
import { isReportFormat, renderReport, type ReportFormat } from './render.js';

export interface ReportCommandOptions extends Omit<OversightStoreOptions, 'ledgerDir'> {
  readonly ledgerDir: string;
  /** YYYY-MM (UTC month). */
  readonly period: string;
  readonly format: string;
}

/**
 * `firewall report --period YYYY-MM --format json|csv|html`: the month's transparency report, computed from the
 * ledger folder alone (offline, read-only), exactly as GET /v1/oversight/report serves it.
 * Throws a RangeError naming the bad option.
 */
export async function reportCommand(options: ReportCommandOptions): Promise<string> {
  if (!isPeriod(options.period)) throw new RangeError('--period must be a month, YYYY-MM (e.g. 2026-11)');
  if (!isReportFormat(options.format)) throw new RangeError('--format must be json, csv or html');
  const store = new OversightStore(options);
  await store.sync();
  return renderReport(store.report(options.period), options.format as ReportFormat);
}

export const reportHelp = `Usage: firewall report --period YYYY-MM [--format json|csv|html]

Prints the transparency report for one month (UTC) on stdout, computed from the ledger in
$FIREWALL_DATA_DIR/ledger: requests decided by outcome, agency class, city system, legal basis and rule, the
Council section (federal requests for assistance and their outcomes), and refused input by reason. Counts from
1 to 9 are shown as "<10"; no personal data. The same report as GET /v1/oversight/report. Default format: json.`;
