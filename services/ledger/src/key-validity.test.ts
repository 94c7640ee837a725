import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCheckpointLine, signCheckpoint } from './checkpoint.js';
import { parseStoredLine, sealEntry, serializeLine, type LedgerEntry } from './entry.js';
import { FileLedger } from './file-ledger.js';
import { jwsKid, KeySet } from './keys.js';
import { CHECKPOINTS_FILE, JWKS_FILE } from './layout.js';
import { createMemorySigner } from './signer/memory-signer.js';
import type { Ed25519PublicJwk, Signer } from './signer/signer.js';
import { events, fileLines, firstSegment, tempDir } from './test-support.js';
import { verifyLedgerFolder } from './verify.js';

let dir: string;
let cleanup: () => Promise<void>;
let a: Signer;
let b: Signer;

/** Entries 0–4 signed by A, the KEY_ROTATION at 5 signed by A, entries 6–10 signed by B. */
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  a = await createMemorySigner();
  b = await createMemorySigner();
  const ledger = await FileLedger.open(dir, a, { checkpointEvery: 4, checkpointIntervalMs: 0 });
  await ledger.appendBatch(events(5));
  await ledger.rotateKey(b);
  await ledger.appendBatch(events(5, 5));
  await ledger.close();
});
afterEach(() => cleanup());

const published = async (): Promise<{ keys: Ed25519PublicJwk[] }> => JSON.parse(await readFile(join(dir, JWKS_FILE), 'utf8')) as { keys: Ed25519PublicJwk[] };
const lines = async () => (await fileLines(firstSegment(dir))).map(parseStoredLine);

/** Replaces (or appends) the entry at `seq`, signed by `signer`, chained to the entry before it. */
async function forge(seq: number, signer: Signer, change: Partial<LedgerEntry> = {}): Promise<void> {
  const all = await lines();
  const model = all[Math.min(seq, all.length - 1)]!.entry;
  const entry: LedgerEntry = { ...model, seq, prevHash: seq === 0 ? model.prevHash : all[seq - 1]!.hash, ...change };
  const forged = await sealEntry(entry, signer);
  const out = [...all.slice(0, seq).map(serializeLine), serializeLine(forged), ...all.slice(seq + 1).map(serializeLine)];
  await writeFile(firstSegment(dir), out.map((l) => l + '\n').join(''));
}

describe('key validity intervals', () => {
  it('when a key is rotated, then the JWKS gives the old key its end and the new key its start, and the ledger verifies', async () => {
    const { keys } = await published();
    const ka = keys.find((k) => k.kid === a.kid)!;
    const kb = keys.find((k) => k.kid === b.kid)!;
    expect(ka).toMatchObject({ firstSeq: 0, lastSeq: 5, validFrom: expect.any(String), validUntil: expect.any(String) });
    expect(kb).toMatchObject({ firstSeq: 6, validFrom: ka.validUntil });
    expect(kb.lastSeq).toBeUndefined();
    expect((await lines()).map((l) => jwsKid(l.jws))).toEqual([...Array(6).fill(a.kid), ...Array(5).fill(b.kid)]);
    expect(await verifyLedgerFolder(dir, { jwks: { keys } })).toMatchObject({ ok: true, entries: 11 });
  });

  it('when the retired key signs an entry after its last position, then verification fails there, naming it', async () => {
    const jwks = await published();
    await forge(11, a, { time: (await lines())[4]!.entry.time });
    const result = await verifyLedgerFolder(dir, { jwks });
    expect(result).toMatchObject({ ok: false, position: 11, problem: 'key_not_valid' });
    expect(result.ok ? '' : result.detail).toContain(`entry 11 is signed by kid ${a.kid}, retired after position 5`);
  });

  it('when the new key signs an entry before its first position, then verification fails there', async () => {
    await forge(3, b);
    expect(await verifyLedgerFolder(dir, { jwks: await published() })).toMatchObject({ ok: false, position: 3, problem: 'key_not_valid' });
  });

  it('when the old key signs within its positions but after its end time, then verification fails there', async () => {
    const ka = (await published()).keys.find((k) => k.kid === a.kid)!;
    await forge(4, a, { time: new Date(Date.parse(ka.validUntil!) + 86_400_000).toISOString() });
    const result = await verifyLedgerFolder(dir, { jwks: await published() });
    expect(result).toMatchObject({ ok: false, position: 4, problem: 'key_not_valid' });
    expect(result.ok ? '' : result.detail).toContain(`valid until ${ka.validUntil!}`);
  });

  it('when the retired key signs a tree head over entries past its end, then that head counts for nothing', async () => {
    const keys = await KeySet.from(await published());
    // The true head of all 11 entries (signed by B), signed again by A at A's last valid instant.
    const real = parseCheckpointLine((await fileLines(join(dir, CHECKPOINTS_FILE))).at(-1)!);
    expect(real.checkpoint).toMatchObject({ size: 11, kid: b.kid });
    expect(await verifyLedgerFolder(dir, { jwks: keys.jwks, checkpoint: [real] })).toMatchObject({ ok: true, witnessed: 1 });
    const root = Buffer.from(real.checkpoint.root, 'hex');
    const byRetired = await signCheckpoint(11, root, a, new Date(Date.parse(keys.validity(a.kid).validUntil!)));
    const result = await verifyLedgerFolder(dir, { jwks: keys.jwks, checkpoint: [byRetired] });
    expect(result).toMatchObject({ ok: false, problem: 'key_not_valid' });
    expect(result.ok ? '' : result.detail).toContain('tree head of 11 entries is signed by kid');
  });

  it('when a bound in the JWKS is malformed, then the JWKS is refused rather than read as unbounded', async () => {
    const jwks = await published();
    const broken = { keys: jwks.keys.map((k) => (k.kid === a.kid ? { ...k, lastSeq: 'five' } : k)) };
    await expect(KeySet.from(broken)).rejects.toMatchObject({ code: 'PF_LEDGER_JWKS' });
    expect(await verifyLedgerFolder(dir, { jwks: broken as unknown as { keys: Ed25519PublicJwk[] } })).toMatchObject({ ok: false, problem: 'unknown_key' });
  });

  it('when the old key is not at hand at a restart with a new key, then the new key signs the KEY_ROTATION and the old one ends before it', async () => {
    const c = await createMemorySigner();
    const ledger = await FileLedger.open(dir, c, { checkpointEvery: 4, checkpointIntervalMs: 0 });
    expect(ledger.status.keyChange).toBe('unannounced');
    await ledger.appendBatch(events(2, 20));
    await ledger.close();
    const { keys } = await published();
    expect(keys.find((k) => k.kid === b.kid)).toMatchObject({ firstSeq: 6, lastSeq: 10 });
    expect(keys.find((k) => k.kid === c.kid)).toMatchObject({ firstSeq: 11 });
    expect(await verifyLedgerFolder(dir, { jwks: { keys } })).toMatchObject({ ok: true, entries: 14 });
  });

  it('when the clock steps back around a rotation, then the old key still ends after all it signed and the ledger verifies', async () => {
    const other = await tempDir();
    try {
      let t = Date.parse('2026-01-01T00:00:10Z');
      const ledger = await FileLedger.open(other.dir, a, { now: () => new Date(t), checkpointIntervalMs: 0 });
      await ledger.appendBatch(events(2));
      t -= 5_000; // before the rotation: its time is still after the entries A signed
      await ledger.rotateKey(b);
      t -= 5_000; // after it: B's first entries are dated before B's validFrom
      await ledger.appendBatch(events(2, 2));
      await ledger.close();
      const jwks = JSON.parse(await readFile(join(other.dir, JWKS_FILE), 'utf8')) as { keys: Ed25519PublicJwk[] };
      expect(jwks.keys.find((k) => k.kid === a.kid)?.validUntil).toBe('2026-01-01T00:00:10.000Z');
      expect(await verifyLedgerFolder(other.dir, { jwks })).toMatchObject({ ok: true, entries: 5 });
    } finally {
      await other.cleanup();
    }
  });
});
