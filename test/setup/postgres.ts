// A real PostgreSQL server for integration tests (the SQL record-system adapter): deploy/local/postgres.sh
// installs it from Debian's packages when missing (CI machines start clean), initialises it once in
// .cache/postgres (or, when the postgres user cannot reach the checkout, in a private folder of this checkout
// under /var/tmp) and starts it on 127.0.0.1:15432 (PG_PORT). Like the Kafka harness, a test takes a lease
// (`acquire <pid>`) and gives it back (`release <pid>`): the server stops only when the harness started it and
// no other test run still holds a lease. No mocks: if the server cannot be had, the test fails.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const script = fileURLToPath(new URL('../../deploy/local/postgres.sh', import.meta.url));

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth on loopback). */
  readonly adminUrl: string;
  /** A new, empty database; dropped by release(). */
  createDatabase(): Promise<{ readonly name: string; readonly url: string }>;
  /** Drops the databases created here and gives the lease back. */
  release(): Promise<void>;
}

function run(args: string[], timeoutMs = 10 * 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${script}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout.trim());
      else reject(new Error(`deploy/local/postgres.sh ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${stderr.trim()}`));
    });
  });
}

/** Starts (or joins) the test server and holds a lease on it until release(). */
export async function acquirePostgres(): Promise<TestPostgres> {
  const owner = String(process.pid);
  await run(['acquire', owner]);
  const adminUrl = await run(['url']);
  const created: string[] = [];
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    adminUrl,
    async createDatabase() {
      const name = `pf_test_${randomUUID().replace(/-/g, '')}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      return { name, url: adminUrl.replace(/\/postgres$/, `/${name}`) };
    },
    async release() {
      try {
        await admin(async (c) => {
          for (const name of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        });
      } finally {
        await run(['release', owner]);
      }
    },
  };
}

/** Creates `table` with one text column per key found in the records and inserts them (null where absent). */
export async function seedTable(url: string, table: string, records: readonly Record<string, unknown>[]): Promise<string[]> {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ${table} (${columns.map((c) => `"${c}" text`).join(', ')})`);
    for (const record of records) {
      const values = columns.map((c) => (record[c] === undefined || record[c] === null ? null : String(record[c])));
      await client.query(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    }
  } finally {
    await client.end();
  }
  return columns;
}
