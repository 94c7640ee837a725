import type { DecisionFact, OversightIndex, ReasonFact } from './oversight-index.js';
import type { RuleCatalog } from './rule-catalog.js';
import { suppress, type Equation, type Published, type Suppressed } from './suppression.js';
import {
  agencyClasses, agencyClassLabels, basisTypeLabel, byRuleNumber, decisionLabels, decisions, federalClasses, systemLabel,
  type DecisionCode,
} from './vocabulary.js';

export const REPORT_FORMAT = 'firewall-transparency-report/1';

/** A row of counts by decision; `V` is how a count is published (the report's cells, the summary's figures). */
export interface CountRow<V> {
  readonly key: string;
  readonly label: string;
  readonly cells: Readonly<Record<DecisionCode, V>>;
  readonly total: V;
  /** Rules only: the rule's title and legal sources. */
  readonly sources?: readonly string[];
}

export interface CountTable<V> {
  readonly id: string;
  readonly title: string;
  readonly rowHeading: string;
  readonly rows: readonly CountRow<V>[];
  /** Column totals, where the rows partition the requests (not for rules: a decision cites several). */
  readonly totals: CountRow<V> | null;
}

export type ReportRow = CountRow<Published>;
export type ReportTable = CountTable<Published>;

export interface ReasonTable {
  readonly title: string;
  readonly rows: readonly { readonly reason: string; readonly value: Published }[];
  readonly total: Published;
}

export interface TransparencyReport {
  readonly format: typeof REPORT_FORMAT;
  readonly title: string;
  readonly period: string;
  readonly from: string;
  readonly to: string;
  readonly decisions: readonly { readonly key: DecisionCode; readonly label: string }[];
  readonly totals: ReportRow;
  readonly tables: readonly ReportTable[];
  readonly council: { readonly title: string; readonly note: string; readonly tables: readonly ReportTable[] };
  readonly rejectedInputs: ReasonTable;
  readonly deadLetters: ReasonTable;
  readonly source: ReportSource;
  readonly method: { readonly smallCellThreshold: number; readonly notes: readonly string[] };
}

export interface ReportSource {
  /** Ledger entries read to compute this report (all periods), and the last seq and hash read. */
  readonly ledgerEntriesRead: number;
  readonly lastSeq: number | null;
  readonly headHash: string | null;
  readonly checkpoint: { readonly size: number; readonly root: string; readonly time: string } | null;
  readonly policyRevisions: readonly string[];
}

export interface ReportOptions {
  readonly ruleCatalog?: RuleCatalog;
  /** small_cell_k of policies/thresholds/data.json. Default 10. */
  readonly smallCellK?: number;
  readonly source?: Partial<Omit<ReportSource, 'policyRevisions'>>;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD.test(value);
}

/** First and last instant of a YYYY-MM period, UTC. */
export function periodBounds(period: string): { from: string; to: string } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  // setUTCFullYear, not Date.UTC: the latter reads the years 0–99 as 1900–1999.
  const first = (year: number, monthIndex: number) => new Date(0).setUTCFullYear(year, monthIndex, 1);
  return { from: new Date(first(y, m - 1)).toISOString(), to: new Date(first(y, m) - 1).toISOString() };
}

const notes = (k: number) => [
  'Source: the signed audit ledger. A request counts once, by its first DECISION entry, in the UTC month the ledger recorded it. Dry runs are never counted. Anyone with the ledger can recount these numbers; "firewall verify" checks the ledger first.',
  `Small numbers: a count from 1 to ${k - 1} is shown as "<${k}", so no one can be singled out. Zero is shown as 0.`,
  `"suppressed": a count of ${k} or more, hidden so that a "<${k}" in the same row or column cannot be worked out by subtraction from the totals.`,
  'Rows not listed are 0. Agencies are grouped by class; no agency, person, identifier or request text appears in this report.',
  'Rules: a decision cites every rule that matched, so rule counts add up to more than the number of requests. R25 (every decision is audited) is cited on every decision and not listed.',
];

/** The transparency report for one month, from the ledger-derived index. */
export function buildReport(index: OversightIndex, period: string, options: ReportOptions = {}): TransparencyReport {
  if (!isPeriod(period)) throw new RangeError('period must be YYYY-MM');
  const k = options.smallCellK ?? 10;
  const facts = index.decisions.filter((f) => f.month === period);
  const { values, equations, layout } = countMonth(facts, index.rejections.filter((f) => f.month === period), index.deadLetters.filter((f) => f.month === period));
  const s = suppress(values, equations, { k });
  const rules = options.ruleCatalog ?? new Map();
  const row = (id: string, key: string, label: string, sources?: readonly string[]): ReportRow => ({
    key, label, cells: cellsOf(s, id), total: s.publish(id), ...(sources ? { sources } : {}),
  });
  const table = (id: string, title: string, rowHeading: string, prefix: string, keys: readonly string[], label: (key: string) => string, margin = 'T'): ReportTable => ({
    id, title, rowHeading, rows: keys.map((key) => row(`${prefix}|${key}`, key, label(key))),
    totals: row(margin, 'total', margin === 'T' ? 'All requests' : 'All federal requests'),
  });
  const { from, to } = periodBounds(period);
  return {
    format: REPORT_FORMAT,
    title: `Sanctuary firewall transparency report, ${period}`,
    period, from, to,
    decisions: decisions.map((key) => ({ key, label: decisionLabels[key] })),
    totals: row('T', 'total', 'All requests'),
    tables: [
      table('byAgencyClass', 'By requesting agency class', 'Agency class', 'class', layout.classes, (c) => agencyClassLabels[c as keyof typeof agencyClassLabels]),
      table('bySystem', 'By city system', 'City system', 'system', layout.systems, systemLabel),
      table('byBasisType', 'By legal basis presented', 'Legal basis', 'basis', layout.basisTypes, basisTypeLabel),
      {
        id: 'byRule', title: 'Rules cited', rowHeading: 'Rule', totals: null,
        rows: layout.rules.map((r) => row(`rule|${r}`, r, rules.get(r)?.title ?? `Rule ${r}`, rules.get(r)?.sources ?? [])),
      },
    ],
    council: {
      title: 'Council reporting: federal requests for assistance and their outcomes',
      note: 'Every request from a federal agency (immigration enforcement, federal criminal investigators, immigration benefits, prevention programs), as the ordinance requires the Council to be told, with its outcome.',
      tables: [
        table('federalByAgencyClass', 'Federal requests by agency class', 'Agency class', 'class', federalClasses, (c) => agencyClassLabels[c as keyof typeof agencyClassLabels], 'fed'),
        table('federalByBasisType', 'Federal requests by legal basis presented', 'Legal basis', 'fedbasis', layout.federalBasisTypes, basisTypeLabel, 'fed'),
      ],
    },
    rejectedInputs: reasons(s, 'Requests refused before a decision (malformed or unauthenticated), by reason', 'rej', layout.rejections),
    deadLetters: reasons(s, 'Messages the firewall could not process (kept and audited), by reason', 'dlq', layout.deadLetters),
    source: {
      ledgerEntriesRead: options.source?.ledgerEntriesRead ?? index.position.entries,
      lastSeq: options.source?.lastSeq ?? index.position.lastSeq,
      headHash: options.source?.headHash ?? null,
      checkpoint: options.source?.checkpoint ?? null,
      policyRevisions: index.revisions(period),
    },
    method: { smallCellThreshold: k, notes: notes(k) },
  };
}

function cellsOf(s: Suppressed, id: string): Record<DecisionCode, Published> {
  return Object.fromEntries(decisions.map((d) => [d, s.publish(`${id}|${d}`)])) as Record<DecisionCode, Published>;
}

function reasons(s: Suppressed, title: string, prefix: string, keys: readonly string[]): ReasonTable {
  return { title, rows: keys.map((reason) => ({ reason, value: s.publish(`${prefix}|${reason}`) })), total: s.publish(prefix) };
}

export interface MonthCounts {
  readonly values: Map<string, number>;
  readonly equations: Equation[];
  readonly layout: {
    classes: string[]; systems: string[]; basisTypes: string[]; rules: string[]; federalBasisTypes: string[]; rejections: string[]; deadLetters: string[];
  };
}

/**
 * Exact counts of one month under stable ids (`T|DENY`, `class|enforcement|DENY`, `class|enforcement`, …) and
 * the equations that link them: what a reader could add up.
 */
export function countMonth(facts: readonly DecisionFact[], rejections: readonly ReasonFact[], deadLetters: readonly ReasonFact[]): MonthCounts {
  const values = new Map<string, number>();
  const inc = (id: string, by = 1) => values.set(id, (values.get(id) ?? 0) + by);
  for (const f of facts) {
    const federal = federalClasses.includes(f.agencyClass);
    for (const id of ['T', `T|${f.decision}`, `class|${f.agencyClass}`, `class|${f.agencyClass}|${f.decision}`, `system|${f.system}`, `system|${f.system}|${f.decision}`,
      `basis|${f.basisType}`, `basis|${f.basisType}|${f.decision}`]) inc(id);
    if (federal) for (const id of ['fed', `fed|${f.decision}`, `fedbasis|${f.basisType}`, `fedbasis|${f.basisType}|${f.decision}`]) inc(id);
    for (const r of f.rules) if (r !== 'R25') for (const id of [`rule|${r}`, `rule|${r}|${f.decision}`]) inc(id);
  }
  for (const r of rejections) for (const id of ['rej', `rej|${r.reason}`]) inc(id, r.count ?? 1);
  for (const d of deadLetters) for (const id of ['dlq', `dlq|${d.reason}`]) inc(id);

  const present = (prefix: string) => [...new Set([...values.keys()].filter((id) => id.startsWith(`${prefix}|`)).map((id) => id.split('|')[1]!))];
  const classes = agencyClasses.filter((c) => c !== 'unknown' || values.has('class|unknown'));
  const systems = [...new Set([...['municipal_id', 'service_requests', 'summons', 'parking', 'audit'], ...present('system')])];
  const layout = {
    classes, systems,
    basisTypes: present('basis').sort(), rules: present('rule').sort(byRuleNumber), federalBasisTypes: present('fedbasis').sort(),
    rejections: present('rej').sort(), deadLetters: present('dlq').sort(),
  };
  const equations: Equation[] = [{ total: 'T', parts: decisions.map((d) => `T|${d}`) }];
  const grid = (prefix: string, keys: readonly string[], margin: string) => {
    for (const key of keys) equations.push({ total: `${prefix}|${key}`, parts: decisions.map((d) => `${prefix}|${key}|${d}`) });
    for (const d of decisions) equations.push({ total: `${margin}|${d}`, parts: keys.map((key) => `${prefix}|${key}|${d}`) });
    equations.push({ total: margin, parts: keys.map((key) => `${prefix}|${key}`) });
  };
  grid('class', agencyClasses, 'T');
  grid('system', present('system'), 'T');
  grid('basis', layout.basisTypes, 'T');
  grid('class', federalClasses, 'fed');
  grid('fedbasis', layout.federalBasisTypes, 'fed');
  equations.push({ total: 'fed', parts: decisions.map((d) => `fed|${d}`) });
  for (const r of layout.rules) equations.push({ total: `rule|${r}`, parts: decisions.map((d) => `rule|${r}|${d}`) });
  equations.push({ total: 'rej', parts: layout.rejections.map((r) => `rej|${r}`) });
  equations.push({ total: 'dlq', parts: layout.deadLetters.map((r) => `dlq|${r}`) });
  return { values, equations, layout };
}
