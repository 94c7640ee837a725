import { isFirewallError } from '@firewall/core';
import { credentialStatusByCode } from './credentials.js';

/**
 * Code → HTTP status, for every router (gateway, review desk, audit API, oversight): one table, so the same
 * refusal answers the same everywhere. A code missing here is a 500.
 */
export const statusByCode: Readonly<Record<string, number>> = {
  PF_REQ_SCHEMA: 400, PF_REQ_UNKNOWN_SYSTEM: 400, PF_REQ_UNKNOWN_FIELD: 400, PF_REQ_NO_FIELDS: 400,
  PF_REQ_BAD_DATE: 400, PF_REQ_BAD_COUNT: 400, PF_REQ_NOT_JSON: 400, PF_REQ_TOO_LARGE: 413, PF_REQ_BAD_ENCODING: 415,
  PF_AUTH_MISSING: 401, PF_AUTH_INVALID: 401, PF_AUTH_UNKNOWN_AGENCY: 401, PF_AUTH_REPLAYED: 401,
  PF_AUTH_FORBIDDEN: 403, PF_AUTH_ROLE_NOT_GRANTED: 403, PF_AUTH_REPLAY_UNAVAILABLE: 503,
  ...credentialStatusByCode,
  PF_RATE_LIMITED: 429,
  PF_NOT_FOUND: 404, PF_METHOD_NOT_ALLOWED: 405, PF_GATEWAY_TIMEOUT: 504, PF_GATEWAY_NOT_READY: 503, PF_RELEASE_FAILED: 502,
  PF_LEDGER_WRITE_FAILED: 503, PF_LEDGER_UNAVAILABLE: 503, PF_BUS_FULL: 503, PF_BUS_CONSUMER_CRASHED: 503, PF_KAFKA_UNAVAILABLE: 503, PF_ACCESS_UNRECORDED: 503,
  PF_REVIEW_INVALID: 400, PF_REVIEW_NO_FIELDS: 400, PF_REVIEW_FIELDS_TOO_WIDE: 400, PF_REVIEW_BAD_SIGNATURE: 400,
  PF_REVIEW_HEADER_REQUIRED: 403, PF_REVIEW_NOT_FOUND: 404, PF_REVIEW_ALREADY_RESOLVED: 409,
  PF_REVIEW_FINDINGS_DENY: 409, PF_REVIEW_REQUEST_MISSING: 409,
  PF_REVIEW_STORE_CORRUPT: 500, PF_REVIEW_PUBLISH_FAILED: 503,
  PF_OVERSIGHT_BAD_QUERY: 400,
};

export function httpStatusOf(err: unknown): number {
  return isFirewallError(err) ? (statusByCode[err.code] ?? 500) : 500;
}

/** Statuses whose refusal the ledger records (a 404 for an unknown path is not an attempt at anything). */
export const auditedStatuses: ReadonlySet<number> = new Set([400, 401, 403, 409, 413, 415, 429]);
