/**
 * The ledger's disk fills up, for real: the embedded firewall (in-memory bus, file ledger) with its ledger folder
 * on a small tmpfs, filled to the last byte, requests over HTTP. While full: 503 with PF_LEDGER_UNAVAILABLE,
 * /readyz false naming the ledger, nothing released, memory bounded. Space back: the firewall recovers by itself,
 * decides again, and the ledger verifies with one REQUEST_RECEIVED and one DECISION per request. Needs root (mount).
 */
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, loadCatalog, topics } from '@firewall/core';
import { loadAgencyRegistry } from '@firewall/http';
import { verifyPath } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';

const logger = createLogger({ service: 'it', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'pf-diskfull-'));
const ledgerDir = join(dataDir, 'ledger');
const filler = join(ledgerDir, 'filler.bin');
const bus = new MemoryBus();
let firewall: RunningFirewall;
let server: Server;
let base: string;
const released: string[] = [];
/** Outage requests: while the disk is full, each must be refused with the code; none may be released. */
const duringOutage = new Set<string>();
const MiB = 1024 * 1024;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Memory after a full collection: what is retained, not what the collector has yet to reclaim. */
const memory = () => {
  gc();
  return process.memoryUsage();
};
/** RSS growth allowed over 4,000 requests refused on a full disk, after 2,000 to warm up (before the fix: 23.7 GB in 2 s). */
const RSS_BOUND = 64 * MiB;
/** Heap retained after a full collection over those 4,000 requests. */
const HEAP_BOUND = 16 * MiB;

const scenario = (id: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'conformance', `${id}.json`), 'utf8')).request;
const ask = async (agency: string, id: string) => {
  const res = await fetch(`${base}/v1/requests`, {
    method: 'POST', headers: { authorization: `Bearer ${await mintDevToken(dataDir, agency)}`, 'content-type': 'application/json' }, body: JSON.stringify(scenario(id)),
  });
  return { status: res.status, body: (await res.json()) as { code?: string; decision?: string; requestId?: string; records?: unknown } };
};
const readyz = async () => {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; checks: { name: string; ok: boolean; code?: string }[] } };
};

function fillDisk(): void {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial page too: nothing at all is left.
  const fd2 = openSync(filler, 'a');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(1, 0x61));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd2);
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

beforeAll(async () => {
  mkdirSync(ledgerDir, { recursive: true });
  // 8 MB: room for the healthy run's 3,000 entries; the outage test then fills what is left to the last byte.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', ledgerDir]);
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, Object.keys((evaluator.bundle.data as { agencies: object }).agencies));
  firewall = await startFirewall({
    bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry: loadAgencyRegistry(registryPath), logger,
    dataDir, ledgerDir, ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 20_000,
    limits: { perSource: { perSecond: 100_000, burst: 100_000 }, perAgency: { perSecond: 100_000, burst: 100_000 } },
  });
  await consume({ bus, codec: avroCodec, logger, topic: topics.releases, group: 'it-releases', handle: async (r) => void released.push(r.requestId) });
  server = firewall.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await firewall?.close(server);
  execFileSync('umount', [ledgerDir]);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the in-memory bus while all is well', () => {
  it('when 1,500 requests are decided, then every topic holds at most its window (1,000), nothing more', async () => {
    for (let i = 0; i < 1_500; i += 20) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => ask('ICE_ERO', 'S01')));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(403));
    }
    await bus.settled();
    for (const topic of [topics.requests, topics.decisions, topics.audit]) expect(bus.retained(topic)).toBe(1_000);
  }, 240_000);
});

describe('the ledger disk fills up (tmpfs, filled to the last byte)', () => {
  it('when the disk is full, then 503 PF_LEDGER_UNAVAILABLE, /readyz false, nothing released, bounded memory; space back, then it recovers by itself with a verifiable ledger', async () => {
    expect((await ask('HENNEPIN_SHERIFF', 'S13')).status).toBe(200);
    expect((await ask('ICE_ERO', 'S01')).status).toBe(403);
    expect((await readyz()).status).toBe(200);

    const releasedBefore = released.length;
    fillDisk();
    // The first request meets the full disk while it waits: refused, not answered from a decision not yet durable.
    // (A DENY: the releaser has nothing to do with it, whenever its entry becomes durable.)
    const first = await ask('ICE_ERO', 'S01');
    expect(first).toMatchObject({ status: 503, body: { code: 'PF_LEDGER_UNAVAILABLE' } });
    duringOutage.add(first.body.requestId ?? '');
    const rz = await readyz();
    expect(rz.status).toBe(503);
    expect(rz.body.ready).toBe(false);
    expect(rz.body.checks).toContainEqual({ name: 'ledger', ok: false, code: 'PF_LEDGER_UNAVAILABLE' });
    const metrics = await fetchMetrics();
    expect(metrics).toMatch(/firewall_readiness_check\{check="ledger"\} 0/);
    expect(metrics).toMatch(/firewall_readiness_failures_total\{check="ledger",code="PF_LEDGER_UNAVAILABLE"\} 1/);

    // Memory: 4,000 more requests while full, 20 at a time, after a warm-up of 2,000 (the allocator's own growth).
    const burst = async (n: number) => {
      const codes = new Map<string, number>();
      for (let i = 0; i < n; i += 20) {
        const answers = await Promise.all(Array.from({ length: 20 }, (_, j) => ask((i + j) % 2 ? 'HENNEPIN_SHERIFF' : 'ICE_ERO', (i + j) % 2 ? 'S13' : 'S01')));
        for (const a of answers) {
          codes.set(`${a.status} ${a.body.code}`, (codes.get(`${a.status} ${a.body.code}`) ?? 0) + 1);
          if (a.body.requestId) duringOutage.add(a.body.requestId);
          expect(a.body.records).toBeUndefined();
        }
      }
      return codes;
    };
    await burst(2_000);
    const before = memory();
    const codes = await burst(2_000);
    const mid = memory();
    const codes2 = await burst(2_000);
    const after = memory();
    const rssBefore = before.rss;
    const rssAfter = after.rss;
    const mib = (m: NodeJS.MemoryUsage) => `rss ${(m.rss / MiB).toFixed(1)} MiB heap ${(m.heapUsed / MiB).toFixed(1)} MiB`;
    console.log(`disk full, after 2,000 refused requests: ${mib(before)}; 4,000: ${mib(mid)}; 6,000: ${mib(after)} (bounds: rss +${RSS_BOUND / MiB} MiB, heap +${HEAP_BOUND / MiB} MiB)`);
    expect([...codes]).toEqual([['503 PF_LEDGER_UNAVAILABLE', 2_000]]);
    expect([...codes2]).toEqual([['503 PF_LEDGER_UNAVAILABLE', 2_000]]);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_BOUND);
    // What is retained (after a full collection): the spent token ids the replay guard keeps until they expire.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_BOUND);
    expect(released.slice(releasedBefore)).toEqual([]);

    // Space back: no restart, no operator.
    rmSync(filler);
    const recoveredInMs = await waitUntil(async () => (await readyz()).status === 200, 30_000);
    console.log(`disk full: ready again ${recoveredInMs} ms after space returned`);
    const again = await ask('HENNEPIN_SHERIFF', 'S13');
    expect(again.status).toBe(200);
    expect((await ask('ICE_ERO', 'S01')).status).toBe(403);
    const rzAfter = await readyz();
    expect(rzAfter.body).toMatchObject({ ready: true });
    expect(released).toContain(again.body.requestId);

    // The in-memory bus kept nothing it delivered beyond its window (1,000 a topic), dead letters included.
    for (const topic of Object.values(topics)) expect(bus.retained(topic)).toBeLessThanOrEqual(1_000);
    await firewall.close(server);
    const result = await verifyPath(ledgerDir);
    expect(result.ok).toBe(true);
    const entries = readdirSync(ledgerDir).filter((f) => f.startsWith('entries-')).sort()
      .flatMap((f) => readFileSync(join(ledgerDir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { entry: { type: string; requestId: string | null } }).entry));
    const count = new Map<string, number>();
    for (const e of entries) if (e.requestId && (e.type === 'REQUEST_RECEIVED' || e.type === 'DECISION')) count.set(`${e.type} ${e.requestId}`, (count.get(`${e.type} ${e.requestId}`) ?? 0) + 1);
    expect([...count.values()].every((n) => n === 1)).toBe(true);
    // The request that met the full disk was chained once, after recovery (its decision too).
    expect(count.get(`REQUEST_RECEIVED ${first.body.requestId}`)).toBe(1);
    expect(count.get(`DECISION ${first.body.requestId}`)).toBe(1);
    expect(released.filter((id) => duringOutage.has(id) || id === first.body.requestId)).toEqual([]);
    expect(entries.filter((e) => e.type === 'DEAD_LETTER')).toEqual([]);
  }, 240_000);
});

async function fetchMetrics(): Promise<string> {
  const metricsServer = firewall.metricsApp.listen(0, '127.0.0.1');
  await new Promise((r) => metricsServer.once('listening', r));
  try {
    return await (await fetch(`http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`)).text();
  } finally {
    metricsServer.close();
  }
}
