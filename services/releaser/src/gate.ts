import { digestEvent } from '@firewall/ledger';
import type { AuditEntry, Decision, RecordRequest, ReviewResolution } from '@firewall/core';
import { BoundedMap } from './lru.js';
import type { Authority } from './redaction.js';

/** Everything one release needs, each part matched to its durable ledger entry. */
export interface ReleaseJob {
  readonly authority: Authority;
  /** eventDigest of the DECISION or REVIEW ledger entry the release acts on. */
  readonly digest: string;
  readonly request: RecordRequest;
  readonly decision: Decision;
  readonly resolution?: ReviewResolution;
}

interface Held<T> {
  readonly value: T;
  readonly digest: string;
}

const releasable = new Set<Decision['decision']>(['ALLOW', 'ALLOW_REDACTED']);

/**
 * The releaser's gate: "no release without a durable audit entry". Messages and ledger entries arrive on
 * different topics in any order; a release is due only when the gate holds, for one request id,
 *   - the request, and a REQUEST_RECEIVED entry whose eventDigest is digestEvent(request),
 *   - the decision, and a DECISION entry whose eventDigest is digestEvent(decision), and
 *   - either that decision is ALLOW / ALLOW_REDACTED (authority DECISION),
 *     or it is REVIEW and a reviewer's ALLOW resolution has a REVIEW entry with eventDigest digestEvent(resolution)
 *     (authority REVIEW).
 * DENY, REVIEW without an audited ALLOW resolution, and dry runs are never due. Each (request, authority) is due
 * at most once. Memory is bounded: each kind of thing is kept for the `capacity` most recent request ids, so a
 * request whose parts are further apart than that is never released (fail closed; the requester asks again).
 */
export class ReleaseGate {
  readonly #requests: BoundedMap<string, Held<RecordRequest>>;
  readonly #decisions: BoundedMap<string, Held<Decision>>;
  readonly #resolutions: BoundedMap<string, Held<ReviewResolution>>;
  readonly #audited: BoundedMap<string, Set<string>>;
  readonly #done: BoundedMap<string, true>;

  constructor(capacity = 10_000) {
    this.#requests = new BoundedMap(capacity);
    this.#decisions = new BoundedMap(capacity);
    this.#resolutions = new BoundedMap(capacity);
    this.#audited = new BoundedMap(capacity);
    this.#done = new BoundedMap(capacity * 2);
  }

  offerRequest(request: RecordRequest): ReleaseJob[] {
    if (request.dryRun) return [];
    this.#requests.set(request.requestId, { value: request, digest: digestEvent(request) });
    return this.#due(request.requestId);
  }

  offerDecision(decision: Decision): ReleaseJob[] {
    if (decision.context.dryRun) return [];
    this.#decisions.set(decision.requestId, { value: decision, digest: digestEvent(decision) });
    return this.#due(decision.requestId);
  }

  offerResolution(resolution: ReviewResolution): ReleaseJob[] {
    this.#resolutions.set(resolution.requestId, { value: resolution, digest: digestEvent(resolution) });
    return this.#due(resolution.requestId);
  }

  /** A durable ledger entry (firewall.audit.v1); only REQUEST_RECEIVED, DECISION and REVIEW entries matter here. */
  offerAuditEntry(entry: Pick<AuditEntry, 'type' | 'requestId' | 'eventDigest'>): ReleaseJob[] {
    if (!entry.requestId || !['REQUEST_RECEIVED', 'DECISION', 'REVIEW'].includes(entry.type)) return [];
    const seen = this.#audited.get(entry.requestId) ?? new Set<string>();
    seen.add(`${entry.type}:${entry.eventDigest}`);
    this.#audited.set(entry.requestId, seen);
    return this.#due(entry.requestId);
  }

  #isAudited(requestId: string, type: string, digest: string): boolean {
    return this.#audited.get(requestId)?.has(`${type}:${digest}`) ?? false;
  }

  #due(requestId: string): ReleaseJob[] {
    const request = this.#requests.get(requestId);
    const decision = this.#decisions.get(requestId);
    if (!request || !decision) return [];
    if (!this.#isAudited(requestId, 'REQUEST_RECEIVED', request.digest) || !this.#isAudited(requestId, 'DECISION', decision.digest)) return [];
    if (releasable.has(decision.value.decision)) {
      return this.#once(`DECISION:${requestId}`, { authority: 'DECISION', digest: decision.digest, request: request.value, decision: decision.value });
    }
    const resolution = this.#resolutions.get(requestId);
    if (decision.value.decision !== 'REVIEW' || resolution?.value.outcome !== 'ALLOW') return [];
    if (!this.#isAudited(requestId, 'REVIEW', resolution.digest)) return [];
    return this.#once(`REVIEW:${requestId}`, {
      authority: 'REVIEW', digest: resolution.digest, request: request.value, decision: decision.value, resolution: resolution.value,
    });
  }

  #once(key: string, job: ReleaseJob): ReleaseJob[] {
    if (this.#done.has(key)) return [];
    this.#done.set(key, true);
    return [job];
  }
}
