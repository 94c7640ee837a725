// Helpers for this package's unit tests: a real ledger folder written with the ledger library.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemorySigner, digestEvent, openLedger, type LedgerEvent, type Summary } from '@firewall/ledger';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pf-oversight-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Row {
  readonly type?: LedgerEvent['type'];
  readonly requestId?: string;
  readonly summary: Summary;
  readonly times?: number;
  readonly at: string;
}

let counter = 0;

/** Appends each row `times` times (fresh request ids unless one is given), at the row's time, then closes the ledger. */
export async function writeLedger(dir: string, rows: readonly Row[]): Promise<void> {
  let now = new Date(rows[0]?.at ?? Date.now());
  const ledger = await openLedger(dir, await createMemorySigner(), { now: () => now, checkpointEvery: 5, checkpointIntervalMs: 0 });
  try {
    for (const row of rows) {
      now = new Date(row.at);
      for (let i = 0; i < (row.times ?? 1); i++) {
        const requestId = row.requestId ?? `req-${++counter}`;
        await ledger.append({ type: row.type ?? 'DECISION', requestId, eventDigest: digestEvent({ requestId, i }), policyRevision: 'rev-test', summary: row.summary });
      }
    }
  } finally {
    await ledger.close();
  }
}

export const decision = (agency: string, system: string, basisType: string, outcome: string, rules: string[]): Summary => ({
  agency, purpose: 'CODE', basisType, system, channel: 'RECORD_REQUEST', selection: 'NAMED', count: 1, fields: ['full_name'], decision: outcome, rules,
});

export const policyData = {
  agencies: {
    ICE_ERO: { classes: ['enforcement'] }, FBI: { classes: ['federal_criminal'] }, CITY_CLERK: { classes: ['city_department'] },
    CITY_COUNCIL: { classes: ['city_department', 'council_oversight'] }, MN_COURT: { classes: ['court_prosecutor'] },
  },
  thresholds: { small_cell_k: 10 },
};

export const systems = ['municipal_id', 'service_requests', 'summons', 'parking', 'audit'];
