import { isHex64 } from './canonical.js';
import { entryTypes, isRequestId, type EntryType } from './entry.js';
import { LedgerError } from './errors.js';
import { assertSummary, type Summary } from './summary.js';

/** What a service hands the ledger. The ledger adds seq, prevHash and time. */
export interface LedgerEvent {
  readonly type: Exclude<EntryType, 'KEY_ROTATION'>;
  readonly requestId: string | null;
  /** digestEvent(theFullEvent): the event itself, which may hold personal data, stays out of the ledger. */
  readonly eventDigest: string;
  readonly policyRevision?: string | null;
  readonly summary: Summary;
}

/** An event ready to become an entry: validated and detached from the caller's objects. */
export interface Pending {
  readonly type: EntryType;
  readonly requestId: string | null;
  readonly eventDigest: string;
  readonly policyRevision: string | null;
  readonly summary: Summary;
}

/** Validates and snapshots an event, so a caller mutating it later changes nothing. */
export function snapshot(event: LedgerEvent): Pending {
  const bad = (why: string): LedgerError => new LedgerError('PF_LEDGER_INVALID_EVENT', why);
  if (!entryTypes.includes(event.type) || (event.type as EntryType) === 'KEY_ROTATION') throw bad('type is not an appendable entry type');
  if (event.requestId !== null && !isRequestId(event.requestId)) throw bad('requestId is not an id');
  if (!isHex64(event.eventDigest)) throw bad('eventDigest is not a hex SHA-256');
  const rev = event.policyRevision ?? null;
  if (rev !== null && (typeof rev !== 'string' || rev.length > 200)) throw bad('policyRevision is not a revision');
  const summary: unknown = structuredClone(event.summary);
  assertSummary(summary);
  return { type: event.type, requestId: event.requestId, eventDigest: event.eventDigest, policyRevision: rev, summary };
}
