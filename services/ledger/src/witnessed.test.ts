import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCheckpointLine, signCheckpoint, type CheckpointLine } from './checkpoint.js';
import { FileLedger } from './file-ledger.js';
import { CHECKPOINTS_FILE } from './layout.js';
import { createMemorySigner } from './signer/memory-signer.js';
import type { Signer } from './signer/signer.js';
import { editLines, events, fileLines, firstSegment, sampleEvent, tempDir } from './test-support.js';
import { verifyLedgerFolder } from './verify.js';

const N = 12;
let dir: string;
let work: string;
let signer: Signer;
let heads: CheckpointLine[];
let cleanup: () => Promise<void>;

/** A ledger of 12 entries, checkpoints at 4, 8 and 12: the witness holds all three (as a witness folder would). */
beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  dir = join(t.dir, 'ledger');
  work = join(t.dir, 'work');
  signer = await createMemorySigner();
  const ledger = await FileLedger.open(dir, signer, { checkpointEvery: 4, checkpointIntervalMs: 0 });
  await ledger.appendBatch(events(N));
  await ledger.close();
  heads = (await fileLines(join(dir, CHECKPOINTS_FILE))).map(parseCheckpointLine);
  expect(heads.map((h) => h.checkpoint.size)).toEqual([4, 8, 12]);
});
afterEach(() => cleanup());

const published = () => ({ jwks: { keys: [signer.publicJwk] } });

/** Keeps the first `k` entries and the checkpoints that cover no more: the best cut an attacker can make. */
async function cutAt(k: number): Promise<void> {
  await rm(work, { recursive: true, force: true });
  await cp(dir, work, { recursive: true });
  await editLines(firstSegment(work), (ls) => ls.slice(0, k));
  await editLines(join(work, CHECKPOINTS_FILE), (ls) => ls.filter((l) => parseCheckpointLine(l).checkpoint.size <= k));
}

describe('verify with witnessed tree heads', () => {
  it('when nothing was cut, then the ledger verifies against every witnessed head', async () => {
    expect(await verifyLedgerFolder(dir, { ...published(), checkpoint: heads })).toMatchObject({ ok: true, entries: N, witnessed: 3 });
  });

  it('when the ledger is cut at any position, then the folder alone still verifies but the witnessed head names what is missing', async () => {
    for (let k = 0; k < N; k++) {
      await cutAt(k);
      expect(await verifyLedgerFolder(work, published()), `cut at ${k}`).toMatchObject({ ok: true, entries: k });
      const last = heads.at(-1) as CheckpointLine;
      const missing = N - k === 1 ? `entry ${k} is missing` : `entries ${k}–${N - 1} are missing`;
      expect(await verifyLedgerFolder(work, { ...published(), checkpoint: [last] }), `cut at ${k}`).toEqual({
        ok: false, position: k, problem: 'truncated', detail: `the ledger holds ${k} entries; the witnessed tree head covers ${N}: ${missing}`,
      });
      // Also with checkpoints.ndjson deleted.
      await rm(join(work, CHECKPOINTS_FILE));
      expect(await verifyLedgerFolder(work, { ...published(), checkpoint: heads }), `cut at ${k}`).toMatchObject({ ok: false, position: k, problem: 'truncated' });
    }
  });

  it('when the tail is replaced (cut, then re-written with the real key), then the first witnessed head after the cut fails as forked', async () => {
    for (const k of [0, 3, 4, 7, 11]) {
      await cutAt(k);
      const ledger = await FileLedger.open(work, signer, { checkpointEvery: 4, checkpointIntervalMs: 0 });
      await ledger.appendBatch(Array.from({ length: N + 2 - k }, (_, i) => sampleEvent(100 + i)));
      await ledger.close();
      expect(await verifyLedgerFolder(work, published()), `replaced from ${k}`).toMatchObject({ ok: true, entries: N + 2 });
      const firstAfter = heads.find((h) => h.checkpoint.size > k) as CheckpointLine;
      const result = await verifyLedgerFolder(work, { ...published(), checkpoint: heads });
      expect(result, `replaced from ${k}`).toMatchObject({ ok: false, position: firstAfter.checkpoint.size, problem: 'forked' });
      expect(result.ok ? '' : result.detail).toContain(`the first ${firstAfter.checkpoint.size} entries do not match`);
    }
  });

  it('when a witnessed head is not signed by a trusted key, or its signature is damaged, then it counts for nothing: the verify fails', async () => {
    const stranger = await signCheckpoint(N, Buffer.from((heads.at(-1) as CheckpointLine).checkpoint.root, 'hex'), await createMemorySigner(), new Date());
    expect(await verifyLedgerFolder(dir, { ...published(), checkpoint: [stranger] })).toMatchObject({ ok: false, problem: 'unknown_key' });
    const last = heads.at(-1) as CheckpointLine;
    const damaged = { ...last, checkpoint: { ...last.checkpoint, size: 11 } };
    expect(await verifyLedgerFolder(dir, { ...published(), checkpoint: [damaged] })).toMatchObject({ ok: false, problem: 'bad_checkpoint' });
  });

  it('when the heads come from a file (one pretty-printed head, or one per line), then it reads them', async () => {
    const one = join(work + '-one.json');
    const many = join(work + '-many.ndjson');
    await writeFile(one, JSON.stringify(heads.at(-1), null, 2));
    await writeFile(many, heads.map((h) => JSON.stringify(h)).join('\n') + '\n');
    await cutAt(5);
    expect(await verifyLedgerFolder(work, { ...published(), checkpoint: one })).toMatchObject({ ok: false, position: 5, problem: 'truncated' });
    expect(await verifyLedgerFolder(dir, { ...published(), checkpoint: many })).toMatchObject({ ok: true, witnessed: 3 });
    await writeFile(many, 'not a head\n');
    await expect(verifyLedgerFolder(dir, { ...published(), checkpoint: many })).rejects.toMatchObject({ code: 'PF_LEDGER_CORRUPT' });
  });
});
