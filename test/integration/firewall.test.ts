/**
 * The walking skeleton on the real broker: gateway, decider and ledger each on their own Kafka client (as
 * separate processes would be), a request through HTTP, the policy's decision back, the ledger verifiable.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { KafkaBus, avroCodec, createLogger, inNamespace, loadCatalog, topics, type Bus } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { verifyPath } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';
import { createConsumer, createProducer, testBrokers, waitFor } from '../helpers/kafka.js';

const logger = createLogger({ service: 'it', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-it-'));
const ledgerDir = join(dataDir, 'ledger');
const buses: Bus[] = [];
const parts: RunningFirewall[] = [];
let gateway: RunningFirewall;

// Its own topics and groups: nothing another test (or another run on the same broker) does can interfere.
const namespace = `it-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, Object.keys((evaluator.bundle.data as { agencies: object }).agencies));
  const common = {
    codec: avroCodec, catalog: loadCatalog(), evaluator, registry: loadAgencyRegistry(registryPath), logger,
    dataDir, ledgerDir, ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 30_000,
  };
  for (const role of ['ledger', 'decider', 'releaser', 'gateway'] as const) {
    const bus = await KafkaBus.connect({ brokers: testBrokers(), clientId: `it-${role}`, logger, partitions: 3, namespace });
    buses.push(bus);
    parts.push(await startFirewall({ ...common, bus, roles: [role] }));
  }
  gateway = parts[3]!;
}, 120_000);

afterAll(async () => {
  for (const part of parts.reverse()) await part.close();
  for (const bus of buses) await bus.close();
}, 60_000);

const token = (agency: string) => mintDevToken(dataDir, agency);
const scenario = (id: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'conformance', `${id}.json`), 'utf8')).request;

describe('request → Kafka → OPA wasm decision → signed ledger', () => {
  it('when ICE asks on an administrative warrant, then 403 cites R1 and R3 with their sources', async () => {
    const res = await request(gateway.app).post('/v1/requests').set('authorization', `Bearer ${await token('ICE_ERO')}`).send(scenario('S01'));
    expect(res.status).toBe(403);
    expect(res.body.decision).toBe('DENY');
    const cited = res.body.rules.map((r: { id: string }) => r.id);
    expect(cited).toEqual(expect.arrayContaining(['R1', 'R3']));
    expect(res.body.rules.every((r: { sources: string[] }) => r.sources.length > 0)).toBe(true);
  });

  it('when the sheriff attests no onward sharing for a state case, then 200 withholds the protected fields', async () => {
    const res = await request(gateway.app).post('/v1/requests').set('authorization', `Bearer ${await token('HENNEPIN_SHERIFF')}`).send(scenario('S13'));
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('ALLOW_REDACTED');
    expect(res.body.withheld).toEqual(expect.arrayContaining(['identification_method', 'interpreter_language']));
    expect(res.body.released).toEqual(expect.arrayContaining(['full_name', 'offense']));
  });

  it('when a subpoena needs verification, then 202 with a review ticket', async () => {
    const res = await request(gateway.app).post('/v1/requests').set('authorization', `Bearer ${await token('FBI')}`).send(scenario('S10'));
    expect(res.status).toBe(202);
    expect(res.body.ticket.id).toBe(res.body.requestId);
  });

  it('when a malformed message lands on the requests topic, then it goes to the DLQ and the decider keeps deciding', async () => {
    const producer = await createProducer();
    await producer.send({ topic: inNamespace(namespace, topics.requests), messages: [{ key: 'poison-pill', value: Buffer.from([0xff, 0x00, 0x13]) }] });
    const consumer = await createConsumer();
    const letters: { key: string | null; value: Buffer }[] = [];
    await consumer.subscribe({ topic: inNamespace(namespace, topics.deadLetters), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void letters.push({ key: message.key?.toString() ?? null, value: message.value! }) });
    // Every consumer of the requests topic (decider, ledger, request archive, metrics) dead-letters it under its own group.
    const consumersOf = async () => Promise.all(letters.filter((m) => m.key === 'poison-pill').map((m) => avroCodec.decode(topics.deadLetters, m.value)));
    const expected = ['firewall-decider', 'firewall-ledger.firewall.requests.v1', 'firewall-releaser.requests', 'firewall-request-archive'];
    await waitFor(async () => {
      const seen = await consumersOf();
      return expected.every((c) => seen.some((d) => d.consumer === c));
    }, { message: 'the poison message dead-lettered by each consumer', timeoutMs: 30_000 });
    const decoded = await consumersOf();
    expect(new Set(decoded.map((d) => d.consumer)).size).toBe(decoded.length);
    for (const d of decoded) {
      expect(d).toMatchObject({ code: 'PF_BUS_UNDECODABLE', sourceTopic: topics.requests });
      expect(Buffer.compare(d.payload, Buffer.from([0xff, 0x00, 0x13]))).toBe(0);
    }
    const res = await request(gateway.app).post('/v1/requests').set('authorization', `Bearer ${await token('MN_COURT')}`).send(scenario('S18'));
    expect(res.status).toBe(200);
  });

  it('when the services stop, then the ledger holds a signed, chained entry for every request and decision and verifies', async () => {
    const ledger = parts[0]!.ledger!.ledger;
    await waitFor(() => ledger.status && readdirSync(ledgerDir).length > 0, { message: 'ledger files' });
    // 4 requests + 4 decisions + the dead letters at least.
    await waitFor(async () => (await verifyPath(ledgerDir)).ok && countEntries() >= 9, { message: 'ledger entries', timeoutMs: 30_000 });
    const result = await verifyPath(ledgerDir);
    expect(result).toMatchObject({ ok: true });
    const entries = readEntries();
    expect(entries.filter((e) => e.type === 'DECISION')).toHaveLength(4);
    expect(entries.filter((e) => e.type === 'REQUEST_RECEIVED')).toHaveLength(4);
    expect(entries.some((e) => e.type === 'DEAD_LETTER')).toBe(true);
  });
});

function readEntries(): { type: string; requestId: string | null }[] {
  return readdirSync(ledgerDir).filter((f) => f.startsWith('entries-'))
    .flatMap((f) => readFileSync(join(ledgerDir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { entry: { type: string; requestId: string | null } }).entry));
}
function countEntries(): number {
  return readEntries().length;
}
