/**
 * `npx tsx scripts/bench-replay-guard.ts`: spends per second of each replay guard, printed, never asserted.
 * PostgreSQL only when REPLAY_BENCH_DATABASE_URL names a database the bench may create its table in (it drops
 * that table after). Every spend is of a new token: the INSERT path, the one each accepted request pays.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { MemoryReplayGuard, PostgresReplayGuard, type ReplayGuard } from '@firewall/http';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);

async function rate(label: string, guard: ReplayGuard, concurrency: number): Promise<void> {
  const prefix = randomUUID();
  let n = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const result = await guard.spend('BENCH', `${prefix}-${n++}`, Date.now() + 300_000);
      if (result !== 'fresh') throw new Error('a new token was not fresh');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const perSecond = n / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(52)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} /s`);
}

await rate('memory guard, sequential', new MemoryReplayGuard(), 1);

const url = process.env.REPLAY_BENCH_DATABASE_URL;
if (url) {
  const table = `replay_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const guard = await PostgresReplayGuard.open({ connectionString: url, table, sweepIntervalMs: 0 });
  try {
    await rate('postgres guard, 1 in flight', guard, 1);
    await rate('postgres guard, 32 in flight (pool of 10)', guard, 32);
  } finally {
    await guard.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP TABLE IF EXISTS ${table}`).finally(() => client.end());
  }
} else {
  console.log('postgres guard: set REPLAY_BENCH_DATABASE_URL to measure it');
}
