/**
 * The ledger on Kafka under a crash: the active writer is SIGKILLed in the middle of a stream of 5,000 requests
 * and restarted; a second writer started beside the first stays a standby until the first is gone. Afterwards
 * every request has exactly one REQUEST_RECEIVED and one DECISION entry, the chain verifies, nothing forked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus, avroCodec, createLogger, inNamespace, repoRoot, topics, type AuditEntry, type RecordRequest } from '@firewall/core';
import { KeySet, WITNESS_FILE, checkWitnessFolder, exportAuditTopic, jwksOf, readAuditTopic, verifyLedgerFolder } from '@firewall/ledger';
import { startDecider } from '@firewall/policy';
import { prepareOperatorFiles } from '../helpers/firewall.js';
import { createProducer, testBrokers, testKafka, waitFor } from '../helpers/kafka.js';

const bin = join(repoRoot, 'services', 'cli', 'bin', 'firewall.js');
const dataDir = mkdtempSync(join(tmpdir(), 'pf-kledger-'));
// One witness folder for every writer: each new active writer proves its heads extend the ones already witnessed.
const witnessDir = mkdtempSync(join(tmpdir(), 'pf-kwitness-'));
const logger = createLogger({ service: 'it', level: 'silent' });
const children: ChildProcess[] = [];
let operator: Awaited<ReturnType<typeof prepareOperatorFiles>>;
let decider: { close(): Promise<void> } | undefined;
let deciderBus: KafkaBus | undefined;
const total = 5000;
// Its own topics and groups: nothing another test (or another run on the same broker) does can interfere.
const namespace = `it-${randomUUID().slice(0, 8)}`;
const auditTopic = inNamespace(namespace, topics.audit);

function startLedgerProcess(name: string) {
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { ...process.env, ...operator.env, KAFKA_BROKERS: testBrokers().join(','), FIREWALL_ROLES: 'ledger', FIREWALL_KAFKA_NAMESPACE: namespace, FIREWALL_WITNESS_DIR: witnessDir, PORT: '0', LOG_LEVEL: 'info' },
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { name, child, exited, output: () => output };
}

async function auditEntries(): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  await readAuditTopic(testKafka(), (e) => entries.push(e), { namespace });
  return entries;
}

async function auditSize(): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return Number((await admin.fetchTopicOffsets(auditTopic))[0]?.high ?? 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  operator = await prepareOperatorFiles(dataDir);
  deciderBus = await KafkaBus.connect({ brokers: testBrokers(), clientId: 'it-decider', logger, namespace });
  decider = await startDecider({ bus: deciderBus, codec: avroCodec, logger, evaluator: operator.evaluator });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await decider?.close();
  await deciderBus?.close();
}, 60_000);

describe('the ledger on Kafka', () => {
  it('survives a SIGKILL mid-stream: one entry per event, no duplicate, no fork, a standby cannot append', async () => {
    const first = startLedgerProcess('first');
    await waitFor(() => first.output().includes('ledger active'), { timeoutMs: 60_000, message: 'the first ledger became active' });
    const second = startLedgerProcess('second');
    await waitFor(() => second.output().includes('ledger standby'), { timeoutMs: 60_000, message: 'the second ledger stayed a standby' })
      .catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\nfirst:\n${first.output().slice(-3000)}\nsecond:\n${second.output().slice(-3000)}`);
      });

    const producer = await createProducer();
    const ids = Array.from({ length: total }, (_, i) => `kill-test-${String(i).padStart(5, '0')}`);
    const sending = (async () => {
      for (let i = 0; i < total; i += 250) {
        const messages = await Promise.all(ids.slice(i, i + 250).map(async (requestId, j) => ({ key: requestId, value: await avroCodec.encode(topics.requests, request(requestId, i + j)) })));
        await producer.send({ topic: inNamespace(namespace, topics.requests), acks: -1, messages });
      }
    })();
    // Kill the active writer once the chain is well under way but the stream is not finished.
    await waitFor(async () => (await auditSize()) > 1500, { timeoutMs: 120_000, message: 'the chain is under way' })
      .catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message} (audit size ${await auditSize()})\nfirst:\n${first.output().slice(-3000)}`);
      });
    expect(second.output()).not.toContain('ledger active');
    first.child.kill('SIGKILL');
    await first.exited;
    const restarted = startLedgerProcess('restarted');
    await sending;

    await waitFor(() => second.output().includes('ledger active'), { timeoutMs: 90_000, message: 'the standby took over' })
      .catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\nsecond:\n${second.output().slice(-4000)}\nrestarted:\n${restarted.output().slice(-2000)}`);
      });
    let entries: AuditEntry[] = [];
    await waitFor(async () => {
      entries = await auditEntries();
      return entries.filter((e) => e.type === 'DECISION').length >= total;
    }, { timeoutMs: 180_000, intervalMs: 2_000, message: 'every decision chained' });
    await waitFor(() => restarted.output().includes('ledger standby'), { timeoutMs: 60_000, message: 'the restarted ledger is a standby' });

    const perRequest = new Map<string, string[]>();
    for (const e of entries) perRequest.set(e.requestId ?? '', [...(perRequest.get(e.requestId ?? '') ?? []), e.type]);
    for (const id of ids) expect(perRequest.get(id)?.sort()).toEqual(['DECISION', 'REQUEST_RECEIVED']);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
    expect(new Set(entries.map((e) => e.hash)).size).toBe(entries.length);

    const folder = mkdtempSync(join(tmpdir(), 'pf-chain-'));
    expect(await exportAuditTopic(testKafka(), folder, jwksOf([operator.signer.publicJwk]), namespace)).toBe(entries.length);
    const verified = await verifyLedgerFolder(folder);
    expect(verified).toMatchObject({ ok: true, entries: entries.length });
    // Signed Merkle tree heads at least every 100 entries, written in the same transactions as the entries.
    expect(verified.ok && verified.checkpoints).toBeGreaterThanOrEqual(Math.floor(entries.length / 100) - 1);
    // The witness holds heads from both writers, each proven to extend the one before, and they verify the chain.
    const keys = await KeySet.from(jwksOf([operator.signer.publicJwk]));
    const witnessed = await checkWitnessFolder(witnessDir, keys);
    expect(witnessed).toMatchObject({ ok: true });
    // Heads a writer committed but had not yet sent when it was killed are not witnessed; none was refused.
    expect(witnessed.ok && witnessed.heads).toBeGreaterThanOrEqual(Math.floor(entries.length / 200));
    for (const p of [first, second, restarted]) expect(p.output()).not.toMatch(/witness refused|tree head not witnessed/);
    expect(witnessed.ok && witnessed.latest!.checkpoint.size).toBeGreaterThan(entries.length - 100);
    expect(await verifyLedgerFolder(folder, { jwks: keys.jwks, checkpoint: join(witnessDir, WITNESS_FILE) })).toMatchObject({ ok: true, entries: entries.length });
    // One more request and then silence: no batch follows, yet a head covering it is signed within the interval.
    await producer.send({ topic: inNamespace(namespace, topics.requests), acks: -1, messages: [{ key: 'idle-1', value: await avroCodec.encode(topics.requests, request('idle-1', 0)) }] });
    const idleStart = Date.now();
    await waitFor(async () => {
      const w = await checkWitnessFolder(witnessDir, keys);
      return w.ok && w.latest!.checkpoint.size === entries.length + 2;
    }, { timeoutMs: 30_000, intervalMs: 500, message: 'an idle-time head covered the last entries' });
    console.info(`ledger on Kafka: ${entries.length} entries, ${witnessed.ok ? witnessed.heads : 0} witnessed heads; idle head after ${Date.now() - idleStart} ms`);
  }, 420_000);
});

function request(requestId: string, i: number): RecordRequest {
  return {
    requestId, receivedAt: '2026-12-01T15:00:00Z', requester: { agency: i % 2 ? 'ICE_ERO' : 'MPD', role: null, verified: true },
    purpose: { code: i % 2 ? 'LOCATE_FOR_REMOVAL' : 'CODE_ENFORCEMENT', text: null }, legalBasis: null, channel: null,
    system: 'service_requests', fields: ['service_type', 'status'], subjects: null, attestations: null, subjectIds: null, dryRun: false,
  };
}
