import { auditedAgency, topics, type AccessEvent, type Decision, type RecordRequest, type Release, type ReviewResolution, type TopicMessages, type TopicName } from '@firewall/core';
import { digestEvent } from './canonical.js';
import { isRequestId } from './entry.js';
import type { LedgerEvent } from './ledger-event.js';
import { subjectHash, summarise } from './summary.js';

/** The topics the ledger chains, in no particular order (each message becomes one entry). */
export const chainedTopics = [topics.requests, topics.decisions, topics.rejections, topics.deadLetters, topics.reviews, topics.releases, topics.access] as const;
export type ChainedTopic = (typeof chainedTopics)[number];

/**
 * The consumer name the Kafka ledger puts on dead letters it produces itself (it chains those directly, so they
 * are skipped when they come back on firewall.dlq.v1). That a dead letter is never dead-lettered again is not
 * this name's job: consume() never dead-letters a message of firewall.dlq.v1, and the ledger service retries a
 * failed append instead of dead-lettering it.
 */
export const ledgerConsumerName = 'firewall-ledger';

/** The facts about a request that may enter the ledger: codes, names and counts only. */
export function requestSummary(request: RecordRequest, subjectKey?: Uint8Array) {
  return summarise({
    // Who the request is about, as keyed hashes only: findable by the key holder, meaningless to anyone else.
    ...(subjectKey && request.subjectIds?.length ? { subjectHashes: request.subjectIds.map((id) => subjectHash(subjectKey, id)) } : {}),
    agency: auditedAgency(request),
    purpose: request.purpose.code,
    basisType: request.legalBasis?.type ?? 'NONE',
    system: request.system,
    fields: request.fields,
    channel: request.channel ?? 'RECORD_REQUEST',
    selection: request.subjects?.selection ?? 'NAMED',
    count: request.subjects?.count ?? 1,
  });
}

export function decisionSummary(decision: Decision) {
  const c = decision.context;
  return summarise({
    agency: c.agency, purpose: c.purpose, basisType: c.basisType, system: c.system, channel: c.channel, selection: c.selection, count: c.count,
    fields: decision.fields.map((f) => f.name),
    decision: decision.decision,
    rules: decision.rules.map((r) => r.id),
    ...(decision.failure ? { reason: decision.failure } : {}),
  });
}

/** A reviewer's resolution (firewall.reviews.v1): role, outcome and field names only; the note's text stays out. */
/**
 * A reviewer's resolution: role, outcome, fields allowed and, when the reviewer recorded findings, the NAMES of the
 * legal facts verified on the paper (`verifiedFacts`) — never the court, the dates or the listed fields themselves.
 */
export function reviewSummary(resolution: ReviewResolution) {
  const findings = resolution.findings;
  const verifiedFacts = findings ? Object.entries(findings).filter(([, v]) => v !== null && v !== undefined).map(([k]) => k).sort() : undefined;
  return summarise({
    reviewerRole: resolution.reviewerRole, decision: resolution.outcome, fields: resolution.fields ?? [], ...(verifiedFacts ? { verifiedFacts } : {}),
  });
}

/**
 * What the releaser delivered (firewall.releases.v1): RELEASED or FAILED, the field names delivered (raw and
 * transformed), how many records, and the failure code; never the payload, which only the requester can open.
 */
export function releaseSummary(release: Release) {
  return summarise({
    decision: release.outcome,
    fields: [...(release.fields ?? []), ...(release.transformed ?? [])].sort(),
    count: release.recordCount ?? 0,
    ...(release.failure ? { reason: release.failure } : {}),
  });
}

/**
 * A use of the audit API or the review desk (firewall.access.v1): who (verified agency and role, or none), what
 * (action, outcome, status, refusal code), the names of the filters used and a subject's keyed hash — never a
 * filter value or an identifier. `count` is how many entries or cases the answer held.
 */
export function accessSummary(access: AccessEvent) {
  return summarise({
    ...(access.agency ? { agency: access.agency } : {}),
    ...(access.role ? { role: access.role } : {}),
    action: access.action,
    outcome: access.outcome,
    status: access.status,
    ...(access.code ? { reason: access.code } : {}),
    filters: access.filters ?? [],
    ...(access.subjectHash ? { subjectHashes: [access.subjectHash] } : {}),
    ...(access.resultCount !== null && access.resultCount !== undefined ? { count: access.resultCount } : {}),
  });
}

/**
 * The ledger event for a message on a chained topic, or null when it is already chained (a dead letter the
 * ledger wrote itself). The event itself stays out of the ledger: only its digest and a summary go in.
 */
export function ledgerEventFor<T extends ChainedTopic>(topic: T, message: TopicMessages[T], options: { subjectKey?: Uint8Array } = {}): LedgerEvent | null {
  switch (topic) {
    case topics.requests: {
      const request = message as RecordRequest;
      return { type: request.dryRun ? 'DRY_RUN' : 'REQUEST_RECEIVED', requestId: request.requestId, eventDigest: digestEvent(request), summary: requestSummary(request, options.subjectKey) };
    }
    case topics.decisions: {
      const decision = message as Decision;
      return {
        type: decision.context.dryRun ? 'DRY_RUN' : 'DECISION', requestId: decision.requestId, eventDigest: digestEvent(decision),
        policyRevision: decision.policy.revision, summary: decisionSummary(decision),
      };
    }
    case topics.rejections: {
      const rejection = message as TopicMessages[typeof topics.rejections];
      return {
        type: 'REJECTED_INPUT', requestId: rejection.rejectionId, eventDigest: digestEvent(rejection),
        summary: summarise({ reason: rejection.code, count: rejection.count ?? 1, ...(rejection.agency ? { agency: rejection.agency } : {}) }),
      };
    }
    case topics.releases: {
      const release = message as Release;
      return { type: 'RELEASE', requestId: release.requestId, eventDigest: digestEvent(release), summary: releaseSummary(release) };
    }
    case topics.reviews: {
      const resolution = message as ReviewResolution;
      return { type: 'REVIEW', requestId: resolution.requestId, eventDigest: digestEvent(resolution), summary: reviewSummary(resolution) };
    }
    case topics.access: {
      const access = message as AccessEvent;
      // Tied to the request it concerned, so "who looked at case X" is a requestId search (and part of X's evidence).
      const requestId = access.requestId && isRequestId(access.requestId) ? access.requestId : null;
      return { type: 'ACCESS', requestId, eventDigest: digestEvent(access), summary: accessSummary(access) };
    }
    default: {
      const letter = message as TopicMessages[typeof topics.deadLetters];
      if (letter.consumer === ledgerConsumerName) return null;
      return deadLetterEvent(letter.key ?? null, letter.code, { ...letter, payload: letter.payload.toString('base64') });
    }
  }
}

export function deadLetterEvent(key: string | null, code: string, event: unknown): LedgerEvent {
  return { type: 'DEAD_LETTER', requestId: key && isRequestId(key) ? key : null, eventDigest: digestEvent(event), summary: summarise({ reason: code }) };
}

export const isChainedTopic = (topic: string): topic is ChainedTopic => (chainedTopics as readonly string[]).includes(topic);
export type { TopicName };
