import { randomUUID } from 'node:crypto';
import { consume, topics, type AuditEntry, type Bus, type Codec, type Logger, type Subscription } from '@firewall/core';
import type { AggregateCell, FetchQuery, RecordSystemAdapter } from '../adapter.js';

/** The audit system's fields (policies/catalog/data.json): codes about decisions, never about people. */
export const auditFields = ['agency', 'decision', 'month', 'system', 'rule'] as const;

export interface LedgerAggregateAdapter extends RecordSystemAdapter {
  /** Counts one ledger entry (only DECISION entries count; dry runs and everything else are ignored). */
  observe(entry: AuditEntry): void;
  /** How many decisions have been counted. */
  readonly decisions: number;
}

interface Summary {
  agency?: unknown;
  system?: unknown;
  decision?: unknown;
  rules?: unknown;
}

/**
 * The `audit` record system: counts of decisions from the ledger's own summaries (agency, decision, month of
 * the entry, system, and each cited rule), fed from firewall.audit.v1. It answers AGGREGATE requests only; a
 * record-level request gets no records. Small cells are suppressed by the releaser, like every aggregate.
 *
 * Limits: counts live in memory and cover the entries this process has read (followLedgerAggregates reads the
 * topic from its oldest retained entry at start); an entry delivered twice is counted twice.
 */
export function createLedgerAggregateAdapter(system = 'audit'): LedgerAggregateAdapter {
  // One counter per distinct (agency, decision, month, system, rules) tuple: bounded by the codes, not by traffic.
  const tuples = new Map<string, { values: Record<string, string>; rules: string[]; count: number }>();
  let decisions = 0;
  return {
    system,
    get decisions() {
      return decisions;
    },
    observe(entry) {
      if (entry.type !== 'DECISION') return;
      let summary: Summary;
      try {
        summary = JSON.parse(entry.summary) as Summary;
      } catch {
        return;
      }
      const values = {
        agency: String(summary.agency ?? 'UNKNOWN'), decision: String(summary.decision ?? 'UNKNOWN'),
        month: entry.time.slice(0, 7), system: String(summary.system ?? 'UNKNOWN'),
      };
      const rules = Array.isArray(summary.rules) ? summary.rules.map(String).sort() : [];
      const key = JSON.stringify([values, rules]);
      const tuple = tuples.get(key) ?? { values, rules, count: 0 };
      tuple.count += 1;
      tuples.set(key, tuple);
      decisions += 1;
    },
    async fetch() {
      return [];
    },
    async aggregate(query: FetchQuery): Promise<AggregateCell[]> {
      const fields = query.fields.filter((f) => (auditFields as readonly string[]).includes(f));
      const cells = new Map<string, { values: Record<string, unknown>; count: number }>();
      for (const tuple of tuples.values()) {
        // A decision counts once for each rule it cites when `rule` is a grouping field.
        const ruleValues: (string | null)[] = fields.includes('rule') ? (tuple.rules.length ? tuple.rules : [null]) : [null];
        for (const rule of ruleValues) {
          const values = Object.fromEntries(fields.map((f) => [f, f === 'rule' ? rule : tuple.values[f]]));
          const key = JSON.stringify(fields.map((f) => values[f]));
          const cell = cells.get(key) ?? { values, count: 0 };
          cell.count += tuple.count;
          cells.set(key, cell);
        }
      }
      return [...cells.values()];
    },
  };
}

/**
 * Feeds a ledger aggregate adapter from firewall.audit.v1: its own, new consumer group each start, reading from
 * the oldest retained entry, so the counts are rebuilt from the chain rather than kept anywhere else.
 */
export async function followLedgerAggregates(deps: {
  readonly bus: Bus; readonly codec: Codec; readonly logger: Logger; readonly adapter?: LedgerAggregateAdapter; readonly group?: string;
}): Promise<{ adapter: LedgerAggregateAdapter; subscription: Subscription }> {
  const adapter = deps.adapter ?? createLedgerAggregateAdapter();
  const subscription = await consume({
    bus: deps.bus, codec: deps.codec, logger: deps.logger, topic: topics.audit, fromBeginning: true,
    group: deps.group ?? `firewall-releaser-aggregates-${randomUUID()}`,
    handle: async (entry) => adapter.observe(entry),
  });
  return { adapter, subscription };
}
