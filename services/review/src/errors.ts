import { FirewallError } from '@firewall/core';
import { httpStatusOf } from '@firewall/http';

/**
 * The review desk's error codes (`PF_REVIEW_*`); their HTTP statuses are in the shared edge's table
 * (@firewall/http status.ts), like every other code. Auth failures reuse core's AuthError (PF_AUTH_*).
 */
export const reviewErrorCodes = [
  'PF_REVIEW_INVALID',
  'PF_REVIEW_NO_FIELDS',
  'PF_REVIEW_FIELDS_TOO_WIDE',
  'PF_REVIEW_HEADER_REQUIRED',
  'PF_REVIEW_NOT_FOUND',
  'PF_REVIEW_ALREADY_RESOLVED',
  'PF_REVIEW_BAD_SIGNATURE',
  'PF_REVIEW_STORE_CORRUPT',
  'PF_REVIEW_PUBLISH_FAILED',
  /** An ALLOW whose findings re-decide the request as DENY. */
  'PF_REVIEW_FINDINGS_DENY',
  /** Findings sent before the request's details reached the desk (only its decision has). */
  'PF_REVIEW_REQUEST_MISSING',
] as const;

export type ReviewErrorCode = (typeof reviewErrorCodes)[number];

export class ReviewError extends FirewallError<ReviewErrorCode> {
  /** The HTTP status the shared edge answers this error with. */
  get status(): number {
    return httpStatusOf(this);
  }
}
