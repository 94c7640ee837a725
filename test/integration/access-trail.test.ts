/**
 * The audit trail's own trail: uses of the audit API and the review desk (and refused attempts) recorded through
 * createAccessLog become ACCESS entries — over the embedded bus and file ledger, and over real Kafka with the
 * Kafka ledger — found by the audit search, carrying identity and codes but no personal data, in a chain that
 * still verifies, in evidence files that still verify, and never counted by oversight as requests.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus, MemoryBus, avroCodec, createLogger, loadCatalog, topics, type AuditEntry, type RecordRequest } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { createAccessLog } from '@firewall/http';
import {
  KafkaLedger, createMemorySigner, exportAuditTopic, jwksOf, ledgerEntries, readAuditTopic, searchLedger, startLedgerService,
  verifyLedgerFolder, verifyPath, type StoredLine,
} from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { reviewerAgency } from '@firewall/review';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { verifyCommand } from '../../services/cli/src/verify.js';
import { testBrokers, testKafka, waitFor } from '../helpers/kafka.js';

const logLines: string[] = [];
const logger = createLogger({ service: 'it', level: 'debug', destination: new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } }) });
const subjectId = 'MID-5512-3380';
const purposeText = 'Jane Q. Resident at 1234 Elm';
const summaryOf = (line: StoredLine) => line.entry.summary as Record<string, unknown>;

describe('ACCESS entries on the embedded firewall (memory bus, file ledger)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pf-access-'));
  const ledgerDir = join(dataDir, 'ledger');
  let firewall: RunningFirewall;
  let bus: MemoryBus;
  let requestId: string;
  let hash: string;
  const token = (agency: string, role?: string) => mintDevToken(dataDir, agency, role ? { role } : {});

  beforeAll(async () => {
    const prepared = await prepareEmbeddedBundle(dataDir);
    const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
    const { registryPath } = await ensureDevAgencies(dataDir, [...Object.keys((evaluator.bundle.data as { agencies: object }).agencies), reviewerAgency]);
    bus = new MemoryBus();
    firewall = await startFirewall({
      bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry: loadAgencyRegistry(registryPath), logger, dataDir,
      ledgerDir, ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 10_000,
    });
    const asked = await request(firewall.app).post('/v1/requests').set('authorization', `Bearer ${await token('HENNEPIN_SHERIFF')}`).send({
      purpose: { code: 'CRIMINAL_CASE_PROCESSING', text: purposeText }, legalBasis: { type: 'STATE_CRIMINAL_PROCESS' },
      system: 'summons', fields: ['full_name', 'offense'], attestations: ['NO_ONWARD_IMMIGRATION_SHARING'], subjectIds: [subjectId],
    });
    requestId = asked.body.requestId as string;
    const hashed = await request(firewall.app).post('/v1/audit/subject-hash').set('authorization', `Bearer ${await token(reviewerAgency, 'CITY_ATTORNEY')}`).send({ id: subjectId });
    hash = hashed.body.subjectHash as string;
    await bus.settled();

    const access = createAccessLog({ bus, codec: avroCodec, logger });
    const attorney = { agency: reviewerAgency, role: 'CITY_ATTORNEY' };
    await access.record({ ...attorney, action: 'AUDIT_SUBJECT_HASH', outcome: 'GRANTED', status: 200, subjectHash: hash });
    await access.record({ ...attorney, action: 'AUDIT_SEARCH', outcome: 'GRANTED', status: 200, filters: ['subjectHash', 'type'], subjectHash: hash, resultCount: 2 });
    await access.record({ ...attorney, action: 'AUDIT_EVIDENCE', outcome: 'GRANTED', status: 200, requestId });
    await access.record({ action: 'REVIEW_SIGN_IN', outcome: 'REFUSED', status: 401, code: 'PF_AUTH_INVALID' });
    await access.record({ agency: 'ICE_ERO', role: null, action: 'REVIEW_VIEW', outcome: 'REFUSED', status: 403, code: 'PF_AUTH_FORBIDDEN', requestId });
    await access.record({ agency: 'ICE_ERO', action: 'AUDIT_SEARCH', outcome: 'REFUSED', status: 403, code: 'PF_AUTH_FORBIDDEN', filters: ['agency', 'decision'] });
    await bus.settled();
  }, 120_000);

  afterAll(async () => {
    await firewall.close();
    await bus.close();
  });

  it('when the audit trail is searched with type=ACCESS, then every recorded access is there with its identity and action', async () => {
    const { entries } = await searchLedger(ledgerEntries(ledgerDir), { type: 'ACCESS' });
    expect(entries.map((l) => [summaryOf(l).agency ?? null, summaryOf(l).action, summaryOf(l).outcome, summaryOf(l).status])).toEqual([
      // The look-up over HTTP in beforeAll, recorded by the audit API itself; then the six recorded directly.
      [reviewerAgency, 'AUDIT_SUBJECT_HASH', 'GRANTED', 200],
      [reviewerAgency, 'AUDIT_SUBJECT_HASH', 'GRANTED', 200],
      [reviewerAgency, 'AUDIT_SEARCH', 'GRANTED', 200],
      [reviewerAgency, 'AUDIT_EVIDENCE', 'GRANTED', 200],
      [null, 'REVIEW_SIGN_IN', 'REFUSED', 401],
      ['ICE_ERO', 'REVIEW_VIEW', 'REFUSED', 403],
      ['ICE_ERO', 'AUDIT_SEARCH', 'REFUSED', 403],
    ]);
    expect(summaryOf(entries[0]!)).toEqual({ agency: reviewerAgency, role: 'CITY_ATTORNEY', action: 'AUDIT_SUBJECT_HASH', outcome: 'GRANTED', status: 200, filters: [], subjectHashes: [hash] });
    expect(summaryOf(entries[2]!)).toEqual({ agency: reviewerAgency, role: 'CITY_ATTORNEY', action: 'AUDIT_SEARCH', outcome: 'GRANTED', status: 200, filters: ['subjectHash', 'type'], subjectHashes: [hash], count: 2 });
    expect(summaryOf(entries[4]!)).toEqual({ action: 'REVIEW_SIGN_IN', outcome: 'REFUSED', status: 401, reason: 'PF_AUTH_INVALID', filters: [] });
  });

  it('when filtered by agency, action or outcome, then exactly the matching ACCESS entries come back', async () => {
    const ice = await searchLedger(ledgerEntries(ledgerDir), { type: 'ACCESS', agency: 'ICE_ERO' });
    expect(ice.entries.map((l) => summaryOf(l).action)).toEqual(['REVIEW_VIEW', 'AUDIT_SEARCH']);
    const refusedSearches = await searchLedger(ledgerEntries(ledgerDir), { action: 'AUDIT_SEARCH', outcome: 'REFUSED' });
    expect(refusedSearches.entries.map((l) => summaryOf(l).agency)).toEqual(['ICE_ERO']);
    // The HTTP audit search shows them too (and is itself recorded, after its answer's entries).
    const api = await request(firewall.app).get('/v1/audit/entries').query({ type: 'ACCESS', agency: 'ICE_ERO' }).set('authorization', `Bearer ${await token(reviewerAgency, 'CITY_ATTORNEY')}`);
    expect(api.status).toBe(200);
    expect(api.body.entries.map((e: { summary: { action: string } }) => e.summary.action)).toEqual(['REVIEW_VIEW', 'AUDIT_SEARCH']);
  });

  it("when searched by the request or the subject, then the accesses concerning it follow the request's own entries", async () => {
    const story = await searchLedger(ledgerEntries(ledgerDir), { requestId });
    const types = story.entries.map((l) => `${l.entry.type}${l.entry.type === 'ACCESS' ? `:${summaryOf(l).action as string}` : ''}`);
    expect(types.slice(0, 2)).toEqual(['REQUEST_RECEIVED', 'DECISION']);
    expect(types.filter((t) => t.startsWith('ACCESS'))).toEqual(['ACCESS:AUDIT_EVIDENCE', 'ACCESS:REVIEW_VIEW']);
    const aboutSubject = await searchLedger(ledgerEntries(ledgerDir), { subjectHash: hash });
    // The request, the HTTP look-up, and the look-up and search recorded directly; later searches by it too.
    expect(aboutSubject.entries.map((l) => l.entry.type).slice(0, 4)).toEqual(['REQUEST_RECEIVED', 'ACCESS', 'ACCESS', 'ACCESS']);
  });

  it('when the ledger and an evidence file holding ACCESS entries are verified, then both verify (firewall verify exits 0)', async () => {
    const out: string[] = [];
    expect(await verifyCommand(ledgerDir, {}, (l) => out.push(l))).toBe(0);
    expect(await verifyPath(ledgerDir)).toMatchObject({ ok: true, entries: (await searchLedger(ledgerEntries(ledgerDir), { limit: 500 })).entries.length });
    const evidence = await request(firewall.app).get(`/v1/audit/requests/${requestId}/evidence`).set('authorization', `Bearer ${await token(reviewerAgency, 'CITY_ATTORNEY')}`);
    expect(evidence.status).toBe(200);
    const file = join(dataDir, 'evidence.json');
    writeFileSync(file, evidence.text);
    expect((JSON.parse(evidence.text) as { entries: { entry: { type: string } }[] }).entries.map((e) => e.entry.type)).toContain('ACCESS');
    // The file's own keys are not trusted: the published JWKS is, or an explicit --trust-embedded-keys.
    expect(await verifyCommand(file, {}, (l) => out.push(l))).toBe(1);
    expect(out.at(-1)).toContain('untrusted keys: pass --jwks <published JWKS> or --trust-embedded-keys');
    const jwks = join(dataDir, 'published-jwks.json');
    writeFileSync(jwks, (await request(firewall.app).get('/v1/audit/jwks.json')).text);
    expect(await verifyCommand(file, { jwks }, (l) => out.push(l))).toBe(0);
    expect(await verifyCommand(file, { trustEmbeddedKeys: true }, (l) => out.push(l))).toBe(0);
    expect(out.at(-2)).toContain('WARNING: trusted the keys embedded in the evidence file');
    writeFileSync(join(dataDir, 'evidence-changed.json'), evidence.text.replace('"REVIEW_VIEW"', '"REVIEW_LIST"'));
    expect(await verifyCommand(join(dataDir, 'evidence-changed.json'), { jwks }, (l) => out.push(l))).toBe(1);
  });

  it('when oversight reads the ledger, then ACCESS entries count as no request, decision or refusal', async () => {
    const store = firewall.oversight!.store;
    await store.sync();
    expect(store.index.decisions.map((d) => d.requestId)).toEqual([requestId]);
    expect(store.index.rejections).toEqual([]);
    expect(store.index.deadLetters).toEqual([]);
    const summary = await request(firewall.app).get('/v1/oversight/summary');
    expect(summary.status).toBe(200);
    expect(JSON.stringify(summary.body)).not.toContain('ACCESS');
  });

  it('no subject identifier or request text reaches the ledger or the logs; only the keyed hash', async () => {
    const haystacks = [...readdirSync(ledgerDir).map((f) => readFileSync(join(ledgerDir, f), 'utf8')), logLines.join('')];
    for (const text of haystacks) {
      expect(text).not.toContain(subjectId);
      expect(text).not.toContain(purposeText);
    }
    const segments = readdirSync(ledgerDir).filter((f) => f.startsWith('entries-')).map((f) => readFileSync(join(ledgerDir, f), 'utf8')).join('');
    expect(segments).toContain(hash);
  });
});

describe('ACCESS entries and the request-first ordering of the file ledger', () => {
  it('when an access concerns a request the ledger never saw, then it is chained at once, not held for the request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-access-order-'));
    const bus = new MemoryBus();
    // A wait far longer than the bound below: an ACCESS entry held for its request would miss the bound.
    const ledger = await startLedgerService({ bus, codec: avroCodec, logger, dir: join(dir, 'ledger'), keyPath: join(dir, 'ledger.key.pem'), createKey: true, requestWaitMs: 60_000 });
    try {
      const started = Date.now();
      await createAccessLog({ bus, codec: avroCodec, logger }).record({ agency: reviewerAgency, role: 'CITY_ATTORNEY', action: 'REVIEW_VIEW', outcome: 'GRANTED', status: 200, requestId: `never-requested-${randomUUID()}` });
      await waitFor(() => ledger.ledger.size === 1, { timeoutMs: 10_000, message: 'the ACCESS entry was chained' });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await ledger.close();
      await bus.close();
    }
  });
});

describe('ACCESS entries over real Kafka with the Kafka ledger', () => {
  const namespace = `it-access-${randomUUID().slice(0, 8)}`;
  let bus: KafkaBus;
  let ledger: KafkaLedger;
  let signer: Awaited<ReturnType<typeof createMemorySigner>>;

  beforeAll(async () => {
    signer = await createMemorySigner();
    // Connecting creates the namespace's topics, firewall.access.v1 among them.
    bus = await KafkaBus.connect({ brokers: testBrokers(), clientId: 'it-access', logger, namespace });
    ledger = new KafkaLedger({ brokers: testBrokers(), signer, logger, namespace, sessionTimeoutMs: 6_000, onFatal: () => undefined });
    await ledger.start();
  }, 120_000);

  afterAll(async () => {
    await ledger?.stop();
    await bus?.close();
  }, 60_000);

  it('when accesses are recorded on the Kafka bus, then the Kafka ledger chains them as ACCESS entries on firewall.audit.v1 that verify', async () => {
    expect(ledger.role).toBe('active');
    const requestId = `req-${randomUUID()}`;
    const received: RecordRequest = {
      requestId, receivedAt: new Date().toISOString(), requester: { agency: 'HENNEPIN_SHERIFF', role: null, verified: true },
      purpose: { code: 'CRIMINAL_CASE_PROCESSING', text: purposeText }, legalBasis: null, channel: null, system: 'summons', fields: ['offense'],
      subjects: null, attestations: null, subjectIds: [subjectId], dryRun: false,
    };
    await bus.publish(topics.requests, requestId, await avroCodec.encode(topics.requests, received));
    const access = createAccessLog({ bus, codec: avroCodec, logger });
    await access.record({ agency: reviewerAgency, role: 'CITY_ATTORNEY', action: 'REVIEW_LIST', outcome: 'GRANTED', status: 200, resultCount: 1 });
    await access.record({ agency: reviewerAgency, role: 'CITY_ATTORNEY', action: 'REVIEW_RESOLVE', outcome: 'GRANTED', status: 200, requestId });
    await access.record({ action: 'AUDIT_EVIDENCE', outcome: 'REFUSED', status: 401, code: 'PF_AUTH_MISSING' });
    await access.record({ agency: 'ICE_ERO', action: 'AUDIT_SUBJECT_HASH', outcome: 'REFUSED', status: 403, code: 'PF_AUTH_FORBIDDEN' });

    let entries: AuditEntry[] = [];
    await waitFor(async () => {
      entries = [];
      await readAuditTopic(testKafka(), (e) => entries.push(e), { namespace });
      return entries.filter((e) => e.type === 'ACCESS').length >= 4 && entries.some((e) => e.type === 'REQUEST_RECEIVED');
    }, { timeoutMs: 60_000, intervalMs: 500, message: 'the ACCESS entries were chained on the audit topic' });
    const accesses = entries.filter((e) => e.type === 'ACCESS').map((e) => ({ requestId: e.requestId ?? null, summary: JSON.parse(e.summary) as Record<string, unknown> }));
    // The access topic has several partitions (keyed by access id), so the chain need not keep the order of recording.
    expect(accesses.map((a) => `${a.summary.agency ?? '-'} ${a.summary.action as string} ${a.summary.outcome as string}`).sort()).toEqual([
      `- AUDIT_EVIDENCE REFUSED`, `${reviewerAgency} REVIEW_LIST GRANTED`, `${reviewerAgency} REVIEW_RESOLVE GRANTED`, `ICE_ERO AUDIT_SUBJECT_HASH REFUSED`,
    ].sort());
    expect(accesses.find((a) => a.summary.action === 'REVIEW_RESOLVE')?.requestId).toBe(requestId);
    expect(accesses.find((a) => a.summary.action === 'AUDIT_EVIDENCE')?.summary).toEqual({ action: 'AUDIT_EVIDENCE', outcome: 'REFUSED', status: 401, reason: 'PF_AUTH_MISSING', filters: [] });
    expect(JSON.stringify(entries)).not.toContain(subjectId);
    expect(JSON.stringify(entries)).not.toContain(purposeText);

    const folder = mkdtempSync(join(tmpdir(), 'pf-access-chain-'));
    expect(await exportAuditTopic(testKafka(), folder, jwksOf([signer.publicJwk]), namespace)).toBe(entries.length);
    expect(await verifyLedgerFolder(folder)).toMatchObject({ ok: true, entries: entries.length });
    const found = await searchLedger(ledgerEntries(folder), { type: 'ACCESS', agency: 'ICE_ERO' });
    expect(found.entries.map((l) => summaryOf(l).action)).toEqual(['AUDIT_SUBJECT_HASH']);
  });
});
