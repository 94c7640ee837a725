import pg from 'pg';
import type { FetchOptions, FetchQuery, RecordSystemAdapter, SourceRecord } from '../adapter.js';
import { AdapterError, ReleaseError } from '../errors.js';

export interface SqlAdapterOptions {
  readonly system: string;
  /** A libpq connection string (postgres://user@host:port/db). Ignored when `pool` is given. */
  readonly connectionString?: string;
  readonly pool?: pg.Pool;
  /** The table (or view) holding the system's records: `table` or `schema.table`. */
  readonly table: string;
  /** The column the named subjects' ids are matched on (compared as text). */
  readonly idColumn: string;
  /** Catalog field → column, where they differ; other columns keep their names. */
  readonly columns?: Readonly<Record<string, string>>;
  /** Row cap for AGGREGATE requests, which are counted by the releaser (default 10 000). */
  readonly maxRows?: number;
  /** Server-side bound on each statement (default 30 s); the releaser's own timeout still applies first. */
  readonly statementTimeoutMs?: number;
}

export interface SqlAdapter extends RecordSystemAdapter {
  close(): Promise<void>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A safely quoted identifier (or schema.identifier); anything else is a configuration error, never SQL. */
export function quoteIdent(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new ReleaseError('PF_RELEASE_CONFIG', 'A SQL table or column name must be a plain identifier (letters, digits, _), optionally schema-qualified.', { details: [name.slice(0, 64)] });
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/**
 * A record system in a PostgreSQL database (node-postgres). It selects whole rows (`SELECT *`): the releaser
 * must see what the source holds to raise CLASS_A_IN_SOURCE, and it delivers only what the decision releases.
 *   NAMED      rows whose id column is one of the subject ids
 *   ATTRIBUTE, ALL  the first `count` rows in id order
 *   AGGREGATE  up to maxRows rows, counted and small cells suppressed by the releaser
 * Values are passed as parameters, identifiers are validated and quoted: no request text becomes SQL.
 */
export function createSqlAdapter(options: SqlAdapterOptions): SqlAdapter {
  const table = quoteIdent(options.table);
  const id = quoteIdent(options.idColumn);
  const toField = new Map(Object.entries(options.columns ?? {}).map(([field, column]) => [column, field]));
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({
    connectionString: options.connectionString,
    max: 4,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that breaks must not crash the process: the next fetch reconnects or fails with a code.
  pool.on('error', () => undefined);

  async function run(text: string, values: unknown[], signal: AbortSignal): Promise<SourceRecord[]> {
    signal.throwIfAborted();
    const client = await pool.connect();
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      client.release(err);
    };
    // Aborting destroys the connection, which ends the statement in flight (statement_timeout bounds the rest).
    const onAbort = () => release(new Error('aborted by the releaser'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await client.query(text, values);
      return result.rows.map((row: Record<string, unknown>) => fromRow(row, toField));
    } catch (cause) {
      throw new AdapterError('PF_ADAPTER_FAILED', `The ${options.system} database query failed.`, { cause, details: [options.system] });
    } finally {
      signal.removeEventListener('abort', onAbort);
      release();
    }
  }

  return {
    system: options.system,
    async fetch(query: FetchQuery, { signal }: FetchOptions): Promise<SourceRecord[]> {
      if (query.selection === 'NAMED') {
        if (query.subjectIds.length === 0) return [];
        return run(`SELECT * FROM ${table} WHERE ${id}::text = ANY($1::text[]) ORDER BY ${id} LIMIT $2`, [[...query.subjectIds], query.count], signal);
      }
      const limit = query.selection === 'AGGREGATE' ? (options.maxRows ?? 10_000) : query.count;
      return run(`SELECT * FROM ${table} ORDER BY ${id} LIMIT $1`, [limit], signal);
    },
    async close() {
      if (ownPool) await pool.end();
    },
  };
}

function fromRow(row: Record<string, unknown>, toField: ReadonlyMap<string, string>): SourceRecord {
  const record: SourceRecord = {};
  for (const [column, value] of Object.entries(row)) record[toField.get(column) ?? column] = value instanceof Date ? value.toISOString() : value;
  return record;
}
