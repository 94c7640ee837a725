import { describe, expect, it } from 'vitest';
import { isLedgerError } from './errors.js';
import { REDACTED, assertSummary, subjectHash, summarise } from './summary.js';

const key = 'k'.repeat(32);

describe('summarise', () => {
  it('when given a whole request, then only the allowed keys are copied', () => {
    const request = {
      agency: 'ICE_ERO', purpose: 'CIVIL_IMMIGRATION', basisType: 'ADMIN_SUBPOENA', system: 'municipal_id',
      fields: ['full_name', 'residential_address'], decision: 'DENY', rules: ['R1', 'R3'], channel: 'RECORD_REQUEST',
      selection: 'NAMED', count: 1, subjectHashes: [subjectHash(key, 'A123')],
      subjects: [{ name: 'Maria Lopez', dob: '1985-02-03' }], legalBasis: { court: 'x' }, requester: { agency: 'ICE_ERO' },
    };
    const summary = summarise(request);
    expect(Object.keys(summary).sort()).toEqual(
      ['agency', 'basisType', 'channel', 'count', 'decision', 'fields', 'purpose', 'rules', 'selection', 'subjectHashes', 'system'],
    );
    expect(JSON.stringify(summary)).not.toContain('Maria');
  });

  it('when a code field carries free text, a date or a number, then it is redacted', () => {
    const summary = summarise({ purpose: 'find Maria Lopez', agency: '1985-02-03', fields: ['full_name', '612-555-0100'], system: 'a@b.org' });
    expect(summary).toEqual({ purpose: REDACTED, agency: REDACTED, fields: ['full_name', REDACTED], system: REDACTED });
    expect(() => assertSummary(summary)).not.toThrow();
  });

  it('when a subject hash is not a hash, then summarising refuses rather than storing an identifier', () => {
    expect(() => summarise({ subjectHashes: ['A123'] })).toThrow(expect.objectContaining({ code: 'PF_LEDGER_SUMMARY_NOT_ALLOWED' }));
    expect(() => summarise({ count: -1 })).toThrow(expect.objectContaining({ code: 'PF_LEDGER_SUMMARY_NOT_ALLOWED' }));
  });
});

describe('assertSummary', () => {
  it('when a key is not on the allowlist, then it throws PF_LEDGER_SUMMARY_NOT_ALLOWED', () => {
    try {
      assertSummary({ agency: 'ICE_ERO', name: 'Maria Lopez' });
      expect.unreachable();
    } catch (err) {
      expect(isLedgerError(err) && err.code).toBe('PF_LEDGER_SUMMARY_NOT_ALLOWED');
      expect(String((err as Error).message)).not.toContain('Maria');
    }
  });

  it('when values have the wrong shape, then it throws', () => {
    expect(() => assertSummary({ fields: 'full_name' })).toThrow();
    expect(() => assertSummary({ purpose: 'free text here' })).toThrow();
    expect(() => assertSummary({ count: 1.5 })).toThrow();
    expect(() => assertSummary({ newKid: 'short' })).toThrow();
    expect(() => assertSummary([])).toThrow();
  });
});

describe('subjectHash', () => {
  it('when the same identifier is hashed twice, then the hashes match, and another key gives another hash', () => {
    const a = subjectHash(key, ' A123 ');
    expect(a).toBe(subjectHash(key, 'A123'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectHash('j'.repeat(32), 'A123')).not.toBe(a);
    expect(subjectHash(key, 'A124')).not.toBe(a);
  });

  it('when the key is short, then it refuses', () => {
    expect(() => subjectHash('short', 'A123')).toThrow(expect.objectContaining({ code: 'PF_LEDGER_SUBJECT_KEY' }));
  });

  it('when given RFC 4231 test case 2 material padded to 32 bytes, then it is plain HMAC-SHA256', async () => {
    const { createHmac } = await import('node:crypto');
    expect(subjectHash(key, 'what do ya want for nothing?')).toBe(createHmac('sha256', key).update('what do ya want for nothing?').digest('hex'));
  });
});
