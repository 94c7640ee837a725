import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestEvent } from './canonical.js';
import { FileLedger } from './file-ledger.js';
import type { LedgerEvent } from './ledger-event.js';
import { createMemorySigner } from './signer/memory-signer.js';
import { verifyLedgerFolder } from './verify.js';

export interface LedgerBench {
  readonly entries: number;
  /** Entries made durable per second, with 64 appends in flight at a time (group commit). */
  readonly appendPerSec: number;
  /** Entries fully verified (hash, signature, chain, checkpoints) per second. */
  readonly verifyPerSec: number;
}

/** Appends `n` entries to a ledger in a temporary folder, verifies it, and removes it. */
export async function benchLedger(n: number, inFlight = 64): Promise<LedgerBench> {
  const dir = await mkdtemp(join(tmpdir(), 'pf-ledger-bench-'));
  try {
    const ledger = await FileLedger.open(dir, await createMemorySigner(), { checkpointIntervalMs: 0 });
    const event = (i: number): LedgerEvent => ({
      type: 'DECISION',
      requestId: `req-${i}`,
      eventDigest: digestEvent({ i }),
      policyRevision: 'bench',
      summary: { agency: 'ICE_ERO', purpose: 'CIVIL_IMMIGRATION', system: 'municipal_id', fields: ['full_name'], decision: 'DENY', rules: ['R1'] },
    });
    const appendStart = performance.now();
    for (let i = 0; i < n; i += inFlight) {
      const wave: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(n, i + inFlight); j++) wave.push(ledger.append(event(j)));
      await Promise.all(wave);
    }
    const appendMs = performance.now() - appendStart;
    await ledger.close();
    const verifyStart = performance.now();
    const result = await verifyLedgerFolder(dir);
    const verifyMs = performance.now() - verifyStart;
    if (!result.ok) throw new Error(`bench ledger did not verify: ${result.problem} at ${result.position}`);
    return { entries: n, appendPerSec: (n * 1000) / appendMs, verifyPerSec: (n * 1000) / verifyMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
