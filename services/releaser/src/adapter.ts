import { AdapterError, isReleaseError } from './errors.js';

/**
 * One record as its source holds it: whatever the system has, possibly more than was asked for and possibly
 * class A fields. It never leaves the releaser as is: redaction keeps only what the decision releases.
 */
export type SourceRecord = Record<string, unknown>;

/** How the request picks its subjects (RecordRequest.subjects.selection). */
export type Selection = 'NAMED' | 'ATTRIBUTE' | 'ALL' | 'AGGREGATE' | (string & {});

export interface FetchQuery {
  /** The named subjects' identifiers (card, citation or 311 request numbers); empty for non-named selections. */
  readonly subjectIds: readonly string[];
  /** The fields the releaser will deliver (an adapter may fetch fewer columns, or return more). */
  readonly fields: readonly string[];
  readonly selection: Selection;
  /** At most this many records (already capped by the releaser). */
  readonly count: number;
}

export interface FetchOptions {
  /** Aborted when the releaser stops waiting; an adapter should stop its I/O then. */
  readonly signal: AbortSignal;
}

/** One cell of an aggregate: the values of the grouped fields and how many records have them. */
export interface AggregateCell {
  readonly values: Readonly<Record<string, unknown>>;
  readonly count: number;
}

/**
 * A city record system behind one interface, chosen per system in config (fixture, Open311, SQL, ledger
 * aggregates). Adapters fetch; they never decide what is released: the releaser applies the decision.
 */
export interface RecordSystemAdapter {
  readonly system: string;
  fetch(query: FetchQuery, options: FetchOptions): Promise<SourceRecord[]>;
  /**
   * Counts grouped by `query.fields`, for systems that cannot (or should not) hand over record-level data for an
   * AGGREGATE request. Without it the releaser groups the fetched records itself. Small cells are suppressed by
   * the releaser either way.
   */
  aggregate?(query: FetchQuery, options: FetchOptions): Promise<AggregateCell[]>;
}

/**
 * Runs an adapter call with a bound: the signal is aborted after `timeoutMs` and the call answers
 * PF_ADAPTER_TIMEOUT then, even if the adapter ignores the signal. Any other failure is PF_ADAPTER_FAILED
 * (the cause kept, the message never shown to the requester).
 */
export async function withTimeout<T>(system: string, timeoutMs: number, call: (options: FetchOptions) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const err = new AdapterError('PF_ADAPTER_TIMEOUT', `The ${system} record system did not answer within ${timeoutMs} ms.`, { retriable: true, details: [system] });
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([call({ signal: controller.signal }), timedOut]);
  } catch (err) {
    if (controller.signal.aborted && controller.signal.reason instanceof AdapterError) throw controller.signal.reason;
    if (isReleaseError(err)) throw err;
    throw new AdapterError('PF_ADAPTER_FAILED', `The ${system} record system failed.`, { cause: err, details: [system] });
  } finally {
    clearTimeout(timer);
  }
}
