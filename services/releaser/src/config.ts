import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Bus, Codec, Logger, Subscription } from '@firewall/core';
import type { RecordSystemAdapter } from './adapter.js';
import { ReleaseError } from './errors.js';
import { isFixtureSystem } from './adapters/fictional.js';
import { createFixtureAdapter } from './adapters/fixture.js';
import { createLedgerAggregateAdapter, followLedgerAggregates } from './adapters/ledger-aggregate.js';
import { createOpen311Adapter } from './adapters/open311.js';
import { createSqlAdapter, type SqlAdapter } from './adapters/sql.js';

/**
 * Which adapter serves each record system, e.g. (FIREWALL_RECORD_SYSTEMS names such a JSON file):
 *   { "systems": {
 *       "municipal_id":     { "adapter": "fixture" },
 *       "service_requests": { "adapter": "open311", "baseUrl": "https://311.example.gov/open311/v2" },
 *       "summons":          { "adapter": "sql", "connectionString": "postgres://releaser@db/courts", "table": "summons", "idColumn": "citation_id" },
 *       "audit":            { "adapter": "ledger" } } }
 * A system with no entry has no adapter: its releases fail with PF_ADAPTER_MISSING (nothing released).
 */
const systemConfig = z.discriminatedUnion('adapter', [
  z.object({ adapter: z.literal('fixture'), seed: z.number().int().optional() }).strict(),
  z.object({ adapter: z.literal('open311'), baseUrl: z.url(), jurisdictionId: z.string().optional(), idsPerCall: z.number().int().positive().optional() }).strict(),
  z.object({
    adapter: z.literal('sql'), connectionString: z.string().min(1), table: z.string().min(1), idColumn: z.string().min(1),
    columns: z.record(z.string(), z.string()).optional(), maxRows: z.number().int().positive().optional(), statementTimeoutMs: z.number().int().positive().optional(),
  }).strict(),
  z.object({ adapter: z.literal('ledger') }).strict(),
]);

const recordSystemsSchema = z.object({ systems: z.record(z.string(), systemConfig) }).strict();

export type RecordSystemConfig = z.infer<typeof systemConfig>;
export type RecordSystemsConfig = z.infer<typeof recordSystemsSchema>;

/** The embedded mode's record systems: the fictional fixtures, and the audit system from the ledger. */
export const embeddedRecordSystems: RecordSystemsConfig = {
  systems: {
    municipal_id: { adapter: 'fixture' }, service_requests: { adapter: 'fixture' }, summons: { adapter: 'fixture' }, parking: { adapter: 'fixture' },
    audit: { adapter: 'ledger' },
  },
};

/** Validates a record-systems document; one error lists every problem (paths only, never values). */
export function parseRecordSystems(value: unknown): RecordSystemsConfig {
  const result = recordSystemsSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ReleaseError('PF_RELEASE_CONFIG', `Invalid record systems configuration:\n  ${problems.join('\n  ')}`, { details: problems });
  }
  for (const [system, entry] of Object.entries(result.data.systems)) {
    if (entry.adapter === 'fixture' && !isFixtureSystem(system)) {
      throw new ReleaseError('PF_RELEASE_CONFIG', `There is no fixture data for the ${system} system.`, { details: [`systems.${system}`] });
    }
  }
  return result.data;
}

export function loadRecordSystems(path: string): RecordSystemsConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ReleaseError('PF_RELEASE_CONFIG', `The record systems file ${path} is missing or not JSON.`, { cause });
  }
  return parseRecordSystems(parsed);
}

export interface RecordSystems {
  readonly adapters: readonly RecordSystemAdapter[];
  /** Positioned feeds (the ledger aggregate's), for readiness. */
  readonly subscriptions: readonly Subscription[];
  /** Closes feeds and database pools. */
  close(): Promise<void>;
}

/** Builds the adapters a configuration names. The `ledger` adapter reads firewall.audit.v1 through `bus`. */
export async function createRecordSystems(config: RecordSystemsConfig, deps: { readonly bus: Bus; readonly codec: Codec; readonly logger: Logger }): Promise<RecordSystems> {
  const adapters: RecordSystemAdapter[] = [];
  const subscriptions: Subscription[] = [];
  const pools: SqlAdapter[] = [];
  for (const [system, entry] of Object.entries(config.systems)) {
    switch (entry.adapter) {
      case 'fixture':
        if (!isFixtureSystem(system)) throw new ReleaseError('PF_RELEASE_CONFIG', `There is no fixture data for the ${system} system.`);
        adapters.push(createFixtureAdapter(system, { seed: entry.seed }));
        break;
      case 'open311':
        adapters.push(createOpen311Adapter({ system, baseUrl: entry.baseUrl, jurisdictionId: entry.jurisdictionId, idsPerCall: entry.idsPerCall }));
        break;
      case 'sql': {
        const { adapter: _kind, ...options } = entry;
        const sql = createSqlAdapter({ system, ...options });
        pools.push(sql);
        adapters.push(sql);
        break;
      }
      case 'ledger': {
        const feed = await followLedgerAggregates({ ...deps, adapter: createLedgerAggregateAdapter(system) });
        subscriptions.push(feed.subscription);
        adapters.push(feed.adapter);
        break;
      }
    }
  }
  return {
    adapters,
    subscriptions,
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}
