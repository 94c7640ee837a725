/**
 * The release path on the real broker: gateway, decider, ledger and releaser each on their own Kafka client, the
 * record systems real too — 311 through the Open311 client against a local Open311-shaped server, summons in a
 * real PostgreSQL (deploy/local/postgres.sh), municipal ids from the fixture, the audit system from the ledger.
 * For every visible conformance scenario the policy allows, the requester decrypts exactly the released fields,
 * and the ledger's RELEASE entry comes after the REQUEST_RECEIVED and DECISION entries it acts on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { KafkaBus, avroCodec, consume, createLogger, loadCatalog, topics, type AuditEntry, type Bus, type Release, type Subscription } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import * as ledgerApi from '@firewall/ledger';
import { JWKS_FILE, KeySet, digestEvent, summarise, toAuditEntry, verifyPath } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import {
  CLASS_A_MARKER, createFixtureAdapter, createOpen311Adapter, createSqlAdapter, decryptPayload, fictionalRecords, followLedgerAggregates,
  generaliseLocation, generateEncryptionKeyPair, startOpen311Server, startReleaser, verifyAuditEntry, withEncryptionKey, withTimeout,
  type Open311Server, type Releaser, type ReleasePayload, type SqlAdapter,
} from '@firewall/releaser';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { testBrokers, waitFor } from '../helpers/kafka.js';
import { acquirePostgres, seedTable, type TestPostgres } from '../setup/postgres.js';
import { devCredentialVerifier, presentedOverHttp } from '../helpers/credentials.js';

const logger = createLogger({ service: 'it', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-release-'));
const ledgerDir = join(dataDir, 'ledger');
const catalog = loadCatalog();
const summons = fictionalRecords('summons');
const requests311 = fictionalRecords('service_requests');
const cards = fictionalRecords('municipal_id');
const keys = await generateEncryptionKeyPair();
const buses: Bus[] = [];
const parts: RunningFirewall[] = [];
const subscriptions: Subscription[] = [];
const releases = new Map<string, Release>();
const entries: AuditEntry[] = [];
let postgres: TestPostgres;
let summonsUrl: string;
let open311: Open311Server;
let sqlAdapter: SqlAdapter;
let releaser: Releaser;
let gateway: RunningFirewall;
// Its own topics and consumer groups: another test, or another run on the same broker, cannot interfere.
const namespace = `it-release-${randomUUID().slice(0, 8)}`;

async function bus(role: string): Promise<KafkaBus> {
  const b = await KafkaBus.connect({ brokers: testBrokers(), clientId: `it-release-${role}`, logger, partitions: 3, namespace });
  buses.push(b);
  return b;
}

/** The RELEASE entry's summary as the ledger service records it (codes, names and counts only). */
const releaseSummary = (release: Release) => summarise({
  decision: release.outcome, fields: [...(release.fields ?? []), ...(release.transformed ?? [])].sort(), count: release.recordCount ?? 0,
  ...(release.failure ? { reason: release.failure } : {}),
});

beforeAll(async () => {
  postgres = await acquirePostgres();
  const db = await postgres.createDatabase();
  summonsUrl = db.url;
  await seedTable(summonsUrl, 'summons', summons);
  await seedTable(summonsUrl, 'slow_summons_base', summons.slice(0, 3));
  const client = new pg.Client({ connectionString: summonsUrl });
  await client.connect();
  try {
    // A table that takes 5 s to read: the adapter's timeout, not the database, must end the wait.
    await client.query('CREATE FUNCTION nap(seconds double precision) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN true; END $$');
    await client.query('CREATE VIEW slow_summons AS SELECT b.* FROM slow_summons_base b, (SELECT nap(5)) AS s(ok) WHERE s.ok');
  } finally {
    await client.end();
  }
  open311 = await startOpen311Server({ records: requests311, slowMs: 20_000, behaviour: (id) => (id === 'SR-SLOW' ? 'slow' : id === 'SR-BROKEN' ? 'error' : undefined) });

  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, Object.keys((evaluator.bundle.data as { agencies: object }).agencies));
  const common = {
    codec: avroCodec, catalog, evaluator, registry: loadAgencyRegistry(registryPath), logger,
    dataDir, ledgerDir, ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 30_000,
    credentials: await devCredentialVerifier(dataDir),
  };
  for (const role of ['ledger', 'decider', 'gateway'] as const) parts.push(await startFirewall({ ...common, bus: await bus(role), roles: [role] }));
  gateway = parts[2]!;
  const ledger = parts[0]!.ledger!;

  const releaserBus = await bus('releaser');
  const aggregates = await followLedgerAggregates({ bus: releaserBus, codec: avroCodec, logger });
  subscriptions.push(aggregates.subscription);
  sqlAdapter = createSqlAdapter({ system: 'summons', connectionString: summonsUrl, table: 'summons', idColumn: 'citation_id' });
  releaser = await startReleaser({
    bus: releaserBus, codec: avroCodec, logger, catalog, policyData: evaluator.bundle.data, timeoutMs: 1_500, releaseDeadlineMs: 30_000,
    // Every registered agency gets this test's encryption key beside its signing key.
    registry: withEncryptionKey(loadAgencyRegistry(registryPath), keys.publicJwk),
    ledgerKeys: () => KeySet.fromFile(join(ledgerDir, JWKS_FILE)),
    adapters: [createFixtureAdapter('municipal_id'), createOpen311Adapter({ baseUrl: open311.baseUrl }), sqlAdapter, aggregates.adapter],
  });

  // Only this run's ledger entries (its signing key) and releases (to this run's encryption key) count here.
  const ledgerKeys = await KeySet.fromFile(join(ledgerDir, JWKS_FILE));
  const ours = (r: Release) => !r.payload || JSON.parse(Buffer.from(r.payload.split('.')[0]!, 'base64url').toString()).kid === keys.publicJwk.kid;
  const observer = await bus('observer');
  subscriptions.push(
    await consume({ bus: observer, codec: avroCodec, logger, topic: topics.releases, group: 'it-releases', fromBeginning: true, handle: async (r) => void (ours(r) && releases.set(r.requestId, r)) }),
    await consume({ bus: observer, codec: avroCodec, logger, topic: topics.audit, group: 'it-audit', fromBeginning: true, handle: async (e) => void ((await verifyAuditEntry(e, ledgerKeys)) && entries.push(e)) }),
  );
  // Until the ledger service chains firewall.releases.v1 (and .reviews.v1) itself — it lists what it chains in
  // chainedTopics — this test appends the same entries through the running ledger and publishes them as it does.
  const chained = (ledgerApi as Record<string, unknown>).chainedTopics;
  const ledgerChains = (topic: string) => Array.isArray(chained) && chained.includes(topic);
  const ledgerBus = buses[0]!;
  const appendAndPublish = async (event: ledgerApi.LedgerEvent) => {
    const stored = await ledger.ledger.append(event);
    await ledgerBus.publish(topics.audit, event.requestId ?? 'ledger', await avroCodec.encode(topics.audit, toAuditEntry(stored)));
  };
  if (!ledgerChains(topics.releases)) {
    subscriptions.push(await consume({
      bus: ledgerBus, codec: avroCodec, logger, topic: topics.releases, group: 'it-ledger-releases', fromBeginning: true,
      handle: async (r) => appendAndPublish({ type: 'RELEASE', requestId: r.requestId, eventDigest: digestEvent(r), summary: releaseSummary(r) }),
    }));
  }
  if (!ledgerChains(topics.reviews)) {
    subscriptions.push(await consume({
      bus: ledgerBus, codec: avroCodec, logger, topic: topics.reviews, group: 'it-ledger-reviews', fromBeginning: true,
      handle: async (r) => appendAndPublish({
        type: 'REVIEW', requestId: r.requestId, eventDigest: digestEvent(r), summary: summarise({ reviewerRole: r.reviewerRole, decision: r.outcome, fields: r.fields ?? [] }),
      }),
    }));
  }
  await Promise.all([...subscriptions, ...releaser.subscriptions].map((s) => s.ready));
}, 180_000);

afterAll(async () => {
  await releaser?.close();
  for (const s of subscriptions) await s.close();
  for (const part of parts.reverse()) await part.close();
  for (const b of buses) await b.close();
  await sqlAdapter?.close();
  await open311?.close();
  await postgres?.release();
}, 90_000);

const scenario = (id: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'conformance', `${id}.json`), 'utf8')) as { request: Record<string, unknown>; expect: { decision: string } };
const ids = (records: readonly Record<string, unknown>[], field: string, pick: (r: Record<string, unknown>) => boolean, n: number) => records.filter(pick).slice(0, n).map((r) => String(r[field]));
const hasClassA = (r: Record<string, unknown>) => Object.values(r).some((v) => String(v).startsWith(CLASS_A_MARKER));

/** Each scenario the policy allows, with the named subjects a real requester would name, and its source records. */
const allowed = [
  { id: 'S07', subjectIds: ids(summons, 'citation_id', hasClassA, 1), source: summons, classA: true },
  { id: 'S13', subjectIds: ids(summons, 'citation_id', hasClassA, 1), source: summons, classA: true },
  { id: 'S15', subjectIds: ids(requests311, 'request_id', () => true, 20), source: requests311, classA: false },
  { id: 'S18', subjectIds: ids(summons, 'citation_id', (r) => !hasClassA(r), 1), source: summons, classA: false },
  { id: 'S20', subjectIds: undefined, source: requests311, classA: false },
  { id: 'S21', subjectIds: undefined, source: summons, classA: true },
  { id: 'S24', subjectIds: ids(cards, 'card_number', hasClassA, 1), source: cards, classA: true },
  { id: 'S31', subjectIds: undefined, source: [], classA: false },
] as const;

async function ask(agencyBody: Record<string, unknown>, subjectIds?: readonly string[]) {
  const agency = (agencyBody.requester as { agency: string }).agency;
  return request(gateway.app).post('/v1/requests').set('authorization', `Bearer ${await mintDevToken(dataDir, agency)}`)
    .send(await presentedOverHttp(dataDir, { ...agencyBody, ...(subjectIds ? { subjectIds } : {}) }));
}

async function ledgerOrder(requestId: string) {
  const mine = await waitFor(() => {
    const found = entries.filter((e) => e.requestId === requestId);
    return ['REQUEST_RECEIVED', 'DECISION', 'RELEASE'].every((t) => found.some((e) => e.type === t)) && found;
  }, { message: `ledger entries of ${requestId}`, timeoutMs: 30_000 });
  const seq = (type: string) => mine.find((e) => e.type === type)!.seq;
  // The release comes after both durable entries it acts on. (Which of those two the ledger chains first is the
  // ledger's business: it reads the requests and decisions topics with separate consumers.)
  expect(seq('RELEASE')).toBeGreaterThan(seq('REQUEST_RECEIVED'));
  expect(seq('RELEASE')).toBeGreaterThan(seq('DECISION'));
  return mine;
}

describe('release through the gateway on the real broker', () => {
  it.each(allowed)('$id: the requester decrypts exactly the released fields; the ledger chains the release after request and decision', async ({ id, subjectIds, source, classA }) => {
    const { request: body, expect: expected } = scenario(id);
    const res = await ask(body, subjectIds);
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(expected.decision);
    const outcomes = res.body.fields as { name: string; outcome: string }[];
    const delivered = outcomes.filter((f) => f.outcome !== 'withhold').map((f) => f.name).sort();
    const withheld = outcomes.filter((f) => f.outcome === 'withhold').map((f) => f.name);

    const release = await waitFor(() => releases.get(res.body.requestId), { message: `release of ${id}`, timeoutMs: 30_000 });
    expect(release).toMatchObject({ outcome: 'RELEASED', authority: 'DECISION', failure: null });
    expect(res.body.records).toEqual({ jwe: release.payload, count: release.recordCount, fields: release.fields, transformed: release.transformed });
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(JSON.stringify(payload)).not.toContain(CLASS_A_MARKER);
    expect(release.alerts?.includes('CLASS_A_IN_SOURCE')).toBe(classA);

    if (payload.kind === 'aggregate') {
      expect(payload.smallCellK).toBe(10);
      for (const cell of payload.records) {
        expect(Object.keys(cell).sort()).toEqual([...delivered, 'count'].sort());
        expect(cell.count).toBeGreaterThanOrEqual(10);
      }
    } else {
      expect(payload.records).toHaveLength(subjectIds ? subjectIds.length : 100);
      // Every delivered record is a source record cut down to the released fields (transformed ones generalised).
      const expectedShapes = new Set(source.map((r) => JSON.stringify(Object.fromEntries(delivered.map((f) => {
        const transform = outcomes.find((o) => o.name === f)!.outcome === 'transform';
        return [f, transform ? generaliseLocation(f, r[f]) : (r[f] ?? null)];
      })))));
      for (const record of payload.records) {
        expect(Object.keys(record).sort()).toEqual(delivered);
        for (const name of withheld) expect(record).not.toHaveProperty(name);
        expect(expectedShapes.has(JSON.stringify(Object.fromEntries(delivered.map((f) => [f, record[f]]))))).toBe(true);
      }
    }
    const mine = await ledgerOrder(res.body.requestId);
    expect(release.authorityDigest).toBe(mine.find((e) => e.type === 'DECISION')!.eventDigest);
    expect(JSON.parse(mine.find((e) => e.type === 'RELEASE')!.summary)).toMatchObject({ decision: 'RELEASED', count: payload.records.length });
  });

  it.each([['SR-SLOW', 'PF_ADAPTER_TIMEOUT'], ['SR-BROKEN', 'PF_ADAPTER_FAILED']])('when the record system answers %s, nothing is released, the requester gets a clear error and the failure is audited', async (subject, code) => {
    const res = await ask(scenario('S15').request, [subject]);
    const release = await waitFor(() => releases.get(res.body.requestId), { message: 'the failed release', timeoutMs: 30_000 });
    expect(release).toMatchObject({ outcome: 'FAILED', failure: code, payload: null, recordCount: 0 });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'PF_RELEASE_FAILED', requestId: release.requestId });
    expect(res.body.error).toContain(code);
    expect(res.body).not.toHaveProperty('records');
    const mine = await ledgerOrder(res.body.requestId);
    expect(JSON.parse(mine.find((e) => e.type === 'RELEASE')!.summary)).toMatchObject({ decision: 'FAILED', reason: code, count: 0 });
  });

  it('a held request is released on the reviewer\'s ALLOW resolution once its REVIEW entry is durable: only the allowed fields', async () => {
    const held = await ask(scenario('S10').request, [String(summons[3]!.citation_id)]);
    expect(held.status).toBe(202);
    const resolution = {
      requestId: held.body.requestId as string, resolvedAt: new Date().toISOString(), reviewerRole: 'CITY_ATTORNEY', reviewerKid: 'k'.repeat(43),
      outcome: 'ALLOW', fields: ['full_name', 'phone'], note: 'signed.note.jws', findings: null,
    };
    await buses[0]!.publish(topics.reviews, resolution.requestId, await avroCodec.encode(topics.reviews, resolution));
    const release = await waitFor(() => releases.get(resolution.requestId), { message: 'the reviewed release', timeoutMs: 30_000 });
    // phone was not requested: never delivered, whatever the resolution says.
    expect(release).toMatchObject({ outcome: 'RELEASED', authority: 'REVIEW', authorityDigest: digestEvent(resolution), fields: ['full_name'] });
    const payload = await decryptPayload<ReleasePayload>(release.payload!, keys.privateJwk);
    expect(payload.records).toEqual([{ full_name: summons[3]!.full_name }]);
    const mine = await ledgerOrder(resolution.requestId);
    expect(mine.find((e) => e.type === 'REVIEW')!.seq).toBeLessThan(mine.find((e) => e.type === 'RELEASE')!.seq);
  });

  it('when the policy denies, nothing is ever released', async () => {
    const denied = await ask(scenario('S01').request, [String(cards[0]!.card_number)]);
    expect(denied.status).toBe(403);
    // A later allowed request's release has come and gone: the denied one never had one.
    const allowedRes = await ask(scenario('S18').request, [String(summons[0]!.citation_id)]);
    await waitFor(() => releases.get(allowedRes.body.requestId), { message: 'the later release', timeoutMs: 30_000 });
    await releaser.idle();
    expect(releases.has(denied.body.requestId)).toBe(false);
    expect(entries.some((e) => e.requestId === denied.body.requestId && e.type === 'RELEASE')).toBe(false);
  });

  it('the ledger with its RELEASE entries verifies', async () => {
    // One RELEASE per release so far: the scenarios, the two failures, the review and the later allowed request.
    await waitFor(() => entries.filter((e) => e.type === 'RELEASE').length >= allowed.length + 4, { message: 'every RELEASE entry', timeoutMs: 30_000 });
    const result = await waitFor(async () => {
      const r = await verifyPath(ledgerDir);
      return r.ok && r;
    }, { message: 'ledger verifies', timeoutMs: 30_000 });
    expect(result).toMatchObject({ ok: true });
  });
});

describe('SQL adapter against a real PostgreSQL server', () => {
  const signal = () => new AbortController().signal;

  it('fetches named rows, the first rows in id order, and renamed columns', async () => {
    const named = [String(summons[9]!.citation_id), String(summons[2]!.citation_id), 'CIT-NOPE'];
    const rows = await sqlAdapter.fetch({ subjectIds: named, fields: ['full_name'], selection: 'NAMED', count: 3 }, { signal: signal() });
    expect(rows.map((r) => r.citation_id)).toEqual([named[1], named[0]]);
    expect(rows[1]).toMatchObject({ full_name: summons[9]!.full_name, offense: summons[9]!.offense });
    expect((await sqlAdapter.fetch({ subjectIds: [], fields: ['offense'], selection: 'ATTRIBUTE', count: 4 }, { signal: signal() })).map((r) => r.citation_id))
      .toEqual(summons.map((r) => String(r.citation_id)).sort().slice(0, 4));
    const renamed = createSqlAdapter({ system: 'summons', connectionString: summonsUrl, table: 'summons', idColumn: 'citation_id', columns: { charge: 'offense' } });
    try {
      const [row] = await renamed.fetch({ subjectIds: [named[0]!], fields: ['charge'], selection: 'NAMED', count: 1 }, { signal: signal() });
      expect(row).toMatchObject({ charge: summons[9]!.offense });
      expect(row).not.toHaveProperty('offense');
    } finally {
      await renamed.close();
    }
  });

  it('turns a slow query into PF_ADAPTER_TIMEOUT and a missing table into PF_ADAPTER_FAILED', async () => {
    const slow = createSqlAdapter({ system: 'summons', connectionString: summonsUrl, table: 'slow_summons', idColumn: 'citation_id' });
    const missing = createSqlAdapter({ system: 'summons', connectionString: summonsUrl, table: 'no_such_table', idColumn: 'citation_id' });
    try {
      const started = Date.now();
      await expect(withTimeout('summons', 500, (o) => slow.fetch({ subjectIds: [], fields: ['offense'], selection: 'ALL', count: 3 }, o))).rejects.toMatchObject({ code: 'PF_ADAPTER_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(3_000);
      await expect(withTimeout('summons', 5_000, (o) => missing.fetch({ subjectIds: [], fields: ['offense'], selection: 'ALL', count: 3 }, o))).rejects.toMatchObject({ code: 'PF_ADAPTER_FAILED' });
    } finally {
      await slow.close();
      await missing.close();
    }
  });
});
