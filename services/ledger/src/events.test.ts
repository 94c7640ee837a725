import { describe, expect, it } from 'vitest';
import { accessActions, topics, type AccessEvent, type ReviewResolution } from '@firewall/core';
import { canonicalJson, digestEvent } from './canonical.js';
import { ledgerEventFor } from './events.js';
import { snapshot } from './ledger-event.js';
import { REDACTED, assertSummary, subjectHash } from './summary.js';

const key = 'k'.repeat(32);
const subjectId = 'MID-4417-9921';

const access = (change: Partial<AccessEvent> = {}): AccessEvent => ({
  accessId: '6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5', at: '2026-03-04T05:06:07.000Z', agency: 'CITY_DATA_PRACTICES', role: 'CITY_ATTORNEY',
  action: 'AUDIT_SEARCH', outcome: 'GRANTED', status: 200, code: null, filters: ['agency', 'subjectHash'],
  subjectHash: subjectHash(key, subjectId), requestId: null, resultCount: 2, ...change,
});

describe('ledgerEventFor(firewall.access.v1)', () => {
  it('when an audit search is chained, then the ACCESS entry holds identity, action, filter names and the keyed hash only', () => {
    const event = ledgerEventFor(topics.access, access())!;
    expect(event).toEqual({
      type: 'ACCESS', requestId: null, eventDigest: digestEvent(access()),
      summary: {
        agency: 'CITY_DATA_PRACTICES', role: 'CITY_ATTORNEY', action: 'AUDIT_SEARCH', outcome: 'GRANTED', status: 200,
        filters: ['agency', 'subjectHash'], subjectHashes: [subjectHash(key, subjectId)], count: 2,
      },
    });
    expect(canonicalJson(snapshot(event))).not.toContain(subjectId);
  });

  it('when a refused attempt without identity is chained, then it is an ACCESS entry with the refusal code and no agency', () => {
    const event = ledgerEventFor(topics.access, access({ agency: null, role: null, action: 'REVIEW_RESOLVE', outcome: 'REFUSED', status: 401, code: 'PF_AUTH_INVALID', filters: [], subjectHash: null, requestId: 'req-42', resultCount: null }))!;
    expect(event.type).toBe('ACCESS');
    expect(event.requestId).toBe('req-42');
    expect(event.summary).toEqual({ action: 'REVIEW_RESOLVE', outcome: 'REFUSED', status: 401, reason: 'PF_AUTH_INVALID', filters: [] });
    expect(() => snapshot(event)).not.toThrow();
  });

  it('when a forged access message carries free text, then the entry has it redacted; a non-hash subject is refused outright', () => {
    const event = ledgerEventFor(topics.access, access({ agency: 'Maria Lopez', role: '1985-02-03', filters: ['agency', 'ICE ERO denied'], code: 'find her' }))!;
    expect(event.summary).toMatchObject({ agency: REDACTED, role: REDACTED, filters: ['agency', REDACTED], reason: REDACTED });
    expect(JSON.stringify(event.summary)).not.toMatch(/Maria|1985|ICE ERO|find her/);
    expect(() => ledgerEventFor(topics.access, access({ subjectHash: subjectId }))).toThrow(expect.objectContaining({ code: 'PF_LEDGER_SUMMARY_NOT_ALLOWED' }));
  });

  it('when the concerned request id is not an id (spaces, too long), then the entry is tied to no request rather than carrying it', () => {
    expect(ledgerEventFor(topics.access, access({ requestId: 'case of Maria Lopez' }))!.requestId).toBeNull();
    expect(ledgerEventFor(topics.access, access({ requestId: 'x'.repeat(201) }))!.requestId).toBeNull();
  });

  it('every action of the schema makes an entry whose summary passes the append check', () => {
    expect(accessActions).toEqual(['AUDIT_SEARCH', 'AUDIT_SUBJECT_HASH', 'AUDIT_EVIDENCE', 'REVIEW_SIGN_IN', 'REVIEW_LIST', 'REVIEW_VIEW', 'REVIEW_RESOLVE']);
    for (const action of accessActions) expect(() => assertSummary(ledgerEventFor(topics.access, access({ action }))!.summary)).not.toThrow();
  });
});

describe('assertSummary on ACCESS keys', () => {
  it('when an ACCESS key holds free text or the wrong shape, then the append check refuses it', () => {
    expect(() => assertSummary({ action: 'searched for Maria' })).toThrow(expect.objectContaining({ code: 'PF_LEDGER_SUMMARY_NOT_ALLOWED' }));
    expect(() => assertSummary({ outcome: 'GRANTED because' })).toThrow();
    expect(() => assertSummary({ role: 'Jane Q. Resident' })).toThrow();
    expect(() => assertSummary({ status: 200.5 })).toThrow();
    expect(() => assertSummary({ status: '200' })).toThrow();
    expect(() => assertSummary({ filters: 'agency' })).toThrow();
    expect(() => assertSummary({ filters: ['agency=ICE ERO'] })).toThrow();
    expect(() => assertSummary({ subjectId })).toThrow();
    expect(() => assertSummary({ action: 'AUDIT_SEARCH', outcome: 'REFUSED', status: 403, filters: ['agency'], role: 'CITY_ATTORNEY' })).not.toThrow();
  });
});

describe('ledgerEventFor(firewall.reviews.v1)', () => {
  const resolution = (findings: ReviewResolution['findings']): ReviewResolution => ({
    requestId: 'req-7', resolvedAt: '2026-12-02T10:00:00.000Z', reviewerRole: 'CITY_ATTORNEY', reviewerKid: 'k'.repeat(43),
    outcome: 'ALLOW', fields: ['full_name', 'offense'], findings, note: 'header.payload.signature',
  });

  it('when the reviewer recorded findings, then the REVIEW entry names the verified facts and holds none of their values', () => {
    const findings = {
      court: 'U.S. District Court, D. Minn.', judgeSigned: true, verified: null, expires: '2030-06-30', namedSubjects: 1,
      listedFields: ['full_name', 'offense'], criminalPredicate: '18 U.S.C. 1591',
    };
    const event = ledgerEventFor(topics.reviews, resolution(findings))!;
    expect(event.summary).toEqual({
      reviewerRole: 'CITY_ATTORNEY', decision: 'ALLOW', fields: ['full_name', 'offense'],
      verifiedFacts: ['court', 'criminalPredicate', 'expires', 'judgeSigned', 'listedFields', 'namedSubjects'],
    });
    const stored = canonicalJson(snapshot(event));
    for (const value of ['D. Minn.', '2030-06-30', '1591']) expect(stored).not.toContain(value);
    assertSummary(event.summary);
  });

  it('when the reviewer recorded no findings, then the REVIEW entry is as before (no verifiedFacts key)', () => {
    expect(ledgerEventFor(topics.reviews, resolution(null))!.summary).toEqual({ reviewerRole: 'CITY_ATTORNEY', decision: 'ALLOW', fields: ['full_name', 'offense'] });
  });
});
