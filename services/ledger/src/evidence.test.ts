import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestEvent } from './canonical.js';
import { readCheckpointFile, signCheckpoint, verifyCheckpointConsistency } from './checkpoint.js';
import { CHECKPOINTS_FILE } from './layout.js';
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

const trusted = () => ({ jwks: { keys: [signer.publicJwk] } });

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
    expect(await verifyEvidence(path, trusted())).toEqual({ ok: true, entries: 3, checkpoints: 1, tornTailIgnored: false });
    expect(await verifyPath(path, trusted())).toMatchObject({ ok: true, entries: 3 });
  });

  it('when verified against a published JWKS that lacks the key, then it reports unknown_key', async () => {
    const { evidence } = await evidenceFile();
    const other = await createMemorySigner();
    expect(await verifyEvidenceContent(evidence, { jwks: { keys: [other.publicJwk] } })).toMatchObject({ ok: false, problem: 'unknown_key' });
  });

  it('when an entry in the file is changed, then it reports changed at that entry', async () => {
    const ev = await mutated((e) => ((e.entries[1] as EvidenceJson['entries'][number]).entry.summary.decision = 'DENY'));
    expect(await verifyEvidenceContent(ev, trusted())).toMatchObject({ ok: false, position: 5, problem: 'changed' });
  });

  it('when a proof hash is changed, then it reports bad_proof at that entry', async () => {
    const ev = await mutated((e) => ((e.entries[2] as EvidenceJson['entries'][number]).proof[0] = 'f'.repeat(64)));
    expect(await verifyEvidenceContent(ev, trusted())).toMatchObject({ ok: false, position: 9, problem: 'bad_proof' });
  });

  it('when the checkpoint root is changed, then it reports bad_checkpoint', async () => {
    const ev = await mutated((e) => (e.checkpoint.checkpoint.root = '0'.repeat(64)));
    expect(await verifyEvidenceContent(ev, trusted())).toMatchObject({ ok: false, problem: 'bad_checkpoint' });
  });

  it('when entries are reordered or another request is substituted, then it says so', async () => {
    const swapped = await mutated((e) => e.entries.reverse());
    expect(await verifyEvidenceContent(swapped, trusted())).toMatchObject({ ok: false, problem: 'reordered' });
    const renamed = await mutated((e) => (e.requestId = 'req-B'));
    expect(await verifyEvidenceContent(renamed, trusted())).toMatchObject({ ok: false, position: 2, problem: 'changed' });
  });

  it('when the file on disk is edited, then verifyEvidence fails', async () => {
    const { path } = await evidenceFile();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"RELEASE"', '"DRY_RUN"'));
    expect(await verifyEvidence(path, trusted())).toMatchObject({ ok: false, position: 9, problem: 'changed' });
    await writeFile(path, text.slice(0, 100));
    expect(await verifyEvidence(path, trusted())).toMatchObject({ ok: false, problem: 'changed' });
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

  it('when a file is forged (fresh key, decision flipped, release dropped), then it fails unless embedded keys are trusted, and then says so', async () => {
    const forgedDir = await tempDir();
    cleanups.push(forgedDir.cleanup);
    const ledger = await FileLedger.open(forgedDir.dir, await createMemorySigner(), { checkpointIntervalMs: 0 });
    const flipped = (type: LedgerEvent['type']): LedgerEvent => ({ ...of('req-A', type), summary: { ...of('req-A', type).summary, decision: 'DENY' } });
    for (let i = 0; i < 12; i++) await ledger.append(i === 2 ? flipped('REQUEST_RECEIVED') : i === 5 ? flipped('DECISION') : sampleEvent(i));
    await ledger.close();
    const path = join(outDir, 'forged.json');
    await writeFile(path, await buildEvidence(forgedDir.dir, 'req-A'));
    expect(await verifyEvidence(path)).toMatchObject({ ok: false, problem: 'untrusted_keys', detail: expect.stringContaining('--trust-embedded-keys') });
    expect(await verifyEvidence(path, trusted())).toMatchObject({ ok: false, problem: 'unknown_key' });
    expect(await verifyEvidence(path, { trustEmbeddedKeys: true })).toMatchObject({ ok: true, entries: 2, embeddedKeysTrusted: true });
    // The real ledger's witnessed head is signed by the real key, which the forged file's keys do not hold.
    const heads = await readCheckpointFile(join(dir, CHECKPOINTS_FILE));
    const witnessed = heads.items.flatMap((i) => ('line' in i ? [i.line] : []));
    expect(await verifyEvidence(path, { trustEmbeddedKeys: true, checkpoint: witnessed })).toMatchObject({ ok: false, problem: 'unknown_key' });
  });

  it('when a witnessed head is given, then the file verifies only if its tree head is one the witness holds, with the same root', async () => {
    const { path, evidence } = await evidenceFile();
    const cps = (await readCheckpointFile(join(dir, CHECKPOINTS_FILE))).items.flatMap((i) => ('line' in i ? [i.line] : []));
    expect(await verifyEvidence(path, { ...trusted(), checkpoint: cps })).toMatchObject({ ok: true, witnessed: 3 });
    expect(await verifyEvidence(path, { ...trusted(), checkpoint: cps.slice(0, 2) })).toMatchObject({ ok: false, problem: 'bad_checkpoint', position: 12 });
    // A head of the same size with another root, signed by the real key: the ledger was forked.
    const fork = await signCheckpoint(12, Buffer.alloc(32, 7), signer, new Date());
    expect(await verifyEvidence(path, { ...trusted(), checkpoint: [fork] })).toMatchObject({ ok: false, problem: 'forked' });
    expect(evidence.checkpoint.checkpoint.size).toBe(12);
  });
});
