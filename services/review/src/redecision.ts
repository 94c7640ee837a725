import type { Decision, RecordRequest } from '@firewall/core';
import { decide, type PolicyEvaluator } from '@firewall/policy';
import type { CaseRequest, ReviewCase } from './case.js';
import { ReviewError } from './errors.js';
import type { LegalFindings } from './findings.js';
import type { ResolutionInput } from './resolution.js';

/** The policy's decision on the held request with the reviewer's verified findings as its legal facts. */
export type Redecision = Pick<Decision, 'decidedAt' | 'decision' | 'released' | 'withheld' | 'rules' | 'decisive' | 'reasons' | 'policy'> & {
  /** A fail-closed DENY's code (the policy could not decide), else null. */
  readonly failure: string | null;
  /**
   * What an ALLOW may release under it: the re-decision's raw releases (a field it only transforms is not one: the
   * releaser releases a resolution's fields raw); none after a DENY; null after REVIEW (the reviewer's choice).
   */
  readonly allowable: readonly string[] | null;
};

/**
 * The held request as the policy saw it, with its legal basis's facts replaced by the reviewer's findings. The type
 * stays the requester's (the routing label); `verifiedBy` stays null: no credential supplied these facts, a
 * reviewer's signed finding did (and `verifiedBy` is not policy input). Subject ids were never kept and are not
 * policy input either.
 */
export function requestWithFindings(caseId: string, request: CaseRequest, findings: LegalFindings): RecordRequest {
  return {
    requestId: caseId,
    receivedAt: request.receivedAt,
    // A case kept before the desk recorded this reads as unverified: R22 then denies (fail closed).
    requester: { agency: request.agency, role: request.role, verified: request.requesterVerified === true },
    purpose: { code: request.purpose.code, text: request.purpose.text },
    legalBasis: { type: request.legalBasis?.type ?? 'NONE', ...findings, listedFields: findings.listedFields ? [...findings.listedFields] : null, verifiedBy: null },
    channel: request.channel,
    system: request.system,
    fields: [...request.fields],
    subjects: request.subjects ? { ...request.subjects } : null,
    attestations: [...request.attestations],
    subjectIds: null,
    dryRun: false,
    dryRunBy: null,
  };
}

/**
 * Re-decides an open case with the findings, through the same decide() and evaluator as the decider; `expires` is
 * compared with the request's receivedAt, as in the first decision (the policy's only clock). Needs the request's
 * details (PF_REVIEW_REQUEST_MISSING while only the decision has arrived).
 */
export function redecide(evaluator: PolicyEvaluator, reviewCase: ReviewCase, findings: LegalFindings, now: () => Date): Redecision {
  if (!reviewCase.request) {
    throw new ReviewError('PF_REVIEW_REQUEST_MISSING', 'The request details have not reached the desk yet, so findings cannot be applied; try again shortly.');
  }
  const d = decide(evaluator, requestWithFindings(reviewCase.caseId, reviewCase.request, findings), { now });
  const requested = reviewCase.request.fields;
  const { decidedAt, decision, released, withheld, rules, decisive, reasons, policy } = d;
  return {
    decidedAt, decision, released, withheld, rules, decisive, reasons, policy,
    failure: d.failure ?? null,
    allowable: d.decision === 'DENY' ? [] : d.decision === 'REVIEW' ? null : requested.filter((f) => d.released.includes(f)),
  };
}

/**
 * The reviewer's resolution under the re-decision:
 * - DENY: only a DENY (an ALLOW is PF_REVIEW_FINDINGS_DENY): verified facts that still deny release nothing;
 * - ALLOW or ALLOW_REDACTED: an ALLOW releases only fields the re-decision releases (PF_REVIEW_FIELDS_TOO_WIDE);
 * - REVIEW again: the reviewer's own choice within the request stands. R4 sends even a valid judicial order to a
 *   human when it is an enforcement requester's, an immigration purpose or municipal ID / a program-confidential
 *   system (and R7 a listed class A field): that human is this reviewer, whose decision the policy defers to.
 * A DENY outcome is always allowed. `sent` is the fields list as the reviewer sent it, so paths name its positions.
 */
export function checkAgainstRedecision(input: ResolutionInput, redecision: Redecision, sent: readonly unknown[]): void {
  if (input.outcome === 'DENY' || redecision.allowable === null) return;
  if (redecision.decision === 'DENY') {
    throw new ReviewError('PF_REVIEW_FINDINGS_DENY', 'With these findings the policy denies the request: the only resolution is DENY.', { details: ['outcome'] });
  }
  const allowable = redecision.allowable;
  const wider = sent.flatMap((f, i) => (typeof f === 'string' && allowable.includes(f) ? [] : [`fields.${i}`]));
  if (wider.length) {
    throw new ReviewError('PF_REVIEW_FIELDS_TOO_WIDE', `With these findings an ALLOW may only release: ${allowable.join(', ')}.`, { details: wider });
  }
}
