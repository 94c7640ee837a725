import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, loadCatalog, topics, type AuditEntry, type Release, type TopicMessages, type TopicName } from '@firewall/core';
import { JWKS_FILE, KeySet, digestEvent, startLedgerService, type LedgerService } from '@firewall/ledger';
import type { RecordSystemAdapter } from './adapter.js';
import { fictionalRecords } from './adapters/fictional.js';
import { createFixtureAdapter } from './adapters/fixture.js';
import { decryptPayload, generateEncryptionKeyPair } from './jwe.js';
import type { ReleasePayload } from './release.js';
import { startReleaser, type Releaser, type ReleaserDeps } from './releaser.js';
import { fakeAuditEntry, makeDecision, makeRequest, makeResolution } from './test-support.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const catalog = loadCatalog();
const keys = await generateEncryptionKeyPair();
const registry = { agencies: { MN_COURT: { jwks: { keys: [keys.publicJwk] } } } };
const citation = String(fictionalRecords('summons')[5]!.citation_id);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: { ledger?: boolean; adapters?: RecordSystemAdapter[]; verify?: boolean; keysLoader?: (dir: string) => Promise<KeySet> } = {}) {
  const bus = new MemoryBus();
  const dir = mkdtempSync(join(tmpdir(), 'pf-releaser-'));
  let ledger: LedgerService | undefined;
  const closeLedger = async () => ledger?.close();
  if (options.ledger) {
    ledger = await startLedgerService({ bus, codec: avroCodec, logger, dir: join(dir, 'ledger'), keyPath: join(dir, 'ledger.key.pem'), createKey: true });
    closers.push(closeLedger);
  }
  const releases: Release[] = [];
  const entries: AuditEntry[] = [];
  await consume({ bus, codec: avroCodec, logger, topic: topics.releases, group: 'test-releases', handle: async (r) => void releases.push(r) });
  await consume({ bus, codec: avroCodec, logger, topic: topics.audit, group: 'test-audit', handle: async (e) => void entries.push(e) });
  const deps: ReleaserDeps = {
    bus, codec: avroCodec, logger, catalog, registry, policyData: { thresholds: { small_cell_k: 10 } }, timeoutMs: 200,
    adapters: options.adapters ?? [createFixtureAdapter('summons')],
    ...(options.verify ? { ledgerKeys: await KeySet.fromFile(join(dir, 'ledger', JWKS_FILE)) } : {}),
    ...(options.keysLoader ? { ledgerKeys: () => options.keysLoader!(dir) } : {}),
  };
  const releaser: Releaser = await startReleaser(deps);
  closers.push(() => releaser.close());
  const publish = async <T extends TopicName>(topic: T, key: string, value: TopicMessages[T]) => bus.publish(topic, key, await avroCodec.encode(topic, value));
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await bus.settled();
      await releaser.idle();
    }
  };
  return { bus, releases, entries, publish, settle, ledger, closeLedger };
}

/** A request and its decision as the decoded messages the ledger and releaser see. */
async function requestAndDecision(outcomes: Parameters<typeof makeDecision>[1], decision?: Parameters<typeof makeDecision>[2], dryRun = false) {
  const request = await avroCodec.decode(topics.requests, await avroCodec.encode(topics.requests, makeRequest({ subjectIds: [citation], dryRun })));
  const d = await avroCodec.decode(topics.decisions, await avroCodec.encode(topics.decisions, makeDecision(request, outcomes, decision)));
  return { request, decision: d };
}

describe('releaser service (in-process bus, real file ledger)', () => {
  it('releases an allowed request after the ledger made its decision durable, encrypted to the requester', async () => {
    const t = await setup({ ledger: true, verify: true });
    const { request, decision } = await requestAndDecision({ citation_id: 'release', full_name: 'release', offense: 'release' });
    await t.publish(topics.requests, request.requestId, request);
    await t.publish(topics.decisions, decision.requestId, decision);
    await t.settle();
    expect(t.releases).toHaveLength(1);
    const [release] = t.releases;
    const decisionEntry = t.entries.find((e) => e.type === 'DECISION' && e.requestId === request.requestId)!;
    expect(release).toMatchObject({ requestId: request.requestId, authority: 'DECISION', authorityDigest: decisionEntry.eventDigest, outcome: 'RELEASED', recordCount: 1 });
    expect(decisionEntry.eventDigest).toBe(digestEvent(decision));
    const payload = await decryptPayload<ReleasePayload>(release!.payload!, keys.privateJwk);
    expect(Object.keys(payload.records[0]!).sort()).toEqual(['citation_id', 'full_name', 'offense']);
    expect(payload.records[0]!.citation_id).toBe(citation);
  });

  it('never releases a decision that has no ledger entry, nor on an entry whose digest does not match', async () => {
    const t = await setup();
    const { request, decision } = await requestAndDecision({ offense: 'release' });
    await t.publish(topics.requests, request.requestId, request);
    await t.publish(topics.decisions, decision.requestId, decision);
    await t.publish(topics.audit, request.requestId, fakeAuditEntry('REQUEST_RECEIVED', request.requestId, digestEvent(request)));
    await t.settle();
    expect(t.releases).toEqual([]);
    await t.publish(topics.audit, request.requestId, fakeAuditEntry('DECISION', request.requestId, digestEvent({ ...decision, released: ['full_name', 'offense'] })));
    await t.settle();
    expect(t.releases).toEqual([]);
    // The matching entry (unsigned: this releaser was not given the ledger's keys) finally lets it through.
    await t.publish(topics.audit, request.requestId, fakeAuditEntry('DECISION', request.requestId, digestEvent(decision)));
    await t.settle();
    expect(t.releases.map((r) => r.outcome)).toEqual(['RELEASED']);
  });

  it('with the ledger\'s keys, ignores entries the ledger did not sign, even with the right digest', async () => {
    const t = await setup({ ledger: true, verify: true });
    const { request, decision } = await requestAndDecision({ offense: 'release' });
    // The ledger's keys are trusted, but the ledger itself is stopped: the entries below are forgeries.
    await t.ledger!.close();
    closers.splice(closers.indexOf(t.closeLedger), 1);
    const forged = [fakeAuditEntry('REQUEST_RECEIVED', request.requestId, digestEvent(request)), fakeAuditEntry('DECISION', request.requestId, digestEvent(decision))];
    await t.publish(topics.requests, request.requestId, request);
    await t.publish(topics.decisions, decision.requestId, decision);
    for (const entry of forged) await t.publish(topics.audit, request.requestId, entry);
    await t.settle();
    expect(t.releases).toEqual([]);
  });

  it('reloads the ledger\'s keys once when an entry names a key it does not know yet (a rotation)', async () => {
    let loads = 0;
    const t = await setup({ ledger: true, keysLoader: async (dir) => (loads++ === 0 ? KeySet.from({ keys: [] }) : KeySet.fromFile(join(dir, 'ledger', JWKS_FILE))) });
    const { request, decision } = await requestAndDecision({ offense: 'release' });
    await t.publish(topics.requests, request.requestId, request);
    await t.publish(topics.decisions, decision.requestId, decision);
    await t.settle();
    expect(loads).toBe(2);
    expect(t.releases.map((r) => r.outcome)).toEqual(['RELEASED']);
  });

  it('releases nothing for DENY, REVIEW or a dry run, even when durably audited', async () => {
    const t = await setup({ ledger: true });
    for (const [outcome, dryRun] of [['DENY', false], ['REVIEW', false], ['ALLOW', true]] as const) {
      const { request, decision } = await requestAndDecision({ offense: outcome === 'ALLOW' ? 'release' : 'withhold' }, outcome, dryRun);
      await t.publish(topics.requests, request.requestId, request);
      await t.publish(topics.decisions, decision.requestId, decision);
    }
    await t.settle();
    expect(t.entries.map((e) => e.type).sort()).toEqual(['DECISION', 'DECISION', 'DRY_RUN', 'DRY_RUN', 'REQUEST_RECEIVED', 'REQUEST_RECEIVED']);
    expect(t.releases).toEqual([]);
  });

  it('releases a held request\'s resolution fields once the REVIEW entry for that resolution is durable', async () => {
    const t = await setup();
    const { request, decision } = await requestAndDecision({}, 'REVIEW');
    await t.publish(topics.requests, request.requestId, request);
    await t.publish(topics.decisions, decision.requestId, decision);
    await t.publish(topics.audit, request.requestId, fakeAuditEntry('REQUEST_RECEIVED', request.requestId, digestEvent(request)));
    await t.publish(topics.audit, request.requestId, fakeAuditEntry('DECISION', request.requestId, digestEvent(decision)));
    const resolution = await avroCodec.decode(topics.reviews, await avroCodec.encode(topics.reviews, makeResolution(request, 'ALLOW', ['offense', 'full_name'])));
    await t.publish(topics.reviews, request.requestId, resolution);
    await t.settle();
    expect(t.releases).toEqual([]);
    // The ledger's REVIEW entry for exactly this resolution (the ledger service chains firewall.reviews.v1).
    await t.publish(topics.audit, request.requestId, fakeAuditEntry('REVIEW', request.requestId, digestEvent(resolution)));
    await t.settle();
    expect(t.releases).toHaveLength(1);
    expect(t.releases[0]).toMatchObject({ authority: 'REVIEW', authorityDigest: digestEvent(resolution), fields: ['full_name', 'offense'] });
  });

  it('publishes a FAILED release with the code and no payload when the record system times out', async () => {
    const hanging: RecordSystemAdapter = { system: 'summons', fetch: (_q, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
    const t = await setup({ ledger: true, adapters: [hanging] });
    const { request, decision } = await requestAndDecision({ offense: 'release' });
    await t.publish(topics.requests, request.requestId, request);
    await t.publish(topics.decisions, decision.requestId, decision);
    await t.settle();
    expect(t.releases).toEqual([expect.objectContaining({ outcome: 'FAILED', failure: 'PF_ADAPTER_TIMEOUT', payload: null, recordCount: 0 })]);
  });
});
