import type { AuditEntry, Decision } from '@firewall/core';
import { digestEvent } from '@firewall/ledger';

export interface PendingOutcomesOptions {
  /** Recent outcomes kept for GET /v1/requests/{id} (default 10,000). */
  readonly capacity?: number;
  /**
   * Answer a decision only once the ledger has made its entry durable (default true): the DECISION (or DRY_RUN)
   * entry on firewall.audit.v1 whose eventDigest is the decision's digest. Only a gateway without a ledger
   * (its own unit tests) turns this off.
   */
  readonly awaitLedger?: boolean;
}

interface Waiting {
  readonly agency: string;
  decision?: Decision;
  /** Digests of the entries seen before the decision (a dry run's request and decision are both DRY_RUN). */
  readonly digests: Set<string>;
  durable: boolean;
  resolve?: (decision: Decision) => void;
}

const decisionEntryTypes = new Set(['DECISION', 'DRY_RUN']);

/**
 * Requests waiting for their decision, resolved by the gateway's decisions consumer and — "every decision is
 * audited" — by the ledger's entry of it. Also remembers recent outcomes (ids and decisions only) so
 * GET /v1/requests/{id} can answer after the wait.
 */
export class PendingOutcomes {
  readonly #waiting = new Map<string, Waiting>();
  readonly #recent = new Map<string, { decision: Decision; agency: string }>();
  readonly #capacity: number;
  readonly awaitLedger: boolean;

  constructor(options: PendingOutcomesOptions = {}) {
    this.#capacity = options.capacity ?? 10_000;
    this.awaitLedger = options.awaitLedger ?? true;
  }

  /** Registers interest before the request is published, so a fast decision is never missed. */
  expect(requestId: string, agency: string, timeoutMs: number): Promise<Decision | undefined> {
    const waiting: Waiting = { agency, durable: !this.awaitLedger, digests: new Set() };
    this.#waiting.set(requestId, waiting);
    // A request answered without its decision (timeout, ledger down) stays until the decision comes, for GET
    // /v1/requests/{id}; bounded like the recent outcomes.
    if (this.#waiting.size > this.#capacity) this.#waiting.delete(this.#waiting.keys().next().value!);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.resolve = undefined;
        resolve(undefined);
      }, timeoutMs);
      waiting.resolve = (decision) => {
        clearTimeout(timer);
        resolve(decision);
      };
    });
  }

  /** Stops waiting for `requestId` (the gateway answered otherwise); a late durable decision is still remembered for lookup. */
  abandon(requestId: string): void {
    const waiting = this.#waiting.get(requestId);
    if (waiting) waiting.resolve = undefined;
  }

  settle(decision: Decision): void {
    const waiting = this.#waiting.get(decision.requestId);
    if (waiting === undefined) return; // another gateway instance's request
    waiting.decision = decision;
    if (this.awaitLedger && waiting.digests.size > 0) waiting.durable = waiting.digests.has(digestEvent(decision));
    this.#complete(decision.requestId, waiting);
  }

  /** A durable ledger entry (firewall.audit.v1): the decision it records may now be answered. */
  durable(entry: Pick<AuditEntry, 'type' | 'requestId' | 'eventDigest'>): void {
    if (!entry.requestId || !decisionEntryTypes.has(entry.type)) return;
    const waiting = this.#waiting.get(entry.requestId);
    if (waiting === undefined) return;
    if (waiting.decision === undefined) waiting.digests.add(entry.eventDigest);
    else if (digestEvent(waiting.decision) === entry.eventDigest) waiting.durable = true;
    this.#complete(entry.requestId, waiting);
  }

  #complete(requestId: string, waiting: Waiting): void {
    if (!waiting.decision || !waiting.durable) return;
    this.#waiting.delete(requestId);
    this.#recent.set(requestId, { decision: waiting.decision, agency: waiting.agency });
    if (this.#recent.size > this.#capacity) this.#recent.delete(this.#recent.keys().next().value!);
    waiting.resolve?.(waiting.decision);
  }

  /** The outcome of a request, only for the agency that made it. */
  lookup(requestId: string, agency: string): { state: 'decided'; decision: Decision } | { state: 'pending' } | undefined {
    const recent = this.#recent.get(requestId);
    if (recent) return recent.agency === agency ? { state: 'decided', decision: recent.decision } : undefined;
    return this.#waiting.get(requestId)?.agency === agency ? { state: 'pending' } : undefined;
  }
}
