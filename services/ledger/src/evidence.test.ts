import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestEvent } from './canonical.js';
import { verifyCheckpointConsistency } from './checkpoint.js';
import { buildConsistencyProof, buildEvidence, verifyEvidence, verifyEvidenceContent, type Evidence } from './evidence.js';
import { FileLedger } from './file-ledger.js';
import type { LedgerEvent } from './ledger-event.js';
import { KeySet } from './keys.js';
import { createMemorySigner } from './signer/memory-signer.js';
import type { Signer } from './signer/signer.js';
import { sampleEvent, tempDir } from './test-support.js';
import { verifyPath } from './verify.js';

let dir: string;
let outDir: string;
let signer: Signer;
const cleanups: (() => Promise<void>)[] = [];

const of = (requestId: string, type: LedgerEvent['type']): LedgerEvent => ({
  type, requestId, eventDigest: digestEvent({ requestId, type }), policyRevision: 'rev-1',
  summary: { agency: 'MPD', purpose: 'CRIMINAL_INVESTIGATION', system: 'summons', decision: 'ALLOW', fields: ['offense'] },
});

/** Entries 0–11, request req-A at 2, 5 and 9; checkpoints at 4, 8 and (close) 12. */
beforeEach(async () => {
  const ledgerDir = await tempDir();
  const out = await tempDir();
  cleanups.push(ledgerDir.cleanup, out.cleanup);
  dir = ledgerDir.dir;
  outDir = out.dir;
  signer = await createMemorySigner();
  const ledger = await FileLedger.open(dir, signer, { checkpointEvery: 4, checkpointIntervalMs: 0 });
  const a: Record<number, LedgerEvent> = { 2: of('req-A', 'REQUEST_RECEIVED'), 5: of('req-A', 'DECISION'), 9: of('req-A', 'RELEASE') };
  for (let i = 0; i < 12; i++) await ledger.append(a[i] ?? sampleEvent(i));
  await ledger.close();
});
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function evidenceFile(): Promise<{ path: string; evidence: Evidence }> {
  const text = await buildEvidence(dir, 'req-A');
  const path = join(outDir, 'evidence-req-A.json');
  await writeFile(path, text);
  return { path, evidence: JSON.parse(text) as Evidence };
}

/** The evidence as plain, editable JSON. */
interface EvidenceJson {
  requestId: string;
  checkpoint: { checkpoint: { root: string } };
  entries: { entry: { summary: Record<string, unknown> }; proof: string[] }[];
}

async function mutated(edit: (e: EvidenceJson) => void): Promise<unknown> {
  const { evidence } = await evidenceFile();
  const copy = structuredClone(evidence) as unknown as EvidenceJson;
  edit(copy);
  return copy;
}

describe('evidence', () => {
  it('when built for a request, then it holds its entries with proofs and verifies with no folder', async () => {
    const { path, evidence } = await evidenceFile();
    expect(evidence.entries.map((e) => e.entry.seq)).toEqual([2, 5, 9]);
    expect(evidence.checkpoint.checkpoint.size).toBe(12);
    expect(evidence.entriesAfterCheckpoint).toBe(0);
    expect(await verifyEvidence(path)).toEqual({ ok: true, entries: 3, checkpoints: 1, tornTailIgnored: false });
    expect(await verifyPath(path, { jwks: { keys: [signer.publicJwk] } })).toMatchObject({ ok: true, entries: 3 });
  });

  it('when verified against a published JWKS that lacks the key, then it reports unknown_key', async () => {
    const { evidence } = await evidenceFile();
    const other = await createMemorySigner();
    expect(await verifyEvidenceContent(evidence, { jwks: { keys: [other.publicJwk] } })).toMatchObject({ ok: false, problem: 'unknown_key' });
  });

  it('when an entry in the file is changed, then it reports changed at that entry', async () => {
    const ev = await mutated((e) => ((e.entries[1] as EvidenceJson['entries'][number]).entry.summary.decision = 'DENY'));
    expect(await verifyEvidenceContent(ev)).toMatchObject({ ok: false, position: 5, problem: 'changed' });
  });

  it('when a proof hash is changed, then it reports bad_proof at that entry', async () => {
    const ev = await mutated((e) => ((e.entries[2] as EvidenceJson['entries'][number]).proof[0] = 'f'.repeat(64)));
    expect(await verifyEvidenceContent(ev)).toMatchObject({ ok: false, position: 9, problem: 'bad_proof' });
  });

  it('when the checkpoint root is changed, then it reports bad_checkpoint', async () => {
    const ev = await mutated((e) => (e.checkpoint.checkpoint.root = '0'.repeat(64)));
    expect(await verifyEvidenceContent(ev)).toMatchObject({ ok: false, problem: 'bad_checkpoint' });
  });

  it('when entries are reordered or another request is substituted, then it says so', async () => {
    const swapped = await mutated((e) => e.entries.reverse());
    expect(await verifyEvidenceContent(swapped)).toMatchObject({ ok: false, problem: 'reordered' });
    const renamed = await mutated((e) => (e.requestId = 'req-B'));
    expect(await verifyEvidenceContent(renamed)).toMatchObject({ ok: false, position: 2, problem: 'changed' });
  });

  it('when the file on disk is edited, then verifyEvidence fails', async () => {
    const { path } = await evidenceFile();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"RELEASE"', '"DRY_RUN"'));
    expect(await verifyEvidence(path)).toMatchObject({ ok: false, position: 9, problem: 'changed' });
    await writeFile(path, text.slice(0, 100));
    expect(await verifyEvidence(path)).toMatchObject({ ok: false, problem: 'changed' });
  });

  it('when the request has entries after the newest checkpoint, then they are counted but left out', async () => {
    const ledger = await FileLedger.open(dir, signer, { checkpointIntervalMs: 0, checkpointEvery: 1000 });
    await ledger.append(of('req-A', 'REVIEW'));
    const evidence = JSON.parse(await buildEvidence(dir, 'req-A')) as Evidence;
    expect(evidence.entriesAfterCheckpoint).toBe(1);
    expect(evidence.entries).toHaveLength(3);
    await ledger.close();
    expect((JSON.parse(await buildEvidence(dir, 'req-A')) as Evidence).entries).toHaveLength(4);
  });

  it('when no checkpoint covers the request, then building fails with PF_LEDGER_NOT_FOUND', async () => {
    await expect(buildEvidence(dir, 'req-unknown')).rejects.toMatchObject({ code: 'PF_LEDGER_NOT_FOUND' });
  });

  it('when two checkpoints are compared, then the consistency proof verifies, and a forged later root does not', async () => {
    const keys = await KeySet.from({ keys: [signer.publicJwk] });
    const { from, to, proof } = await buildConsistencyProof(dir, 4, 12);
    expect(await verifyCheckpointConsistency(from, to, proof, keys)).toEqual({ ok: true });
    const wrong = proof.map((p, i) => (i === 0 ? 'a'.repeat(64) : p));
    expect(await verifyCheckpointConsistency(from, to, wrong, keys)).toMatchObject({ ok: false });
    const { from: f8 } = await buildConsistencyProof(dir, 8, 12);
    expect(await verifyCheckpointConsistency(f8, to, proof, keys)).toMatchObject({ ok: false });
  });
});
