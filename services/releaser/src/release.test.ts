import { describe, expect, it } from 'vitest';
import { loadCatalog, type RecordRequest } from '@firewall/core';
import { digestEvent } from '@firewall/ledger';
import type { RecordSystemAdapter } from './adapter.js';
import { CLASS_A_MARKER, fictionalRecords } from './adapters/fictional.js';
import { createFixtureAdapter } from './adapters/fixture.js';
import { createLedgerAggregateAdapter } from './adapters/ledger-aggregate.js';
import type { ReleaseJob } from './gate.js';
import { decryptPayload, generateEncryptionKeyPair, type AgencyKeys } from './jwe.js';
import { performRelease, type ReleaseContext, type ReleasePayload } from './release.js';
import { fakeAuditEntry, makeDecision, makeRequest, makeResolution } from './test-support.js';

const catalog = loadCatalog();
const keys = await generateEncryptionKeyPair();
const registry: AgencyKeys = { agencies: Object.fromEntries(['MN_COURT', 'RESEARCHER', 'CITY_COUNCIL'].map((a) => [a, { jwks: { keys: [keys.publicJwk] } }])) };
const summonsWithClassA = fictionalRecords('summons').filter((r) => r.identification_method).map((r) => String(r.citation_id));
const summonsWithout = fictionalRecords('summons').filter((r) => !r.identification_method).map((r) => String(r.citation_id));

function context(overrides: Partial<ReleaseContext> = {}): ReleaseContext {
  const adapters = [createFixtureAdapter('summons'), createFixtureAdapter('service_requests')];
  return { adapters: new Map(adapters.map((a) => [a.system, a])), registry, catalog, smallCellK: 10, maxRecords: 100, timeoutMs: 500, now: () => new Date(), ...overrides };
}
function job(request: RecordRequest, outcomes: Parameters<typeof makeDecision>[1]): ReleaseJob {
  const decision = makeDecision(request, outcomes);
  return { authority: 'DECISION', digest: digestEvent(decision), request, decision };
}
const counting = (inner: RecordSystemAdapter) => {
  let calls = 0;
  return { adapter: { system: inner.system, fetch: async (...args: Parameters<RecordSystemAdapter['fetch']>) => (calls++, inner.fetch(...args)) }, calls: () => calls };
};

describe('performRelease', () => {
  it('delivers the named records with exactly the released fields, encrypted, and raises CLASS_A_IN_SOURCE without the value', async () => {
    const ids = [summonsWithClassA[0]!, summonsWithout[0]!];
    const request = makeRequest({ subjectIds: ids, subjects: { count: 2, selection: 'NAMED' } });
    const { release, classAFields } = await performRelease(job(request, { citation_id: 'release', full_name: 'release', offense: 'release' }), context());
    expect(release).toMatchObject({
      outcome: 'RELEASED', failure: null, recordCount: 2, fields: ['citation_id', 'full_name', 'offense'], transformed: [], alerts: ['CLASS_A_IN_SOURCE'], authority: 'DECISION',
    });
    expect(classAFields).toEqual(['identification_method']);
    expect(release.payload).not.toContain(CLASS_A_MARKER);
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(payload).toMatchObject({ requestId: request.requestId, kind: 'records', withheld: ['interpreter_language'] });
    expect(payload.records.map((r) => r.citation_id)).toEqual(ids);
    for (const record of payload.records) expect(Object.keys(record).sort()).toEqual(['citation_id', 'full_name', 'offense']);
    expect(JSON.stringify(payload)).not.toContain(CLASS_A_MARKER);
  });

  it('never delivers record identifiers that were not requested', async () => {
    const request = makeRequest({ fields: ['offense'], subjectIds: [summonsWithout[1]!] });
    const { release } = await performRelease(job(request, { offense: 'release' }), context());
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(payload.records).toEqual([{ offense: expect.any(String) }]);
  });

  it('generalises locations it is told to transform', async () => {
    const request = makeRequest({
      requester: { agency: 'RESEARCHER', role: null, verified: true }, system: 'service_requests',
      fields: ['service_type', 'location_address', 'caller_name'], subjects: { count: 500, selection: 'ATTRIBUTE' }, subjectIds: null,
    });
    const { release } = await performRelease(job(request, { service_type: 'release', location_address: 'transform' }), context({ maxRecords: 25 }));
    expect(release).toMatchObject({ outcome: 'RELEASED', recordCount: 25, fields: ['service_type'], transformed: ['location_address'] });
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(payload.transformed).toEqual([{ name: 'location_address', transform: 'generalise_location' }]);
    expect(payload.records.every((r) => /^\d+00 block of [A-Za-z ]+$|^0 block of/.test(String(r.location_address)))).toBe(true);
    expect(payload.records.every((r) => !('caller_name' in r))).toBe(true);
  });

  it('answers a named request without subject ids with no records', async () => {
    const { release } = await performRelease(job(makeRequest({ subjectIds: null }), { offense: 'release' }), context());
    expect(release).toMatchObject({ outcome: 'RELEASED', recordCount: 0 });
  });

  it.each([
    ['more subject ids than the decided count', 'PF_RELEASE_SUBJECTS_EXCEED_COUNT', () => makeRequest({ subjectIds: ['CIT-500001', 'CIT-500002'], subjects: { count: 1, selection: 'NAMED' } })],
    ['an agency with no encryption key', 'PF_RELEASE_NO_KEY', () => makeRequest({ requester: { agency: 'FBI', role: null, verified: true } })],
    ['a system with no adapter', 'PF_ADAPTER_MISSING', () => makeRequest({ system: 'parking', fields: ['plate_read'] })],
  ] as const)('fails closed on %s (%s) without asking the record system', async (_what, code, makeReq) => {
    const fixture = counting(createFixtureAdapter('summons'));
    const request = makeReq();
    const { release } = await performRelease(job(request, Object.fromEntries(request.fields.map((f) => [f, 'release']))), context({ adapters: new Map([['summons', fixture.adapter]]) }));
    expect(release).toMatchObject({ outcome: 'FAILED', failure: code, recordCount: 0, payload: null, fields: [] });
    expect(fixture.calls()).toBe(0);
  });

  it('fails closed when the decision is for another system or agency than the request', async () => {
    const request = makeRequest();
    const j = job(request, { offense: 'release' });
    const { release } = await performRelease({ ...j, decision: { ...j.decision, context: { ...j.decision.context, agency: 'ICE_ERO' } } }, context());
    expect(release).toMatchObject({ outcome: 'FAILED', failure: 'PF_RELEASE_INCONSISTENT', payload: null });
  });

  it('turns an adapter error into PF_ADAPTER_FAILED and a hanging adapter into PF_ADAPTER_TIMEOUT, releasing nothing', async () => {
    const request = makeRequest();
    const broken: RecordSystemAdapter = { system: 'summons', fetch: async () => { throw new Error('connection refused at 10.0.0.5 for Avery'); } };
    const hanging: RecordSystemAdapter = { system: 'summons', fetch: () => new Promise(() => undefined) };
    for (const [adapter, code] of [[broken, 'PF_ADAPTER_FAILED'], [hanging, 'PF_ADAPTER_TIMEOUT']] as const) {
      const { release } = await performRelease(job(request, { offense: 'release' }), context({ adapters: new Map([['summons', adapter]]), timeoutMs: 100 }));
      expect(release).toMatchObject({ outcome: 'FAILED', failure: code, payload: null, recordCount: 0 });
      expect(JSON.stringify(release)).not.toContain('Avery');
    }
  });

  it('does not release a decision later than the requester waits (PF_RELEASE_EXPIRED); reviews have no such deadline', async () => {
    const request = makeRequest({ receivedAt: new Date(Date.now() - 60_000).toISOString() });
    const late = await performRelease(job(request, { offense: 'release' }), context({ releaseDeadlineMs: 30_000 }));
    expect(late.release).toMatchObject({ outcome: 'FAILED', failure: 'PF_RELEASE_EXPIRED', payload: null });
    const decision = makeDecision(request, {}, 'REVIEW');
    const resolution = makeResolution(request, 'ALLOW', ['offense']);
    const review = await performRelease({ authority: 'REVIEW', digest: digestEvent(resolution), request, decision, resolution }, context({ releaseDeadlineMs: 30_000 }));
    expect(review.release).toMatchObject({ outcome: 'RELEASED', authority: 'REVIEW', fields: ['offense'] });
  });

  it('answers AGGREGATE requests with counts per released value, cells under k suppressed', async () => {
    const request = makeRequest({
      requester: { agency: 'RESEARCHER', role: null, verified: true }, system: 'service_requests', fields: ['service_type', 'caller_name'],
      subjects: { count: 0, selection: 'AGGREGATE' }, subjectIds: null,
    });
    const { release } = await performRelease(job(request, { service_type: 'release' }), context({ smallCellK: 26 }));
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(payload).toMatchObject({ kind: 'aggregate', smallCellK: 26 });
    expect(payload.records.length + payload.suppressedCells!).toBe(new Set(fictionalRecords('service_requests').map((r) => r.service_type)).size);
    expect(payload.suppressedCells).toBeGreaterThan(0);
    for (const cell of payload.records) {
      expect(Object.keys(cell).sort()).toEqual(['count', 'service_type']);
      expect(cell.count).toBeGreaterThanOrEqual(26);
    }
  });

  it('answers the audit system from ledger summaries', async () => {
    const audit = createLedgerAggregateAdapter();
    const summary = JSON.stringify({ agency: 'ICE_ERO', decision: 'DENY', system: 'municipal_id', rules: ['R1', 'R3'] });
    for (let i = 0; i < 12; i++) audit.observe({ ...fakeAuditEntry('DECISION', `r-${i}`, '0'.repeat(64)), summary, time: '2026-12-01T10:00:00Z' });
    audit.observe({ ...fakeAuditEntry('DECISION', 'r-x', '0'.repeat(64)), summary: JSON.stringify({ agency: 'FBI', decision: 'REVIEW' }), time: '2026-12-01T10:00:00Z' });
    const request = makeRequest({
      requester: { agency: 'CITY_COUNCIL', role: null, verified: true }, system: 'audit', fields: ['agency', 'decision', 'month'],
      subjects: { count: 0, selection: 'AGGREGATE' }, subjectIds: null,
    });
    const { release } = await performRelease(job(request, { agency: 'release', decision: 'release', month: 'release' }), context({ adapters: new Map([['audit', audit]]) }));
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(payload.records).toEqual([{ agency: 'ICE_ERO', decision: 'DENY', month: '2026-12', count: 12 }]);
    expect(payload.suppressedCells).toBe(1);
  });
});
