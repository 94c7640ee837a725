import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCheckpoint, type CheckpointLine } from './checkpoint.js';
import { FileLedger, type LedgerOptions } from './file-ledger.js';
import { KeySet } from './keys.js';
import { CHECKPOINTS_FILE } from './layout.js';
import { consistencyProof, leafHash, merkleRoot } from './merkle.js';
import { createMemorySigner } from './signer/memory-signer.js';
import type { Signer } from './signer/signer.js';
import { editLines, events, fileLines, firstSegment, sampleEvent, tempDir } from './test-support.js';
import { verifyLedgerFolder } from './verify.js';
import { checkWitnessFolder, FolderWitness, readWitnessFile, WITNESS_FILE } from './witness.js';
import { folderLeaves, WitnessFeed, type WitnessOutcome } from './witness-feed.js';

let root: string;
let cleanup: () => Promise<void>;
let signer: Signer;
let keys: KeySet;
let refusals: string[];

beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
  signer = await createMemorySigner();
  keys = await KeySet.from({ keys: [signer.publicJwk] });
  refusals = [];
});
afterEach(() => cleanup());

const witnessDir = () => join(root, 'witness');
const openWitness = () => FolderWitness.open(witnessDir(), { keys: () => keys, onRefused: (reason) => void refusals.push(reason) });

/** Opens the ledger in `dir` with a feed to the witness folder, runs `work`, closes both; returns the outcomes. */
async function withFeed(dir: string, work: (ledger: FileLedger) => Promise<void>, options: LedgerOptions = { checkpointEvery: 4, checkpointIntervalMs: 0 }): Promise<WitnessOutcome[]> {
  const witness = await openWitness();
  const outcomes: WitnessOutcome[] = [];
  const feed = new WitnessFeed({ witness, readLeaves: folderLeaves(dir), onOutcome: (o) => void outcomes.push(o) });
  const ledger = await FileLedger.open(dir, signer, { ...options, onAppend: (l) => feed.appended(l), onCheckpoint: (c) => feed.submit(c) });
  await feed.attach(ledger.size);
  await work(ledger);
  await ledger.close();
  await feed.idle();
  await witness.close();
  return outcomes;
}

describe('folder witness', () => {
  it('when a ledger writes heads, then the witness keeps each with a proof that it extends the one before, and they verify the ledger', async () => {
    const dir = join(root, 'ledger');
    const outcomes = await withFeed(dir, async (ledger) => {
      for (let i = 0; i < 25; i += 3) await ledger.appendBatch(events(3, i));
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const { lines } = await readWitnessFile(join(witnessDir(), WITNESS_FILE));
    // Heads at 6 (the batches cross 4 at 6), …, and the shutdown head at 27.
    expect(lines.at(-1)?.checkpoint.size).toBe(27);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(await checkWitnessFolder(witnessDir(), keys)).toMatchObject({ ok: true, heads: lines.length, latest: { checkpoint: { size: 27 } } });
    expect(await verifyLedgerFolder(dir, { jwks: keys.jwks, checkpoint: join(witnessDir(), WITNESS_FILE) })).toMatchObject({ ok: true, entries: 27, witnessed: lines.length });
  });

  it('when the writer restarts behind the witness (heads it never sent), then the proof is built from the folder and accepted', async () => {
    const dir = join(root, 'ledger');
    await withFeed(dir, async (ledger) => void (await ledger.appendBatch(events(5))));
    const plain = await FileLedger.open(dir, signer, { checkpointEvery: 4, checkpointIntervalMs: 0 });
    await plain.appendBatch(events(9, 5));
    await plain.close();
    const outcomes = await withFeed(dir, async (ledger) => void (await ledger.appendBatch(events(3, 14))));
    expect(outcomes).toEqual([{ ok: true, size: 17, result: 'recorded' }]);
    expect(await checkWitnessFolder(witnessDir(), keys)).toMatchObject({ ok: true, latest: { checkpoint: { size: 17 } } });
  });

  it('when the ledger was truncated or its tail replaced, then the witness refuses the new heads (logged, counted) and keeps what it had', async () => {
    const dir = join(root, 'ledger');
    await withFeed(dir, async (ledger) => void (await ledger.appendBatch(events(10))));
    const before = await readFile(join(witnessDir(), WITNESS_FILE), 'utf8');
    // Cut to 6 and write 7 other entries with the real key: a replaced tail, longer than the witnessed 10.
    await editLines(firstSegment(dir), (ls) => ls.slice(0, 6));
    await editLines(join(dir, CHECKPOINTS_FILE), (ls) => ls.slice(0, 1));
    const outcomes = await withFeed(dir, async (ledger) => void (await ledger.appendBatch(Array.from({ length: 7 }, (_, i) => sampleEvent(50 + i)))));
    expect(outcomes[0]).toMatchObject({ ok: false, size: 10 }); // attach: the witness holds more than the ledger
    expect(outcomes.slice(1).length).toBeGreaterThan(0);
    expect(outcomes.slice(1).every((o) => !o.ok && (o.error as { code?: string }).code === 'PF_LEDGER_PROOF')).toBe(true);
    expect(refusals.length).toBe(outcomes.length - 1);
    expect(refusals.some((r) => r.includes('fewer entries than the 10 already witnessed'))).toBe(true);
    expect(refusals.some((r) => r.includes('no proof that it extends the 10 entries'))).toBe(true);
    expect(await readFile(join(witnessDir(), WITNESS_FILE), 'utf8')).toBe(before);
    // The witness held heads at 4, 8 and 10: the first one after the cut at 6 is the one that no longer matches.
    expect(await verifyLedgerFolder(dir, { jwks: keys.jwks, checkpoint: join(witnessDir(), WITNESS_FILE) })).toMatchObject({ ok: false, position: 8, problem: 'forked' });
  });

  it('when a head is offered directly, then it needs a trusted signature, and a valid proof unless it equals the newest', async () => {
    const witness = await openWitness();
    const leaves = Array.from({ length: 9 }, (_, i) => leafHash(String(i).padStart(64, '0')));
    const head = (n: number, s: Signer = signer): Promise<CheckpointLine> => signCheckpoint(n, merkleRoot(leaves, n), s, new Date());
    const hex = (bs: Uint8Array[]) => bs.map((b) => Buffer.from(b).toString('hex'));
    await expect(witness.submit(await head(4, await createMemorySigner()), [])).rejects.toMatchObject({ code: 'PF_LEDGER_PROOF' });
    expect(await witness.submit(await head(4), [])).toBe('recorded');
    expect(await witness.submit(await head(4), [])).toBe('already held');
    await expect(witness.submit(await signCheckpoint(4, merkleRoot(leaves, 5), signer, new Date()), [])).rejects.toMatchObject({ code: 'PF_LEDGER_PROOF' });
    await expect(witness.submit(await head(9), hex(consistencyProof(leaves, 5, 9)))).rejects.toMatchObject({ code: 'PF_LEDGER_PROOF' });
    await expect(witness.submit(await head(9), [])).rejects.toMatchObject({ code: 'PF_LEDGER_PROOF' });
    expect(await witness.submit(await head(9), hex(consistencyProof(leaves, 4, 9)))).toBe('recorded');
    await expect(witness.submit(await head(8), hex(consistencyProof(leaves, 8, 9)))).rejects.toMatchObject({ code: 'PF_LEDGER_PROOF' });
    expect(refusals).toHaveLength(5);
    await witness.close();
    expect((await checkWitnessFolder(witnessDir(), keys)).ok).toBe(true);
  });

  it('when the witness file is edited (a proof or a root changed) or torn, then checking it fails or the torn line is dropped', async () => {
    const dir = join(root, 'ledger');
    await withFeed(dir, async (ledger) => void (await ledger.appendBatch(events(13))));
    const path = join(witnessDir(), WITNESS_FILE);
    const copy = join(root, 'witness-copy');
    await cp(witnessDir(), copy, { recursive: true });
    const edit = async (change: (line: { proof: string[]; checkpoint: { root: string } }) => void) => {
      await cp(witnessDir(), copy, { recursive: true, force: true });
      await editLines(join(copy, WITNESS_FILE), (ls) => ls.map((l, i) => {
        if (i !== 1) return l;
        const line = JSON.parse(l) as { proof: string[]; checkpoint: { root: string } };
        change(line);
        return JSON.stringify(line);
      }));
      return checkWitnessFolder(copy, keys);
    };
    expect((await fileLines(path)).length).toBe(4); // 4, 8, 12 and the shutdown head at 13
    expect(await edit((l) => (l.proof[0] = 'f'.repeat(64)))).toMatchObject({ ok: false, line: 2 });
    expect(await edit((l) => (l.checkpoint.root = 'f'.repeat(64)))).toMatchObject({ ok: false, line: 2 });
    await writeFile(path, (await readFile(path, 'utf8')) + '{"checkpoint":');
    const reopened = await openWitness();
    expect((await reopened.latest())?.checkpoint.size).toBe(13);
    await reopened.close();
    expect(await readFile(path, 'utf8')).not.toContain('{"checkpoint":\n');
    expect((await checkWitnessFolder(witnessDir(), keys)).ok).toBe(true);
  });
});
