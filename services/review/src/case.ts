import {
  isPlainObject,
  type Alert, type Decision, type DecisionContext, type PolicyRef, type Reason, type RecordRequest, type ReviewResolution, type RuleCitation,
} from '@firewall/core';
import type { Redecision } from './redecision.js';

export const caseStatuses = ['OPEN', 'RESOLVED'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/**
 * The legal basis the policy was given (metadata only; the desk never sees the document): with a credential, its
 * facts and `verifiedBy` its registered issuer; without one, the requester's type alone and every fact null.
 */
export interface CaseLegalBasis {
  readonly type: string;
  readonly court: string | null;
  readonly judgeSigned: boolean | null;
  readonly expires: string | null;
  readonly namedSubjects: number | null;
  readonly listedFields: readonly string[] | null;
  readonly criminalPredicate: string | null;
  /** Absent in cases kept before the desk recorded them: read as not verified. */
  readonly verified?: boolean | null;
  readonly verifiedBy?: string | null;
}

/** What the reviewer needs from the request. Never the subject identifiers (those stay with the releaser). */
export interface CaseRequest {
  readonly receivedAt: string;
  readonly agency: string;
  readonly role: string | null;
  /** requester.verified as the gateway set it from the token (absent in older cases: read as false). */
  readonly requesterVerified?: boolean;
  readonly purpose: { readonly code: string; readonly text: string | null };
  readonly legalBasis: CaseLegalBasis | null;
  readonly channel: string | null;
  readonly system: string;
  readonly fields: readonly string[];
  readonly subjects: { readonly count: number; readonly selection: string } | null;
  readonly attestations: readonly string[];
}

export interface OpenQuestion {
  readonly id: string;
  /** From the policy data (data.open_questions); null when the desk was not given that data. */
  readonly text: string | null;
}

/** The policy's REVIEW decision: why it was held, under which bundle. */
export interface CaseDecision {
  readonly decidedAt: string;
  readonly rules: readonly RuleCitation[];
  readonly decisive: readonly string[];
  readonly reasons: readonly Reason[];
  readonly alerts: readonly Alert[];
  readonly openQuestions: readonly OpenQuestion[];
  readonly policy: PolicyRef;
  readonly context: DecisionContext;
  /** The requested fields, as the decision lists them (one outcome per requested field). */
  readonly fields: readonly string[];
}

export interface CaseResolution {
  /** Exactly what was published on firewall.reviews.v1 (note = the signed JWS). */
  readonly message: ReviewResolution;
  /** The note as the reviewer wrote it (also inside the JWS payload). */
  readonly noteText: string;
  /** Set once the message is on the bus; a resolution stored but not yet published is published on restart. */
  readonly published: boolean;
  /** The policy's re-decision with the reviewer's findings, when findings were recorded (absent in older cases). */
  readonly redecision?: Redecision | null;
}

export interface ReviewCase {
  /** = the request id. */
  readonly caseId: string;
  readonly openedAt: string;
  readonly status: CaseStatus;
  /** Null while the request has not been seen (its decision can arrive first); filled in when it arrives. */
  readonly request: CaseRequest | null;
  readonly decision: CaseDecision;
  readonly resolution: CaseResolution | null;
}

/** A case is opened for every REVIEW decision that is not a dry run; ALLOW, ALLOW_REDACTED and DENY open none. */
export function opensCase(decision: Decision): boolean {
  return decision.decision === 'REVIEW' && decision.context.dryRun !== true;
}

export function caseRequestOf(request: RecordRequest): CaseRequest {
  const basis = request.legalBasis;
  return {
    receivedAt: request.receivedAt,
    agency: request.requester.agency,
    role: request.requester.role ?? null,
    requesterVerified: request.requester.verified,
    purpose: { code: request.purpose.code, text: request.purpose.text ?? null },
    legalBasis: basis ? {
      type: basis.type,
      court: basis.court ?? null,
      judgeSigned: basis.judgeSigned ?? null,
      expires: basis.expires ?? null,
      namedSubjects: basis.namedSubjects ?? null,
      listedFields: basis.listedFields ? [...basis.listedFields] : null,
      criminalPredicate: basis.criminalPredicate ?? null,
      verified: basis.verified ?? null,
      verifiedBy: basis.verifiedBy ?? null,
    } : null,
    channel: request.channel ?? null,
    system: request.system,
    fields: [...request.fields],
    subjects: request.subjects ? { count: request.subjects.count, selection: request.subjects.selection } : null,
    attestations: [...(request.attestations ?? [])],
  };
}

/** Open question texts by id, read defensively from the policy data's `open_questions` object. */
export function openQuestionTexts(data: unknown): ReadonlyMap<string, string> {
  const texts = new Map<string, string>();
  if (!isPlainObject(data)) return texts;
  for (const [id, entry] of Object.entries(data)) {
    if (isPlainObject(entry) && typeof entry.text === 'string') texts.set(id, entry.text);
  }
  return texts;
}

export function openCase(
  decision: Decision, request: CaseRequest | null, openedAt: Date, questions: ReadonlyMap<string, string>,
): ReviewCase {
  return {
    caseId: decision.requestId,
    openedAt: openedAt.toISOString(),
    status: 'OPEN',
    request,
    decision: {
      decidedAt: decision.decidedAt,
      rules: decision.rules.map((r) => ({ id: r.id, title: r.title, sources: [...r.sources] })),
      decisive: [...decision.decisive],
      reasons: decision.reasons.map((r) => ({ rule: r.rule, text: r.text })),
      alerts: decision.alerts.map((a) => ({ code: a.code, rule: a.rule, fields: [...(a.fields ?? [])] })),
      openQuestions: (decision.openQuestions ?? []).map((id) => ({ id, text: questions.get(id) ?? null })),
      policy: { revision: decision.policy.revision, digest: decision.policy.digest },
      context: { ...decision.context },
      fields: decision.fields.map((f) => f.name),
    },
    resolution: null,
  };
}

/**
 * The fields a reviewer may allow: those requested, never more. When both the request and the decision are known,
 * only fields both name (they agree; the intersection keeps it so even if they did not).
 */
export function requestedFields(reviewCase: ReviewCase): readonly string[] {
  const decided = reviewCase.decision.fields;
  return reviewCase.request ? reviewCase.request.fields.filter((f) => decided.includes(f)) : decided;
}

export const legalDocumentStatuses = ['VERIFIED', 'UNVERIFIED', 'NONE', 'NOT_RECEIVED'] as const;

/**
 * Whether the legal document's facts were verified, in the words a city attorney acts on: by a credential of a
 * registered issuer (VERIFIED), or not at all (UNVERIFIED: the requester stated the type only).
 */
export function legalDocumentOf(reviewCase: ReviewCase): { status: (typeof legalDocumentStatuses)[number]; verifiedBy: string | null; text: string } {
  const basis = reviewCase.request?.legalBasis;
  if (!reviewCase.request) return { status: 'NOT_RECEIVED', verifiedBy: null, text: 'The request details have not reached the desk yet: the legal document cannot be shown.' };
  if (!basis || basis.type === 'NONE') return { status: 'NONE', verifiedBy: null, text: 'No legal document was stated.' };
  if (basis.verifiedBy) {
    return { status: 'VERIFIED', verifiedBy: basis.verifiedBy, text: `Verified: the facts below come from a credential signed by the registered issuer ${basis.verifiedBy}.` };
  }
  return { status: 'UNVERIFIED', verifiedBy: null, text: 'Unverified: the requester stated the type only; check the paper document before relying on it.' };
}

/** A case as the review API and page show it: the note's text and its signature side by side. */
export function caseView(reviewCase: ReviewCase) {
  const r = reviewCase.resolution;
  return {
    caseId: reviewCase.caseId,
    status: reviewCase.status,
    openedAt: reviewCase.openedAt,
    request: reviewCase.request,
    decision: reviewCase.decision,
    requestedFields: requestedFields(reviewCase),
    legalDocument: legalDocumentOf(reviewCase),
    resolution: r ? {
      outcome: r.message.outcome, fields: r.message.fields ?? [], findings: r.message.findings ?? null, redecision: r.redecision ?? null, resolvedAt: r.message.resolvedAt, reviewerRole: r.message.reviewerRole,
      reviewerKid: r.message.reviewerKid, note: r.noteText, signature: r.message.note, published: r.published,
    } : null,
  };
}
