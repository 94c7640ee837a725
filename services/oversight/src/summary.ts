import type { OversightIndex } from './oversight-index.js';
import { buildReport, isPeriod, type CountRow, type CountTable, type ReportOptions, type ReportRow, type ReportTable, type TransparencyReport } from './report.js';
import type { Published } from './suppression.js';
import { decisionHelp, decisionLabels, decisions, type DecisionCode } from './vocabulary.js';

/**
 * A figure over several months. The month is the unit of publication: a range only ever adds up monthly
 * published numbers, so no choice of dates can undo a month's suppression by differencing two ranges.
 * `{ atLeast }` is the sum of the shown monthly numbers plus the least each hidden one can be (1 for "<10",
 * 10 for "suppressed").
 */
export type Figure = Published | { readonly atLeast: number };

export type FigureRow = CountRow<Figure>;
export type FigureTable = CountTable<Figure>;

export interface OversightSummary {
  readonly from: string;
  readonly to: string;
  readonly months: readonly string[];
  readonly decisions: readonly { readonly key: DecisionCode; readonly label: string; readonly help: string }[];
  readonly totals: FigureRow;
  readonly tables: readonly FigureTable[];
  readonly council: { readonly title: string; readonly note: string; readonly tables: readonly FigureTable[] };
  readonly rejectedInputs: Figure;
  readonly deadLetters: Figure;
  /** Month by month, the twelve months ending with `to`. */
  readonly trend: readonly { readonly month: string; readonly cells: Readonly<Record<DecisionCode, Published>>; readonly total: Published }[];
  /** Held requests waiting for a reviewer now (all months): the count is published like any other. */
  readonly reviewBacklog: { readonly waiting: Published; readonly oldestWaitingDays: number | null };
  readonly notes: readonly string[];
  readonly source: TransparencyReport['source'];
}

/** Months from `from` to `to` inclusive (YYYY-MM), at most `limit`. */
export function monthsBetween(from: string, to: string, limit = 120): string[] {
  if (!isPeriod(from) || !isPeriod(to) || from > to) throw new RangeError('from and to must be months (YYYY-MM), from ≤ to');
  const out: string[] = [];
  for (let m = from; out.length < limit; m = shiftMonth(m, 1)) {
    out.push(m);
    if (m >= to) break;
  }
  return out;
}

const LAST_MONTH = 9999 * 12 + 11;
/**
 * The month `by` months away, within 0000-01..9999-12 (clamped): plain arithmetic, since Date.UTC reads the years
 * 0–99 as 1900–1999 and a year past 9999 is no YYYY-MM.
 */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = Math.min(Math.max(y * 12 + (m - 1) + by, 0), LAST_MONTH);
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export interface SummaryOptions extends ReportOptions {
  readonly now?: () => Date;
  /** Monthly reports, cached by the caller (the router keys them by month and ledger position). */
  readonly reportFor?: (month: string) => TransparencyReport;
}

export function buildSummary(index: OversightIndex, from: string, to: string, options: SummaryOptions = {}): OversightSummary {
  const reportFor = options.reportFor ?? ((m: string) => buildReport(index, m, options));
  const months = monthsBetween(from, to);
  const reports = months.map(reportFor);
  const last = reports[reports.length - 1]!;
  const combineTables = (pick: (r: TransparencyReport) => readonly ReportTable[]) => pick(last).map((t, i) => combineTable(reports.map((r) => pick(r)[i]!), t));
  const backlog = index.reviewBacklog();
  const now = (options.now?.() ?? new Date()).getTime();
  const k = last.method.smallCellThreshold;
  return {
    from, to, months,
    decisions: decisions.map((key) => ({ key, label: decisionLabels[key], help: decisionHelp[key] })),
    totals: combineRows(reports.map((r) => r.totals), last.totals),
    tables: combineTables((r) => r.tables),
    council: { ...last.council, tables: combineTables((r) => r.council.tables) },
    rejectedInputs: combine(reports.map((r) => r.rejectedInputs.total)),
    deadLetters: combine(reports.map((r) => r.deadLetters.total)),
    trend: monthsBetween(shiftMonth(to, -11), to).map((month) => {
      const r = months.includes(month) ? reports[months.indexOf(month)]! : reportFor(month);
      return { month, cells: r.totals.cells, total: r.totals.total };
    }),
    reviewBacklog: {
      waiting: backlog.count >= 1 && backlog.count < k ? '<10' : backlog.count,
      oldestWaitingDays: backlog.oldestAt === null ? null : Math.floor((now - backlog.oldestAt) / 86_400_000),
    },
    notes: last.method.notes,
    source: { ...last.source, policyRevisions: [...new Set(reports.flatMap((r) => r.source.policyRevisions))].sort() },
  };
}

/** Adds monthly published numbers; see Figure. */
export function combine(values: readonly Published[]): Figure {
  if (values.length === 1) return values[0]!;
  let shown = 0;
  let least = 0;
  const hidden: Published[] = [];
  for (const v of values) {
    if (typeof v === 'number') shown += v;
    else {
      hidden.push(v);
      least += v === '<10' ? 1 : 10;
    }
  }
  if (hidden.length === 0) return shown;
  if (hidden.length === 1 && shown === 0) return hidden[0]!;
  return { atLeast: shown + least };
}

function combineRows(rows: readonly ReportRow[], shape: ReportRow): FigureRow {
  return {
    key: shape.key, label: shape.label, ...(shape.sources ? { sources: shape.sources } : {}),
    cells: Object.fromEntries(decisions.map((d) => [d, combine(rows.map((r) => r.cells[d]))])) as Record<DecisionCode, Figure>,
    total: combine(rows.map((r) => r.total)),
  };
}

/** Rows are matched by key; a row missing in a month (nothing counted) is 0 there. */
function combineTable(tables: readonly ReportTable[], shape: ReportTable): FigureTable {
  const keys = [...new Set(tables.flatMap((t) => t.rows.map((r) => r.key)))];
  const zero = (key: string, like: ReportRow): ReportRow => ({ ...like, key, cells: Object.fromEntries(decisions.map((d) => [d, 0])) as Record<DecisionCode, Published>, total: 0 });
  const rows = keys.map((key) => {
    const like = tables.map((t) => t.rows.find((r) => r.key === key)).find((r) => r !== undefined)!;
    return combineRows(tables.map((t) => t.rows.find((r) => r.key === key) ?? zero(key, like)), like);
  });
  const totals = shape.totals ? combineRows(tables.map((t) => t.totals!), shape.totals) : null;
  return { id: shape.id, title: shape.title, rowHeading: shape.rowHeading, rows, totals };
}

/** The least a figure can be: for ordering (top rules) without revealing more than is shown. */
export function leastOf(figure: Figure): number {
  if (typeof figure === 'number') return figure;
  if (figure === '<10') return 1;
  if (figure === 'suppressed') return 10;
  return figure.atLeast;
}

export function formatFigure(figure: Figure): string {
  if (typeof figure === 'number') return figure.toLocaleString('en-US');
  if (typeof figure === 'string') return figure;
  return `at least ${figure.atLeast.toLocaleString('en-US')}`;
}
