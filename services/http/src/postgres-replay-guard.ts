import pg from 'pg';
import type { Logger } from '@firewall/core';
import type { ReplayGuard } from './replay-guard.js';
import { checkSpend, nonNegative, positiveInteger, replayUnavailable } from './replay-input.js';

export interface PostgresReplayGuardOptions {
  /** postgres://user[:password]@host:port/db — FIREWALL_REPLAY_DATABASE_URL. */
  readonly connectionString: string;
  /** Table holding spent tokens, `name` or `schema.name` (default firewall_token_replay); created if absent. */
  readonly table?: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Bound on getting a connection, including waiting for a free one in the pool (default 2 s). */
  readonly connectionTimeoutMs?: number;
  /** Bound on each statement, enforced by the server and again by the client (default 2 s). */
  readonly statementTimeoutMs?: number;
  /** How long past its expiry a row is kept (default 5 min): covers the verifier's clock tolerance and skew between gateways. */
  readonly retainAfterExpiryMs?: number;
  /** Time between sweeps of expired rows (default 60 s); 0 = no timer (call sweep() yourself). */
  readonly sweepIntervalMs?: number;
  /** Most rows one sweep deletes (default 10,000): bounded work per sweep, the rest waits for the next. */
  readonly sweepBatch?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) throw new RangeError('table must be a plain identifier, optionally schema-qualified');
  return parts.map((p) => `"${p}"`).join('.');
}

/**
 * The replay guard shared by every gateway that accepts the same tokens: a PostgreSQL table whose primary key is
 * (issuer, jti). A spend is one INSERT … ON CONFLICT DO NOTHING, so the unique index, not the gateways, decides
 * which of two racing spends is the first. Anything the database cannot answer — refused, down, slow past the
 * timeouts — is PF_AUTH_REPLAY_UNAVAILABLE (retriable), never 'fresh'.
 *
 * A row is forgotten only when a sweep deletes it, after expiry + retention: until then a reused jti is refused.
 */
export class PostgresReplayGuard implements ReplayGuard {
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #retainMs: number;
  readonly #sweepBatch: number;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;
  #closed = false;

  private constructor(pool: pg.Pool, table: string, options: PostgresReplayGuardOptions) {
    this.#pool = pool;
    this.#table = table;
    this.#retainMs = nonNegative(options.retainAfterExpiryMs ?? 5 * 60_000, 'retainAfterExpiryMs');
    this.#sweepBatch = positiveInteger(options.sweepBatch ?? 10_000, 'sweepBatch');
    this.#now = options.now ?? Date.now;
    this.#log = options.logger?.child({ component: 'replay-guard' });
  }

  /** Connects, creates the table and its expiry index if absent, and starts the sweep timer. */
  static async open(options: PostgresReplayGuardOptions): Promise<PostgresReplayGuard> {
    const table = quoteTable(options.table ?? 'firewall_token_replay');
    const statementTimeoutMs = positiveInteger(options.statementTimeoutMs ?? 2_000, 'statementTimeoutMs');
    const interval = nonNegative(options.sweepIntervalMs ?? 60_000, 'sweepIntervalMs');
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: positiveInteger(options.maxConnections ?? 10, 'maxConnections'),
      connectionTimeoutMillis: positiveInteger(options.connectionTimeoutMs ?? 2_000, 'connectionTimeoutMs'),
      statement_timeout: statementTimeoutMs,
      // The client-side bound: a server that stopped answering never sends the statement-timeout error.
      query_timeout: statementTimeoutMs + 500,
      idleTimeoutMillis: 30_000,
    });
    // A pooled idle connection that breaks must not crash the process: the next spend reconnects or throws.
    pool.on('error', () => undefined);
    const guard = new PostgresReplayGuard(pool, table, options);
    try {
      await guard.#createTable(options.table ?? 'firewall_token_replay');
    } catch (cause) {
      await pool.end().catch(() => undefined);
      throw replayUnavailable('Could not prepare the replay table in PostgreSQL.', cause);
    }
    if (interval > 0) {
      guard.#timer = setInterval(() => guard.#sweepInBackground(), interval);
      guard.#timer.unref();
    }
    return guard;
  }

  async spend(issuer: string, jti: string, expiresAtMs: number): Promise<'fresh' | 'replayed'> {
    checkSpend(issuer, jti, expiresAtMs);
    if (this.#closed) throw replayUnavailable('The replay guard is closed.');
    // Already past the time a sweep may delete it: a second spend might not be recognised, so none is fresh.
    if (expiresAtMs + this.#retainMs <= this.#now()) return 'replayed';
    let result: pg.QueryResult;
    try {
      result = await this.#pool.query(
        `INSERT INTO ${this.#table} (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT (issuer, jti) DO NOTHING RETURNING 1`,
        [issuer, jti, new Date(expiresAtMs)],
      );
    } catch (cause) {
      throw replayUnavailable('The replay guard could not reach PostgreSQL: the token is refused.', cause);
    }
    if (result.rowCount === 1) return 'fresh';
    if (result.rowCount === 0) return 'replayed';
    throw replayUnavailable('The replay guard got an unexpected answer from PostgreSQL.');
  }

  /**
   * Deletes up to `sweepBatch` rows past their retention; returns how many. SKIP LOCKED lets several gateways
   * sweep at once without waiting on each other's rows.
   */
  async sweep(): Promise<number> {
    try {
      const result = await this.#pool.query(
        `DELETE FROM ${this.#table} WHERE (issuer, jti) IN (
           SELECT issuer, jti FROM ${this.#table} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [new Date(this.#now() - this.#retainMs), this.#sweepBatch],
      );
      return result.rowCount ?? 0;
    } catch (cause) {
      throw replayUnavailable('The replay guard could not sweep expired tokens.', cause);
    }
  }

  /** Stops the sweeps and ends the pool; later spends throw PF_AUTH_REPLAY_UNAVAILABLE. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#sweeping;
    await this.#pool.end();
  }

  #sweepInBackground(): void {
    if (this.#sweeping || this.#closed) return;
    this.#sweeping = this.sweep()
      .then((deleted) => this.#log?.debug({ deleted }, 'expired tokens swept'))
      .catch((err: unknown) => this.#log?.warn({ err }, 'replay sweep failed; retried at the next interval'))
      .finally(() => (this.#sweeping = undefined));
  }

  /**
   * CREATE TABLE IF NOT EXISTS is not safe on its own when two gateways start at once (both may pass the
   * existence check and one fails on the catalog's unique index): a transaction-scoped advisory lock on the
   * table's name serialises the creators.
   */
  async #createTable(name: string): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`firewall-replay:${name}`]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.#table} (
        issuer text NOT NULL, jti text NOT NULL, expires_at timestamptz NOT NULL, PRIMARY KEY (issuer, jti))`);
      // An index name is never schema-qualified: it lives in its table's schema.
      const index = quoteTable(`${name.split('.').pop()!.slice(0, 52)}_expires_at`);
      await client.query(`CREATE INDEX IF NOT EXISTS ${index} ON ${this.#table} (expires_at)`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
