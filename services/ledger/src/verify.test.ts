import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { signCheckpoint } from './checkpoint.js';
import { ENTRY_TYP, entryHash, parseStoredLine, sealEntry, serializeLine, type LedgerEntry } from './entry.js';
import { FileLedger } from './file-ledger.js';
import { CHECKPOINTS_FILE, JWKS_FILE } from './layout.js';
import { createMemorySigner } from './signer/memory-signer.js';
import type { Signer } from './signer/signer.js';
import { editLines, events, fileLines, firstSegment, tempDir } from './test-support.js';
import { verifyLedgerFolder, verifyPath } from './verify.js';

let dir: string;
let signer: Signer;
let cleanup: () => Promise<void>;

/** 12 entries, checkpoints at 5, 10 and (on close) 12. */
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  signer = await createMemorySigner();
  const ledger = await FileLedger.open(dir, signer, { checkpointEvery: 5, checkpointIntervalMs: 0 });
  for (let i = 0; i < 12; i += 3) await ledger.appendBatch(events(3, i));
  await ledger.close();
});
afterEach(() => cleanup());

const segment = (): string => firstSegment(dir);
const flipChar = (s: string, at: number): string => s.slice(0, at) + (s[at] === 'a' ? 'b' : 'a') + s.slice(at + 1);

describe('verifyLedgerFolder', () => {
  it('when nothing was touched, then it verifies every entry and checkpoint', async () => {
    expect(await verifyLedgerFolder(dir)).toEqual({ ok: true, entries: 12, checkpoints: 3, tornTailIgnored: false });
  });

  it('when one byte of an entry is flipped, then it reports changed at that position', async () => {
    await editLines(segment(), (ls) => ls.map((l, i) => (i === 7 ? flipChar(l, l.indexOf('"eventDigest":"') + 20) : l)));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 7, problem: 'changed' });
  });

  it('when a flipped byte breaks the JSON of a line, then it still reports changed at that position', async () => {
    await editLines(segment(), (ls) => ls.map((l, i) => (i === 2 ? l.replace('{"entry"', '{"entry"}') : l)));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 2, problem: 'changed' });
  });

  it('when an entry is changed and its hash recomputed, then the signature no longer covers it: changed', async () => {
    await editLines(segment(), (ls) =>
      ls.map((l, i) => {
        if (i !== 3) return l;
        const line = parseStoredLine(l);
        const entry = { ...line.entry, summary: { ...line.entry.summary, decision: 'ALLOW' } };
        return serializeLine({ ...line, entry, hash: entryHash(entry) });
      }),
    );
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 3, problem: 'changed' });
  });

  it('when an entry is deleted, then it reports missing at its position', async () => {
    await editLines(segment(), (ls) => ls.filter((_, i) => i !== 4));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 4, problem: 'missing' });
  });

  it('when two entries are swapped, then it reports reordered at the first of them', async () => {
    await editLines(segment(), (ls) => ls.map((l, i) => (i === 3 ? ls[4] : i === 4 ? ls[3] : l) as string));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 3, problem: 'reordered' });
  });

  it('when an entry is repeated, then it reports duplicated at the copy', async () => {
    await editLines(segment(), (ls) => [...ls.slice(0, 7), ls[6] as string, ...ls.slice(7)]);
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 7, problem: 'duplicated' });
  });

  it('when the tail is cut below a checkpoint, then it reports truncated at the first missing position', async () => {
    await editLines(segment(), (ls) => ls.slice(0, 8));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 8, problem: 'truncated', checkpoint: 1 });
  });

  it('when an entry is re-signed with a key outside the JWKS, then it reports unknown_key at that position', async () => {
    const attacker = await createMemorySigner();
    const lines = await fileLines(segment());
    const forged = await sealEntry({ ...parseStoredLine(lines[5] as string).entry, summary: { decision: 'ALLOW' } }, attacker);
    lines[5] = serializeLine(forged);
    await writeFile(segment(), lines.map((l) => l + '\n').join(''));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 5, problem: 'unknown_key' });
  });

  it('when an attacker re-signs everything and replaces jwks.json, then only the published JWKS catches it', async () => {
    const published = { keys: [signer.publicJwk] };
    const attacker = await createMemorySigner();
    const forged: string[] = [];
    let prevHash = '0'.repeat(64);
    for (const l of await fileLines(segment())) {
      const old = parseStoredLine(l).entry;
      const entry: LedgerEntry = { ...old, prevHash, summary: old.seq === 5 ? { decision: 'ALLOW' } : old.summary };
      const line = await sealEntry(entry, attacker);
      forged.push(serializeLine(line));
      prevHash = line.hash;
    }
    await writeFile(segment(), forged.map((l) => l + '\n').join(''));
    await rm(join(dir, CHECKPOINTS_FILE));
    await writeFile(join(dir, JWKS_FILE), JSON.stringify({ keys: [attacker.publicJwk] }));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: true, entries: 12 });
    expect(await verifyLedgerFolder(dir, { jwks: published })).toMatchObject({ ok: false, position: 0, problem: 'unknown_key' });
    const publishedFile = join(dir, '..', `${dir.split('/').at(-1) ?? 'x'}-published-jwks.json`);
    await writeFile(publishedFile, JSON.stringify(published));
    try {
      expect(await verifyLedgerFolder(dir, { jwks: publishedFile })).toMatchObject({ ok: false, position: 0, problem: 'unknown_key' });
    } finally {
      await rm(publishedFile);
    }
  });

  it('when a signature byte is flipped, then it reports bad_signature at that position', async () => {
    await editLines(segment(), (ls) => ls.map((l, i) => (i === 9 ? flipChar(l, l.lastIndexOf('.') + 20) : l)));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 9, problem: 'bad_signature' });
  });

  it('when a checkpoint signature is damaged, then it reports bad_checkpoint at the size it covers', async () => {
    await editLines(join(dir, CHECKPOINTS_FILE), (ls) => ls.map((l, i) => (i === 1 ? flipChar(l, l.lastIndexOf('.') + 20) : l)));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 10, problem: 'bad_checkpoint', checkpoint: 1 });
  });

  it('when a validly signed checkpoint has a root the entries do not give, then it reports bad_checkpoint', async () => {
    const bogus = await signCheckpoint(5, Buffer.alloc(32, 7), signer, new Date());
    await editLines(join(dir, CHECKPOINTS_FILE), (ls) => [...ls, JSON.stringify(bogus)]);
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 5, problem: 'bad_checkpoint', checkpoint: 3 });
  });

  it('when a checkpoint body is signed with the entry typ, then the signature does not count for a checkpoint', async () => {
    const lines = await fileLines(join(dir, CHECKPOINTS_FILE));
    const first = JSON.parse(lines[0] as string) as { checkpoint: unknown };
    const jws = await signer.sign(canonicalJson(first.checkpoint), { typ: ENTRY_TYP });
    lines[0] = JSON.stringify({ ...first, jws });
    await writeFile(join(dir, CHECKPOINTS_FILE), lines.map((l) => l + '\n').join(''));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 5, problem: 'bad_checkpoint', checkpoint: 0 });
  });

  it('when the last line is unterminated, then it is not counted and the rest verifies', async () => {
    await writeFile(segment(), (await fileLines(segment())).map((l) => l + '\n').join('') + '{"entry":');
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: true, entries: 12, tornTailIgnored: true });
  });

  it('when there is no JWKS to trust, then it reports unknown_key at 0', async () => {
    await rm(join(dir, JWKS_FILE));
    expect(await verifyLedgerFolder(dir)).toMatchObject({ ok: false, position: 0, problem: 'unknown_key' });
  });

  it('when a whole middle segment is deleted, then it reports missing at its first seq', async () => {
    const { dir: d, cleanup: c } = await tempDir();
    try {
      const ledger = await FileLedger.open(d, signer, { segmentEntries: 4, checkpointIntervalMs: 0, checkpointEvery: 100 });
      for (let i = 0; i < 12; i += 2) await ledger.appendBatch(events(2, i));
      await ledger.close();
      const segments = (await readdir(d)).filter((n) => n.startsWith('entries-')).sort();
      expect(segments).toHaveLength(3);
      await rm(join(d, segments[1] as string));
      expect(await verifyLedgerFolder(d)).toMatchObject({ ok: false, position: 4, problem: 'missing' });
    } finally {
      await c();
    }
  });

  it('when given a path, then a folder is verified as a ledger and a missing path is an error', async () => {
    expect(await verifyPath(dir)).toMatchObject({ ok: true, entries: 12 });
    await expect(verifyPath(join(dir, 'nope'))).rejects.toMatchObject({ code: 'PF_LEDGER_NOT_FOUND' });
  });
});
