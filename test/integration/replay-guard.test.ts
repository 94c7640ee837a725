/**
 * Single-use tokens across gateways on the real PostgreSQL (deploy/local/postgres.sh): two PostgresReplayGuard
 * instances on one database stand for two gateways. The unique key, not either guard, decides which spend is
 * first; expired rows are swept; a database that refuses, stops answering or times out is
 * PF_AUTH_REPLAY_UNAVAILABLE within the timeout, never 'fresh'. Outages are made with a TCP relay in front of
 * the server (the shared server itself is never stopped).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { isFirewallError } from '@firewall/core';
import { PostgresReplayGuard, type PostgresReplayGuardOptions } from '@firewall/http';
import { waitFor } from '../helpers/kafka.js';
import { acquirePostgres, type TestPostgres } from '../setup/postgres.js';

let postgres: TestPostgres;
let dbUrl: string;

beforeAll(async () => {
  postgres = await acquirePostgres();
  dbUrl = (await postgres.createDatabase()).url;
});
afterAll(async () => {
  await postgres?.release();
});

async function openGuard(options: Partial<PostgresReplayGuardOptions> = {}): Promise<PostgresReplayGuard> {
  const guard = await PostgresReplayGuard.open({ connectionString: dbUrl, sweepIntervalMs: 0, ...options });
  onTestFinished(() => guard.close());
  return guard;
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = dbUrl): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** What a spend ends in: its answer, or the code it threw, and how long it took. */
async function outcome(spend: Promise<'fresh' | 'replayed'>): Promise<{ result: string; ms: number }> {
  const started = performance.now();
  const result = await spend.catch((err: unknown) => (isFirewallError(err) && err.retriable ? err.code : `unexpected: ${String(err)}`));
  return { result, ms: performance.now() - started };
}

/** A TCP relay to the server: 'forward', or 'blackhole' (accepts, never answers), or closed (connection refused). */
async function startRelay(target: URL): Promise<{ url: string; mode: (m: 'forward' | 'blackhole') => void; close: () => Promise<void> }> {
  let mode: 'forward' | 'blackhole' = 'forward';
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'blackhole') return;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => void (mode === 'forward' && upstream.write(chunk)));
    upstream.on('data', (chunk) => void (mode === 'forward' && client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const relayed = new URL(target);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(port);
  const close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  onTestFinished(close);
  return { url: relayed.toString(), mode: (m) => void (mode = m), close };
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('PostgresReplayGuard on a real PostgreSQL', () => {
  it('when several gateways start at once on a new table, then every one opens and they share it', async () => {
    const table = `replay_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const guards = await Promise.all(Array.from({ length: 6 }, () => openGuard({ table })));
    const rows = await sql<{ n: string }>('SELECT count(*) AS n FROM pg_tables WHERE tablename = $1', [table]);
    expect(rows[0]?.n).toBe('1');
    const exp = Date.now() + 60_000;
    expect(await guards[0]!.spend('NYPD', 'start-race', exp)).toBe('fresh');
    for (const guard of guards.slice(1)) expect(await guard.spend('NYPD', 'start-race', exp)).toBe('replayed');
  });

  it('when a token is spent on one gateway, then it is replayed on the other, and the same jti from another issuer is another token', async () => {
    const [a, b] = [await openGuard(), await openGuard()];
    const jti = randomUUID();
    const exp = Date.now() + 60_000;
    expect(await a.spend('NYPD', jti, exp)).toBe('fresh');
    expect(await b.spend('NYPD', jti, exp)).toBe('replayed');
    expect(await a.spend('NYPD', jti, exp)).toBe('replayed');
    expect(await b.spend('DHS', jti, exp)).toBe('fresh');
    expect(await a.spend('DHS', jti, exp)).toBe('replayed');
  });

  it('when 200 spends of one token race across two gateways, then exactly one is fresh', async () => {
    const [a, b] = [await openGuard({ maxConnections: 10 }), await openGuard({ maxConnections: 10 })];
    for (let round = 0; round < 5; round++) {
      const jti = randomUUID();
      const exp = Date.now() + 60_000;
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).spend('NYPD', jti, exp)));
      expect(results.filter((r) => r === 'fresh')).toHaveLength(1);
      expect(results.filter((r) => r === 'replayed')).toHaveLength(199);
      const rows = await sql<{ n: string }>('SELECT count(*) AS n FROM firewall_token_replay WHERE jti = $1', [jti]);
      expect(rows[0]?.n).toBe('1');
    }
  });

  it('when rows are past expiry and retention, then a sweep deletes them in bounded batches and keeps the live ones', async () => {
    let now = Date.now();
    const table = `sweep_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const guard = await openGuard({ table, now: () => now, retainAfterExpiryMs: 1_000, sweepBatch: 4 });
    const issuer = `sweep-${randomUUID()}`;
    for (let i = 0; i < 10; i++) expect(await guard.spend(issuer, `short-${i}`, now + 5_000)).toBe('fresh');
    for (let i = 0; i < 3; i++) expect(await guard.spend(issuer, `long-${i}`, now + 600_000)).toBe('fresh');
    now += 5_999; // expired, still within retention
    expect(await guard.sweep()).toBe(0);
    now += 2;
    expect([await guard.sweep(), await guard.sweep(), await guard.sweep(), await guard.sweep()]).toEqual([4, 4, 2, 0]);
    const left = await sql<{ jti: string }>(`SELECT jti FROM ${table} ORDER BY jti`);
    expect(left.map((r) => r.jti)).toEqual(['long-0', 'long-1', 'long-2']);
    expect(await guard.spend(issuer, 'long-1', now + 600_000)).toBe('replayed');
    // A swept token cannot come back as fresh: its expiry is past, so the guard refuses it without asking.
    expect(await guard.spend(issuer, 'short-0', now - 5_000)).toBe('replayed');
  });

  it('when the sweep timer runs, then expired rows disappear without a call', async () => {
    const table = `timer_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    let now = Date.now();
    const guard = await openGuard({ table, now: () => now, retainAfterExpiryMs: 0, sweepIntervalMs: 100 });
    for (let i = 0; i < 5; i++) await guard.spend('NYPD', `t-${i}`, now + 1_000);
    now += 1_001;
    await waitFor(async () => (await sql<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n === '0', { timeoutMs: 10_000, message: 'rows swept' });
  });

  it('when nothing listens at the database address, then opening and spending throw PF_AUTH_REPLAY_UNAVAILABLE at once', async () => {
    const url = new URL(dbUrl);
    url.port = String(await closedPort());
    const opened = await outcome(PostgresReplayGuard.open({ connectionString: url.toString(), connectionTimeoutMs: 1_000 }).then(() => 'fresh' as const));
    expect(opened.result).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
    expect(opened.ms).toBeLessThan(1_500);
  });

  it('when the database goes away under a running guard, then every spend throws PF_AUTH_REPLAY_UNAVAILABLE within the timeout, and it recovers', async () => {
    const relay = await startRelay(new URL(dbUrl));
    const bound = { connectionTimeoutMs: 1_000, statementTimeoutMs: 1_000 };
    const guard = await openGuard({ connectionString: relay.url, ...bound });
    const exp = Date.now() + 60_000;
    expect(await guard.spend('NYPD', 'before', exp)).toBe('fresh');

    // Stops answering (established connections and new ones alike): the client-side bounds end the wait.
    relay.mode('blackhole');
    const hung = await Promise.all(['h1', 'h2', 'h3'].map((jti) => outcome(guard.spend('NYPD', jti, exp))));
    for (const { result, ms } of hung) {
      expect(result).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
      expect(ms).toBeLessThan(3_000);
    }

    // Gone (connection refused).
    await relay.close();
    const refused = await outcome(guard.spend('NYPD', 'down', exp));
    expect(refused.result).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
    expect(refused.ms).toBeLessThan(2_000);

    // Behind a live server again: the old token is still spent, the refused ones were never recorded as fresh.
    const direct = await openGuard(bound);
    expect(await direct.spend('NYPD', 'before', exp)).toBe('replayed');
    expect(await direct.spend('NYPD', 'down', exp)).toBe('fresh');
  });

  it('when the spend waits on a lock past the statement timeout, then it throws instead of answering, and the row decides afterwards', async () => {
    const guard = await openGuard({ statementTimeoutMs: 500 });
    const jti = randomUUID();
    const exp = Date.now() + 60_000;
    const holder = new pg.Client({ connectionString: dbUrl });
    await holder.connect();
    onTestFinished(() => holder.end());
    // Another gateway's spend of the same token, in flight: not committed, so nobody can know its outcome yet.
    await holder.query('BEGIN');
    await holder.query('INSERT INTO firewall_token_replay (issuer, jti, expires_at) VALUES ($1, $2, $3)', ['NYPD', jti, new Date(exp)]);
    const blocked = await outcome(guard.spend('NYPD', jti, exp));
    expect(blocked.result).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
    expect(blocked.ms).toBeGreaterThanOrEqual(400);
    expect(blocked.ms).toBeLessThan(2_000);
    await holder.query('COMMIT');
    expect(await guard.spend('NYPD', jti, exp)).toBe('replayed');
  });

  it('when the table is gone, then a spend throws PF_AUTH_REPLAY_UNAVAILABLE, never fresh', async () => {
    const table = `gone_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const guard = await openGuard({ table });
    await sql(`DROP TABLE ${table}`);
    expect((await outcome(guard.spend('NYPD', randomUUID(), Date.now() + 60_000))).result).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
  });

  it('when the guard is closed, then a spend throws PF_AUTH_REPLAY_UNAVAILABLE', async () => {
    const guard = await PostgresReplayGuard.open({ connectionString: dbUrl, sweepIntervalMs: 50 });
    await guard.close();
    expect((await outcome(guard.spend('NYPD', randomUUID(), Date.now() + 60_000))).result).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
  });
});
