import { ValidationError } from './errors.js';
import { fieldClass, type FieldCatalog } from './catalog.js';
import type { RecordRequest } from './generated/messages.js';
import { invalidPaths, isPlainObject, messageTypes, withDefaults } from './schemas.js';

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** RFC 3339 date-time, or (for `allowDate`) a calendar date; both must name a real day. */
export function isValidTime(value: string, allowDate: boolean): boolean {
  if (!(dateTime.test(value) || (allowDate && dateOnly.test(value)))) return false;
  const day = value.slice(0, 10);
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day && !Number.isNaN(Date.parse(value));
}

/**
 * Turns untrusted input into a RecordRequest, or throws a ValidationError whose code says what is wrong and
 * whose details name the offending paths (never values). A field the system's catalog lacks, a missing
 * `system` or `fields`, a wrong type or an impossible date are all malformed: rejected before the policy.
 */
export function parseRecordRequest(candidate: unknown, catalog: FieldCatalog): RecordRequest {
  if (!isPlainObject(candidate)) throw new ValidationError('PF_REQ_SCHEMA', 'The request must be a JSON object.', { details: ['(root)'] });
  const missing = ['system', 'fields', 'purpose'].filter((key) => candidate[key] === undefined);
  if (missing.length) {
    throw new ValidationError('PF_REQ_SCHEMA', `The request is missing required parts: ${missing.join(', ')}.`, { details: missing });
  }
  const value = withDefaults(messageTypes.recordRequest, candidate);
  const bad = invalidPaths(messageTypes.recordRequest, value);
  if (bad.length) {
    throw new ValidationError('PF_REQ_SCHEMA', `The request does not match the RecordRequest schema at: ${bad.join(', ')}.`, { details: bad });
  }
  const request = value as RecordRequest;
  checkSemantics(request, catalog);
  return { ...request, fields: [...new Set(request.fields)] };
}

function checkSemantics(request: RecordRequest, catalog: FieldCatalog): void {
  if (request.fields.length === 0) throw new ValidationError('PF_REQ_NO_FIELDS', 'The request must name at least one field.', { details: ['fields'] });
  if (!Object.hasOwn(catalog.systems, request.system)) {
    throw new ValidationError('PF_REQ_UNKNOWN_SYSTEM', `Unknown system. Known systems: ${Object.keys(catalog.systems).join(', ')}.`, { details: ['system'] });
  }
  const unknown = request.fields.filter((f) => fieldClass(catalog, request.system, f) === undefined);
  if (unknown.length) {
    throw new ValidationError('PF_REQ_UNKNOWN_FIELD', `The ${request.system} system has no field named: ${unknown.join(', ')}.`, { details: unknown.map((f) => `fields.${f}`) });
  }
  if (!isValidTime(request.receivedAt, false)) {
    throw new ValidationError('PF_REQ_BAD_DATE', 'receivedAt must be an RFC 3339 date-time.', { details: ['receivedAt'] });
  }
  const expires = request.legalBasis?.expires;
  if (expires !== null && expires !== undefined && !isValidTime(expires, true)) {
    throw new ValidationError('PF_REQ_BAD_DATE', 'legalBasis.expires must be a date (YYYY-MM-DD) or an RFC 3339 date-time.', { details: ['legalBasis.expires'] });
  }
  const counts: [string, number | null | undefined][] = [['subjects.count', request.subjects?.count], ['legalBasis.namedSubjects', request.legalBasis?.namedSubjects]];
  const negative = counts.filter(([, n]) => typeof n === 'number' && n < 0).map(([path]) => path);
  if (negative.length) throw new ValidationError('PF_REQ_BAD_COUNT', 'Counts cannot be negative.', { details: negative });
}

/** The policy input: the request as the conformance format writes it (absent keys omitted, not null). */
export function toPolicyInput(request: RecordRequest): Record<string, unknown> {
  // The envelope (id, dry-run flag) and who exactly is asked about are the firewall's business; the policy
  // decides on the request's shape alone.
  const { requestId: _id, dryRun: _dryRun, dryRunBy: _caller, subjectIds: _who, ...asWritten } = request;
  const input = stripNulls(asWritten) as Record<string, unknown>;
  // Who verified the facts is the firewall's bookkeeping: the policy reads the facts themselves.
  if (isPlainObject(input.legalBasis)) delete input.legalBasis.verifiedBy;
  return input;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, stripNulls(v)]));
  }
  return value;
}

/** Whose request the ledger records: a dry run is its authenticated caller's, never the hypothetical requester's. */
export function auditedAgency(request: RecordRequest): string {
  return request.dryRun && request.dryRunBy ? request.dryRunBy : request.requester.agency;
}
