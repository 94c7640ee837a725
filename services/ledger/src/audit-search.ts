import { parseStoredLine, type StoredLine } from './entry.js';
import { ledgerLines } from './layout.js';

/** What the city attorney can search the audit trail by. Every filter is optional; all given must match. */
export interface AuditQuery {
  readonly from?: string;
  readonly to?: string;
  readonly type?: string;
  readonly requestId?: string;
  readonly agency?: string;
  readonly system?: string;
  readonly decision?: string;
  readonly rule?: string;
  readonly reviewerRole?: string;
  /** Requests naming the subject, and ACCESS entries about the subject (who searched for or looked them up). */
  readonly subjectHash?: string;
  /** ACCESS entries: what was done (an AccessAction) and whether it was GRANTED or REFUSED. */
  readonly action?: string;
  readonly outcome?: string;
  /** Return entries after this sequence number (the `next` of the previous page). */
  readonly after?: number;
  readonly limit?: number;
}

export interface AuditPage {
  readonly entries: readonly StoredLine[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: number | null;
}

/** Every complete entry of a ledger folder, in order (a torn last line, a write in progress, is skipped). */
export async function* ledgerEntries(dir: string): AsyncGenerator<StoredLine> {
  for await (const line of ledgerLines(dir)) {
    if (!line.terminated && line.inLastSegment) continue;
    yield parseStoredLine(line.text);
  }
}

export function matches(line: StoredLine, query: AuditQuery): boolean {
  const { entry } = line;
  const s = entry.summary;
  const time = Date.parse(entry.time);
  return (query.from === undefined || time >= Date.parse(query.from))
    && (query.to === undefined || time <= endOf(query.to))
    && (query.type === undefined || entry.type === query.type)
    && (query.requestId === undefined || entry.requestId === query.requestId)
    && (query.agency === undefined || s.agency === query.agency)
    && (query.system === undefined || s.system === query.system)
    && (query.decision === undefined || s.decision === query.decision)
    && (query.rule === undefined || (s.rules ?? []).includes(query.rule))
    && (query.reviewerRole === undefined || s.reviewerRole === query.reviewerRole)
    && (query.subjectHash === undefined || (s.subjectHashes ?? []).includes(query.subjectHash))
    && (query.action === undefined || s.action === query.action)
    && (query.outcome === undefined || s.outcome === query.outcome);
}

/** A date alone means the whole of that day (UTC). */
function endOf(to: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? Date.parse(`${to}T23:59:59.999Z`) : Date.parse(to);
}

/** One page of matching entries, oldest first. */
export async function searchLedger(entries: AsyncIterable<StoredLine> | Iterable<StoredLine>, query: AuditQuery): Promise<AuditPage> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const page: StoredLine[] = [];
  for await (const line of entries) {
    if (query.after !== undefined && line.entry.seq <= query.after) continue;
    if (!matches(line, query)) continue;
    if (page.length === limit) return { entries: page, next: page.at(-1)!.entry.seq };
    page.push(line);
  }
  return { entries: page, next: null };
}
