import { describe, expect, it } from 'vitest';
import { loadCatalog } from './catalog.js';
import { ValidationError } from './errors.js';
import { isValidTime, parseRecordRequest, toPolicyInput } from './request.js';

const catalog = loadCatalog();
const valid = {
  requestId: 'r1',
  receivedAt: '2026-12-01T15:00:00Z',
  requester: { agency: 'MPD', verified: true },
  purpose: { code: 'CODE_ENFORCEMENT' },
  system: 'service_requests',
  fields: ['service_type', 'status'],
};

function codeOf(candidate: unknown): string | undefined {
  try {
    parseRecordRequest(candidate, catalog);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).code;
  }
}

describe('parseRecordRequest', () => {
  it('when the request is well formed, then it is accepted with defaults filled in', () => {
    const request = parseRecordRequest(valid, catalog);
    expect(request.legalBasis).toBeNull();
    expect(request.fields).toEqual(['service_type', 'status']);
  });

  it('when system or fields are missing, then it is rejected before the policy', () => {
    const { system: _s, ...noSystem } = valid;
    const { fields: _f, ...noFields } = valid;
    expect(codeOf(noSystem)).toBe('PF_REQ_SCHEMA');
    expect(codeOf(noFields)).toBe('PF_REQ_SCHEMA');
    expect(codeOf({ ...valid, fields: [] })).toBe('PF_REQ_NO_FIELDS');
  });

  it('when a field is not in the system catalog, then it is rejected naming the path', () => {
    try {
      parseRecordRequest({ ...valid, fields: ['service_type', 'citizenship'] }, catalog);
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).code).toBe('PF_REQ_UNKNOWN_FIELD');
      expect((err as ValidationError).details).toEqual(['fields.citizenship']);
    }
  });

  it('when types are wrong or keys unknown, then the paths are reported', () => {
    try {
      parseRecordRequest({ ...valid, subjects: { count: '3', selection: 'NAMED' }, surprise: 1 }, catalog);
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).code).toBe('PF_REQ_SCHEMA');
      expect((err as ValidationError).details).toEqual(expect.arrayContaining(['surprise', 'subjects.count']));
    }
  });

  it('rejects an unknown system, impossible dates and negative counts', () => {
    expect(codeOf({ ...valid, system: 'tax_records' })).toBe('PF_REQ_UNKNOWN_SYSTEM');
    expect(codeOf({ ...valid, legalBasis: { type: 'COURT_ORDER', expires: '2026-02-30' } })).toBe('PF_REQ_BAD_DATE');
    expect(codeOf({ ...valid, receivedAt: 'yesterday' })).toBe('PF_REQ_BAD_DATE');
    expect(codeOf({ ...valid, subjects: { count: -1, selection: 'NAMED' } })).toBe('PF_REQ_BAD_COUNT');
  });

  it('accepts unknown codes: they are the policy’s business (default deny), not malformed input', () => {
    expect(codeOf({ ...valid, requester: { agency: 'NOBODY', verified: true }, purpose: { code: 'WHATEVER' } })).toBeUndefined();
  });

  it('gives the policy the conformance shape: absent keys omitted, not null', () => {
    const input = toPolicyInput(parseRecordRequest(valid, catalog));
    expect(input).not.toHaveProperty('legalBasis');
    expect(input.requester).toEqual({ agency: 'MPD', verified: true });
  });
});

describe('isValidTime', () => {
  it('accepts dates only where allowed and real days only', () => {
    expect(isValidTime('2030-06-30', true)).toBe(true);
    expect(isValidTime('2030-06-30', false)).toBe(false);
    expect(isValidTime('2030-06-30T10:00:00+02:00', false)).toBe(true);
    expect(isValidTime('2030-13-01', true)).toBe(false);
  });
});
