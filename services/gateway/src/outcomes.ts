import type { Decision } from '@firewall/core';

/**
 * Requests waiting for their decision, resolved by the gateway's decisions consumer. Also remembers recent
 * outcomes (ids and decisions only) so GET /v1/requests/{id} can answer after the wait.
 */
export class PendingOutcomes {
  readonly #waiting = new Map<string, (decision: Decision) => void>();
  readonly #recent = new Map<string, { decision: Decision; agency: string }>();
  readonly #owners = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Registers interest before the request is published, so a fast decision is never missed. */
  expect(requestId: string, agency: string, timeoutMs: number): Promise<Decision | undefined> {
    this.#owners.set(requestId, agency);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.set(requestId, (decision) => {
        clearTimeout(timer);
        resolve(decision);
      });
    });
  }

  settle(decision: Decision): void {
    const agency = this.#owners.get(decision.requestId);
    if (agency === undefined) return; // another gateway instance's request
    this.#owners.delete(decision.requestId);
    this.#recent.set(decision.requestId, { decision, agency });
    if (this.#recent.size > this.#capacity) this.#recent.delete(this.#recent.keys().next().value!);
    this.#waiting.get(decision.requestId)?.(decision);
    this.#waiting.delete(decision.requestId);
  }

  /** The outcome of a request, only for the agency that made it. */
  lookup(requestId: string, agency: string): { state: 'decided'; decision: Decision } | { state: 'pending' } | undefined {
    const recent = this.#recent.get(requestId);
    if (recent) return recent.agency === agency ? { state: 'decided', decision: recent.decision } : undefined;
    return this.#owners.get(requestId) === agency ? { state: 'pending' } : undefined;
  }
}
