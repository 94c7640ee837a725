import { describe, expect, it } from 'vitest';
import { digestEvent } from '@firewall/ledger';
import { ReleaseGate } from './gate.js';
import { fakeAuditEntry, makeDecision, makeRequest, makeResolution } from './test-support.js';

function parts(decision: 'ALLOW' | 'ALLOW_REDACTED' | 'DENY' | 'REVIEW' = 'ALLOW_REDACTED') {
  const request = makeRequest();
  const d = makeDecision(request, { full_name: 'release', offense: 'release' }, decision);
  return {
    request, decision: d,
    requestEntry: fakeAuditEntry('REQUEST_RECEIVED', request.requestId, digestEvent(request)),
    decisionEntry: fakeAuditEntry('DECISION', request.requestId, digestEvent(d)),
  };
}

describe('release gate: no release without a durable audit entry', () => {
  it('releases an ALLOW_REDACTED decision once request, decision and both ledger entries are there, in any order', () => {
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]];
    for (const order of orders) {
      const gate = new ReleaseGate();
      const p = parts();
      const offers = [() => gate.offerRequest(p.request), () => gate.offerDecision(p.decision), () => gate.offerAuditEntry(p.requestEntry), () => gate.offerAuditEntry(p.decisionEntry)];
      const jobs = order.flatMap((i) => offers[i]!());
      expect(jobs, `order ${order.join(',')}`).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ authority: 'DECISION', digest: digestEvent(p.decision), request: p.request, decision: p.decision });
    }
  });

  it('never releases a decision without its DECISION ledger entry', () => {
    const gate = new ReleaseGate();
    const p = parts();
    expect([...gate.offerRequest(p.request), ...gate.offerAuditEntry(p.requestEntry), ...gate.offerDecision(p.decision)]).toEqual([]);
  });

  it('never releases on a ledger entry whose digest does not match the decision (or the request)', () => {
    const gate = new ReleaseGate();
    const p = parts();
    gate.offerRequest(p.request);
    gate.offerDecision(p.decision);
    gate.offerAuditEntry(p.requestEntry);
    const altered = { ...p.decision, released: [...p.decision.released, 'interpreter_language'] };
    expect(gate.offerAuditEntry(fakeAuditEntry('DECISION', p.request.requestId, digestEvent(altered)))).toEqual([]);
    expect(gate.offerAuditEntry(fakeAuditEntry('REVIEW', p.request.requestId, digestEvent(p.decision)))).toEqual([]);
    expect(gate.offerAuditEntry(fakeAuditEntry('DECISION', 'another-request', digestEvent(p.decision)))).toEqual([]);

    const other = new ReleaseGate();
    other.offerRequest(p.request);
    other.offerDecision(p.decision);
    other.offerAuditEntry(p.decisionEntry);
    expect(other.offerAuditEntry(fakeAuditEntry('REQUEST_RECEIVED', p.request.requestId, digestEvent({ ...p.request, subjectIds: ['CIT-500099'] })))).toEqual([]);
  });

  it('never releases DENY or REVIEW decisions, nor dry runs', () => {
    for (const outcome of ['DENY', 'REVIEW'] as const) {
      const gate = new ReleaseGate();
      const p = parts(outcome);
      expect([...gate.offerRequest(p.request), ...gate.offerDecision(p.decision), ...gate.offerAuditEntry(p.requestEntry), ...gate.offerAuditEntry(p.decisionEntry)]).toEqual([]);
    }
    const gate = new ReleaseGate();
    const request = makeRequest({ dryRun: true });
    const decision = makeDecision(request, { full_name: 'release' }, 'ALLOW');
    expect([
      ...gate.offerRequest(request), ...gate.offerDecision(decision),
      ...gate.offerAuditEntry(fakeAuditEntry('DRY_RUN', request.requestId, digestEvent(request))),
      ...gate.offerAuditEntry(fakeAuditEntry('DECISION', request.requestId, digestEvent(decision))),
    ]).toEqual([]);
  });

  it('releases once per authority, however often the parts are redelivered', () => {
    const gate = new ReleaseGate();
    const p = parts();
    const all = () => [...gate.offerRequest(p.request), ...gate.offerDecision(p.decision), ...gate.offerAuditEntry(p.requestEntry), ...gate.offerAuditEntry(p.decisionEntry)];
    expect(all()).toHaveLength(1);
    expect(all()).toEqual([]);
  });

  it('acts on a REVIEW decision only with an ALLOW resolution that has its own REVIEW ledger entry', () => {
    const gate = new ReleaseGate();
    const p = parts('REVIEW');
    gate.offerRequest(p.request);
    gate.offerDecision(p.decision);
    gate.offerAuditEntry(p.requestEntry);
    gate.offerAuditEntry(p.decisionEntry);
    const resolution = makeResolution(p.request, 'ALLOW', ['full_name']);
    expect(gate.offerResolution(resolution)).toEqual([]);
    expect(gate.offerAuditEntry(fakeAuditEntry('REVIEW', p.request.requestId, digestEvent({ ...resolution, fields: ['full_name', 'offense'] })))).toEqual([]);
    const jobs = gate.offerAuditEntry(fakeAuditEntry('REVIEW', p.request.requestId, digestEvent(resolution)));
    expect(jobs).toEqual([{ authority: 'REVIEW', digest: digestEvent(resolution), request: p.request, decision: p.decision, resolution }]);
  });

  it('does not let a resolution override a DENY, nor release a DENY resolution', () => {
    const denied = new ReleaseGate();
    const p = parts('DENY');
    const resolution = makeResolution(p.request, 'ALLOW', ['full_name']);
    expect([
      ...denied.offerRequest(p.request), ...denied.offerDecision(p.decision), ...denied.offerAuditEntry(p.requestEntry), ...denied.offerAuditEntry(p.decisionEntry),
      ...denied.offerResolution(resolution), ...denied.offerAuditEntry(fakeAuditEntry('REVIEW', p.request.requestId, digestEvent(resolution))),
    ]).toEqual([]);
    const held = new ReleaseGate();
    const q = parts('REVIEW');
    const no = makeResolution(q.request, 'DENY', []);
    expect([
      ...held.offerRequest(q.request), ...held.offerDecision(q.decision), ...held.offerAuditEntry(q.requestEntry), ...held.offerAuditEntry(q.decisionEntry),
      ...held.offerResolution(no), ...held.offerAuditEntry(fakeAuditEntry('REVIEW', q.request.requestId, digestEvent(no))),
    ]).toEqual([]);
  });

  it('forgets the oldest request ids beyond its capacity (bounded memory, fail closed)', () => {
    const gate = new ReleaseGate(2);
    const p = parts();
    gate.offerRequest(p.request);
    gate.offerDecision(p.decision);
    gate.offerAuditEntry(p.requestEntry);
    for (const other of [makeRequest(), makeRequest()]) gate.offerRequest(other);
    expect(gate.offerAuditEntry(p.decisionEntry)).toEqual([]);
  });
});
