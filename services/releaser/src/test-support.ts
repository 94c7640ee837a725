// Builders for the releaser's unit tests (compiled with the package so tests elsewhere can use them too).
import type { AuditEntry, Decision, FieldAction, RecordRequest, ReviewResolution } from '@firewall/core';

let counter = 0;

/** A request as the gateway would publish it (decoded form: optional fields present as null). */
export function makeRequest(overrides: Partial<RecordRequest> = {}): RecordRequest {
  counter += 1;
  return {
    requestId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    receivedAt: new Date().toISOString(),
    requester: { agency: 'MN_COURT', role: null, verified: true },
    purpose: { code: 'COURT_PROCEEDING', text: null },
    legalBasis: null, channel: null, system: 'summons',
    fields: ['citation_id', 'full_name', 'offense', 'interpreter_language'],
    subjects: { count: 1, selection: 'NAMED' }, attestations: null, subjectIds: ['CIT-500002'], dryRun: false,
    ...overrides,
  };
}

/** A decision on the request: each requested field's outcome (default withhold), transforms as generalise_location. */
export function makeDecision(request: RecordRequest, outcomes: Readonly<Record<string, FieldAction>>, decision?: Decision['decision']): Decision {
  const fields = request.fields.map((name) => {
    const outcome = outcomes[name] ?? 'withhold';
    return { name, outcome, rules: ['R19'], transform: outcome === 'transform' ? 'generalise_location' : null };
  });
  const released = fields.filter((f) => f.outcome === 'release').map((f) => f.name).sort();
  const withheld = fields.filter((f) => f.outcome !== 'release').map((f) => f.name).sort();
  return {
    requestId: request.requestId, decidedAt: new Date().toISOString(),
    decision: decision ?? (withheld.length ? 'ALLOW_REDACTED' : 'ALLOW'),
    fields, released, withheld, rules: [{ id: 'R19', title: 'Courts', sources: ['test'] }], decisive: ['R19'], reasons: [], alerts: [],
    councilReport: false, openQuestions: [], policy: { revision: 'test', digest: 'd' }, failure: null,
    context: {
      agency: request.requester.agency, purpose: request.purpose.code, basisType: 'NONE', channel: 'RECORD_REQUEST', system: request.system,
      selection: request.subjects?.selection ?? 'NAMED', count: request.subjects?.count ?? 1, dryRun: request.dryRun ?? false,
    },
  };
}

export function makeResolution(request: RecordRequest, outcome: 'ALLOW' | 'DENY', fields: string[]): ReviewResolution {
  return { requestId: request.requestId, resolvedAt: new Date().toISOString(), reviewerRole: 'CITY_ATTORNEY', reviewerKid: 'k'.repeat(43), outcome, fields, note: 'x.y.z' };
}

let seq = 0;

/** An unsigned AuditEntry naming an event digest (what a ledger would publish, minus a real hash and JWS). */
export function fakeAuditEntry(type: string, requestId: string, eventDigest: string): AuditEntry {
  seq += 1;
  return { seq, prevHash: '0'.repeat(64), type, requestId, time: new Date().toISOString(), eventDigest, policyRevision: null, summary: '{}', hash: '0'.repeat(64), jws: 'a.b.c' };
}
