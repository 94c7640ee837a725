import { appendFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINTS_FILE, JWKS_FILE } from './layout.js';
import { FileLedger } from './file-ledger.js';
import { parseStoredLine } from './entry.js';
import { createMemorySigner } from './signer/memory-signer.js';
import { openKeyring } from './signer/keyring.js';
import type { Signer } from './signer/signer.js';
import { editLines, events, fileLines, firstSegment, sampleEvent, tempDir } from './test-support.js';
import { verifyLedgerFolder } from './verify.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function dir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
async function open(d: string, signer: Signer, opts: Parameters<typeof FileLedger.open>[2] = {}): Promise<FileLedger> {
  const ledger = await FileLedger.open(d, signer, { checkpointIntervalMs: 0, ...opts });
  cleanups.push(() => ledger.close().catch(() => undefined));
  return ledger;
}
const checkpointSizes = async (d: string): Promise<number[]> =>
  (await fileLines(join(d, CHECKPOINTS_FILE))).map((l) => JSON.parse(l).checkpoint.size as number);

describe('FileLedger', () => {
  it('when entries are appended and the ledger reopened, then the head is recovered and the chain continues', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer);
    const first = await a.append(sampleEvent(0));
    expect(first.entry).toMatchObject({ seq: 0, prevHash: '0'.repeat(64), type: 'REQUEST_RECEIVED', requestId: 'req-0' });
    await a.appendBatch(events(4, 1));
    const head = a.headHash;
    await a.close();
    const b = await open(d, signer);
    expect(b.status).toMatchObject({ entries: 5, headHash: head, repair: 'none', staleLockRemoved: false, keyChange: 'none' });
    const next = await b.append(sampleEvent(5));
    expect(next.entry).toMatchObject({ seq: 5, prevHash: head });
    await b.close();
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 6 });
  });

  it('when many appends are in flight, then they get consecutive seqs in call order and each is on disk when it resolves', async () => {
    const d = await dir();
    const ledger = await open(d, await createMemorySigner());
    const lines = await Promise.all(
      events(200).map(async (ev) => {
        const line = await ledger.append(ev);
        expect(await readFile(firstSegment(d), 'utf8')).toContain(line.hash);
        return line;
      }),
    );
    expect(lines.map((l) => l.entry.seq)).toEqual([...Array(200).keys()]);
    lines.slice(1).forEach((l, i) => expect(l.entry.prevHash).toBe(lines[i]?.hash));
    expect(lines.map((l) => l.entry.requestId)).toEqual(events(200).map((e) => e.requestId));
  });

  it('when one event of a batch is invalid, then the whole batch is refused and nothing is written', async () => {
    const d = await dir();
    const ledger = await open(d, await createMemorySigner());
    const bad = { ...sampleEvent(1), summary: { agency: 'ICE_ERO', subjectName: 'Maria Lopez' } };
    await expect(ledger.appendBatch([sampleEvent(0), bad as never])).rejects.toMatchObject({ code: 'PF_LEDGER_SUMMARY_NOT_ALLOWED' });
    await expect(ledger.append({ ...sampleEvent(0), eventDigest: 'abc' })).rejects.toMatchObject({ code: 'PF_LEDGER_INVALID_EVENT' });
    await expect(ledger.append({ ...sampleEvent(0), type: 'KEY_ROTATION' as never })).rejects.toMatchObject({ code: 'PF_LEDGER_INVALID_EVENT' });
    await expect(ledger.append({ ...sampleEvent(0), requestId: 'has space' })).rejects.toMatchObject({ code: 'PF_LEDGER_INVALID_EVENT' });
    expect(ledger.size).toBe(0);
    expect(await readFile(firstSegment(d), 'utf8')).toBe('');
  });

  it('when entries pass multiples of checkpointEvery, then a checkpoint is written at each, and one more on close', async () => {
    const d = await dir();
    const seen: number[] = [];
    const ledger = await open(d, await createMemorySigner(), { checkpointEvery: 10, onCheckpoint: (c) => seen.push(c.checkpoint.size) });
    await ledger.appendBatch(events(7));
    await ledger.appendBatch(events(18, 7));
    expect(await checkpointSizes(d)).toEqual([10, 20]);
    await ledger.close();
    expect(await checkpointSizes(d)).toEqual([10, 20, 25]);
    expect(seen).toEqual([10, 20, 25]);
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 25, checkpoints: 3 });
  });

  it('when checkpointIntervalMs passes with new entries, then a checkpoint is written without a call', async () => {
    const d = await dir();
    const ledger = await open(d, await createMemorySigner(), { checkpointIntervalMs: 20 });
    await ledger.appendBatch(events(3));
    await expect.poll(() => checkpointSizes(d), { timeout: 2000, interval: 10 }).toEqual([3]);
  });

  it('when the last line was torn by a crash, then open truncates it, says so, and the ledger verifies', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer);
    await a.appendBatch(events(5));
    await a.close();
    const torn = '{"entry":{"seq":5,"prevHash":"00';
    await appendFile(firstSegment(d), torn);
    const b = await open(d, signer);
    expect(b.status).toMatchObject({ entries: 5, repair: 'truncated_torn_line', bytesRemoved: torn.length });
    await b.append(sampleEvent(5));
    await b.close();
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 6 });
  });

  it('when the last line is a whole valid entry missing only its newline, then it is kept and completed', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer);
    await a.appendBatch(events(6));
    await a.close();
    const text = await readFile(firstSegment(d), 'utf8');
    await writeFile(firstSegment(d), text.slice(0, -1));
    const b = await open(d, signer);
    expect(b.status).toMatchObject({ entries: 6, repair: 'completed_torn_line', bytesRemoved: 0 });
    await b.close();
    expect(await readFile(firstSegment(d), 'utf8')).toBe(text);
  });

  it('when checkpoints.ndjson ends in a torn line, then open cuts it and keeps the checkpoints before it', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer, { checkpointEvery: 2 });
    await a.appendBatch(events(4));
    await a.close();
    await appendFile(join(d, CHECKPOINTS_FILE), '{"checkpoint":{"si');
    const b = await open(d, signer);
    expect(b.status).toMatchObject({ entries: 4, checkpointBytesRemoved: 18, frontierSource: 'checkpoint' });
    await b.append(sampleEvent(4));
    await b.close();
    expect(await checkpointSizes(d)).toEqual([2, 4, 5]);
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 5, checkpoints: 3 });
  });

  it('when a line before the last is damaged, then open refuses with PF_LEDGER_CORRUPT and changes nothing', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer);
    await a.appendBatch(events(4));
    await a.close();
    await editLines(firstSegment(d), (lines) => lines.map((l, i) => (i === 1 ? l.replace('ICE_ERO', 'ICE_HSI') : l)));
    const before = await readFile(firstSegment(d), 'utf8');
    const jwks = await readFile(join(d, JWKS_FILE), 'utf8');
    await expect(FileLedger.open(d, await createMemorySigner())).rejects.toMatchObject({ code: 'PF_LEDGER_CORRUPT' });
    expect(await readFile(firstSegment(d), 'utf8')).toBe(before);
    expect(await readFile(join(d, JWKS_FILE), 'utf8')).toBe(jwks);
    expect(await readdir(d)).not.toContain('LOCK');
  });

  it('when the tail was cut below the last checkpoint, then open refuses rather than fork the chain', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer);
    await a.appendBatch(events(6));
    await a.close();
    await editLines(firstSegment(d), (lines) => lines.slice(0, 4));
    await expect(FileLedger.open(d, signer)).rejects.toMatchObject({ code: 'PF_LEDGER_CORRUPT' });
  });

  it('when the folder is open, then a second writer in the same process is refused with PF_LEDGER_LOCKED', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    await open(d, signer);
    await expect(FileLedger.open(d, signer)).rejects.toMatchObject({ code: 'PF_LEDGER_LOCKED' });
  });

  it('when entries fill segments, then new segment files start, restart uses the checkpoint frontier, and all verifies', async () => {
    const d = await dir();
    const signer = await createMemorySigner();
    const a = await open(d, signer, { segmentEntries: 10, checkpointEvery: 1000 });
    for (let i = 0; i < 35; i += 5) await a.appendBatch(events(5, i));
    await a.close();
    expect((await readdir(d)).filter((n) => n.startsWith('entries-')).length).toBe(4);
    const b = await open(d, signer, { segmentEntries: 10 });
    expect(b.status).toMatchObject({ entries: 35, frontierSource: 'checkpoint' });
    await b.appendBatch(events(3, 35));
    await b.close();
    await editLines(join(d, CHECKPOINTS_FILE), (lines) => lines.map((l) => JSON.stringify({ ...JSON.parse(l), frontier: undefined })));
    const c = await open(d, signer, { segmentEntries: 10 });
    expect(c.status).toMatchObject({ entries: 38, frontierSource: 'scan' });
    await c.append(sampleEvent(38));
    await c.close();
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 39 });
  });

  it('when the key is rotated, then the old key signs a KEY_ROTATION naming the new kid and the new key signs after', async () => {
    const d = await dir();
    const oldKey = await createMemorySigner();
    const newKey = await createMemorySigner();
    const ledger = await open(d, oldKey);
    await ledger.appendBatch(events(3));
    const rotation = await ledger.rotateKey(newKey);
    const after = await ledger.append(sampleEvent(4));
    await ledger.close();
    expect(rotation.entry).toMatchObject({ type: 'KEY_ROTATION', requestId: null, summary: { previousKid: oldKey.kid, newKid: newKey.kid } });
    expect(decodeProtectedHeader(rotation.jws).kid).toBe(oldKey.kid);
    expect(decodeProtectedHeader(after.jws).kid).toBe(newKey.kid);
    const jwks = JSON.parse(await readFile(join(d, JWKS_FILE), 'utf8')) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([oldKey.kid, newKey.kid]);
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 5 });
  });

  it('when a keyring rotated but the process died before the ledger entry, then reopening finishes the rotation', async () => {
    const d = await dir();
    const ring = await openKeyring(join(await dir(), 'keys'), { create: true });
    const a = await open(d, ring.active);
    await a.appendBatch(events(2));
    await a.close();
    const next = await ring.rotate();
    const b = await open(d, ring.active, { previousSigners: ring.signers });
    expect(b.status.keyChange).toBe('rotated');
    await b.close();
    const last = parseStoredLine((await fileLines(firstSegment(d))).at(-1) ?? '');
    expect(last.entry).toMatchObject({ type: 'KEY_ROTATION', summary: { newKid: next.kid } });
    expect(decodeProtectedHeader(last.jws).kid).not.toBe(next.kid);
    expect(await verifyLedgerFolder(d, { jwks: ring.jwks() })).toMatchObject({ ok: true, entries: 3 });
  });

  it('when opened with a new key and the old one is gone, then the change is recorded as unannounced', async () => {
    const d = await dir();
    const a = await open(d, await createMemorySigner());
    await a.append(sampleEvent(0));
    await a.close();
    const b = await open(d, await createMemorySigner());
    expect(b.status.keyChange).toBe('unannounced');
    await b.close();
    expect(await verifyLedgerFolder(d)).toMatchObject({ ok: true, entries: 2 });
  });

  it('when closed, then appends are refused with PF_LEDGER_CLOSED and closing again is harmless', async () => {
    const d = await dir();
    const ledger = await open(d, await createMemorySigner());
    await ledger.close();
    await ledger.close();
    await expect(ledger.append(sampleEvent(0))).rejects.toMatchObject({ code: 'PF_LEDGER_CLOSED' });
    await expect(ledger.checkpoint()).rejects.toMatchObject({ code: 'PF_LEDGER_CLOSED' });
    expect(await readdir(d)).not.toContain('LOCK');
  });

  it('when signing fails, then that append is rejected and the ledger keeps working', async () => {
    const d = await dir();
    const good = await createMemorySigner();
    let fail = true;
    const flaky: Signer = { kid: good.kid, publicJwk: good.publicJwk, sign: (p, o) => (fail ? Promise.reject(new Error('hsm busy')) : good.sign(p, o)) };
    const ledger = await open(d, flaky);
    await expect(ledger.append(sampleEvent(0))).rejects.toThrow('hsm busy');
    fail = false;
    await expect(ledger.append(sampleEvent(0))).resolves.toMatchObject({ entry: { seq: 0 } });
  });
});
