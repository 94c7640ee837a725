import { open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCheckpoint, readCheckpointFile, type CheckpointLine } from './checkpoint.js';
import { checkStoredLine, entryHash, GENESIS_HASH, parseStoredLine, type StoredLine } from './entry.js';
import { LedgerError } from './errors.js';
import { appendDurably, readLines, type FileLine } from './fs-util.js';
import { jwsKid, type KeySet } from './keys.js';
import { CHECKPOINTS_FILE, listSegments, type Segment } from './layout.js';
import { leafHash, MerkleFrontier } from './merkle.js';

export type TailRepair = 'none' | 'truncated_torn_line' | 'completed_torn_line';

/** What open() found on disk and what it did about it. */
export interface RecoveredState {
  readonly size: number;
  readonly headHash: string;
  readonly head: StoredLine | undefined;
  /** The kid the next entry should be signed with, by the chain (a KEY_ROTATION names its successor). */
  readonly currentKid: string | undefined;
  readonly segment: Segment | undefined;
  readonly frontier: MerkleFrontier;
  readonly frontierSource: 'empty' | 'checkpoint' | 'scan';
  readonly lastCheckpoint: CheckpointLine | undefined;
  readonly repair: TailRepair;
  readonly bytesRemoved: number;
  readonly checkpointBytesRemoved: number;
}

async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

function corrupt(message: string, position: number, cause?: unknown): LedgerError {
  return new LedgerError('PF_LEDGER_CORRUPT', message, { cause, details: [`position ${position}`, 'run verify on the folder'] });
}

interface Tail {
  lines: StoredLine[];
  repair: TailRepair;
  bytesRemoved: number;
}

/**
 * Reads the last non-empty segment, repairs a torn last line, and checks hashes and chain inside it and the
 * signature of its last entry (checking every signature would make opening as slow as verifying).
 */
async function readTail(segments: readonly Segment[], keys: KeySet): Promise<Tail> {
  let repair: TailRepair = 'none';
  let bytesRemoved = 0;
  for (let s = segments.length - 1; s >= 0; s--) {
    const segment = segments[s] as Segment;
    const raw: FileLine[] = [];
    for await (const l of readLines(segment.path)) raw.push(l);
    const lines: StoredLine[] = [];
    for (const [i, l] of raw.entries()) {
      const position = segment.firstSeq + i;
      const isLast = s === segments.length - 1 && i === raw.length - 1;
      let line: StoredLine | undefined;
      let problem: string | undefined;
      try {
        line = parseStoredLine(l.text);
        const prev = lines[lines.length - 1];
        if (line.entry.seq !== position) problem = `seq ${line.entry.seq} where ${position} belongs`;
        else if (prev !== undefined && line.entry.prevHash !== prev.hash) problem = 'prevHash does not chain';
        else if (entryHash(line.entry) !== line.hash) problem = 'hash does not match the entry';
      } catch (err) {
        problem = (err as Error).message;
      }
      if (problem === undefined && line !== undefined) {
        lines.push(line);
        // A whole, valid entry whose newline did not reach the disk: kept, and its line finished below.
        if (isLast && !l.terminated) repair = 'completed_torn_line';
        continue;
      }
      if (!isLast) throw corrupt(`segment line is bad: ${problem ?? 'unknown'}`, position);
      // The last line is not a complete valid entry: a write cut short by a crash. It was never acknowledged.
      await truncate(segment.path, l.offset);
      await syncFile(segment.path);
      repair = 'truncated_torn_line';
      bytesRemoved = l.length + (l.terminated ? 1 : 0);
    }
    const head = lines[lines.length - 1];
    if (head !== undefined) {
      const problem = await checkStoredLine(head, keys);
      if (problem !== null) throw corrupt(`head entry: ${problem.problem}: ${problem.detail}`, head.entry.seq);
      if (repair === 'completed_torn_line') {
        const fh = await open(segment.path, 'a');
        await appendDurably(fh, '\n').finally(() => fh.close());
      }
      return { lines, repair, bytesRemoved };
    }
  }
  return { lines: [], repair, bytesRemoved };
}

/** Frontier at the head: from the last checkpoint's peaks plus the tail, or by reading every segment. */
async function rebuildFrontier(
  segments: readonly Segment[],
  tail: readonly StoredLine[],
  checkpoint: CheckpointLine | undefined,
  size: number,
): Promise<{ frontier: MerkleFrontier; source: RecoveredState['frontierSource'] }> {
  if (size === 0) return { frontier: new MerkleFrontier(), source: 'empty' };
  const firstTailSeq = tail[0]?.entry.seq ?? size;
  if (checkpoint?.frontier !== undefined && checkpoint.checkpoint.size >= firstTailSeq) {
    try {
      const frontier = new MerkleFrontier(checkpoint.checkpoint.size, checkpoint.frontier.map((h) => Buffer.from(h, 'hex')));
      if (Buffer.from(frontier.root()).toString('hex') === checkpoint.checkpoint.root) {
        for (const line of tail) if (line.entry.seq >= frontier.size) frontier.append(leafHash(line.hash));
        return { frontier, source: 'checkpoint' };
      }
    } catch {
      // peaks that do not fit the size: fall back to reading everything
    }
  }
  const frontier = new MerkleFrontier();
  for (const segment of segments) {
    for await (const l of readLines(segment.path)) {
      if (frontier.size === size) break;
      let line: StoredLine;
      try {
        line = parseStoredLine(l.text);
      } catch (err) {
        throw corrupt('segment line is not an entry', frontier.size, err);
      }
      if (line.entry.seq !== frontier.size) throw corrupt(`seq ${line.entry.seq} where ${frontier.size} belongs`, frontier.size);
      if (checkpoint !== undefined && frontier.size === checkpoint.checkpoint.size && Buffer.from(frontier.root()).toString('hex') !== checkpoint.checkpoint.root) {
        throw corrupt('entries do not match the last checkpoint root', frontier.size);
      }
      frontier.append(leafHash(line.hash));
    }
  }
  if (frontier.size !== size) throw corrupt('segments hold fewer entries than the head says', frontier.size);
  return { frontier, source: 'scan' };
}

/** The last well-formed checkpoint; repairs a torn last line of checkpoints.ndjson. */
async function lastCheckpoint(dir: string, keys: KeySet): Promise<{ line: CheckpointLine | undefined; bytesRemoved: number }> {
  const path = join(dir, CHECKPOINTS_FILE);
  const { items, tornTail } = await readCheckpointFile(path);
  let bytesRemoved = 0;
  let end = items.length;
  const lastItem = items[items.length - 1];
  if (tornTail || (lastItem !== undefined && 'error' in lastItem)) {
    // Cut everything after the last parsed line: a torn write, never acknowledged.
    const keep = lastItem !== undefined && 'error' in lastItem ? lastItem.offset : undefined;
    const cut = keep ?? (await fileEndOfLines(path));
    const { size } = await stat(path);
    await truncate(path, cut);
    await syncFile(path);
    bytesRemoved = size - cut;
    if (keep !== undefined) end -= 1;
  }
  for (let i = end - 1; i >= 0; i--) {
    const item = items[i];
    if (item !== undefined && 'line' in item) {
      const problem = await checkCheckpoint(item.line, keys);
      if (problem !== null) throw corrupt(`last checkpoint: ${problem.problem}: ${problem.detail}`, item.line.checkpoint.size);
      return { line: item.line, bytesRemoved };
    }
  }
  return { line: undefined, bytesRemoved };
}

async function fileEndOfLines(path: string): Promise<number> {
  let end = 0;
  for await (const l of readLines(path)) if (l.terminated) end = l.offset + l.length + 1;
  return end;
}

/** Recovers the head of the ledger in `dir`, checking and if needed repairing the tail (see RecoveredState). */
export async function recover(dir: string, keys: KeySet): Promise<RecoveredState> {
  const segments = await listSegments(dir);
  const tail = await readTail(segments, keys);
  const head = tail.lines[tail.lines.length - 1];
  const size = head === undefined ? 0 : head.entry.seq + 1;
  const cp = await lastCheckpoint(dir, keys);
  if (cp.line !== undefined && cp.line.checkpoint.size > size) {
    throw corrupt(`truncated: a checkpoint covers ${cp.line.checkpoint.size} entries, the folder holds ${size}`, size);
  }
  const { frontier, source } = await rebuildFrontier(segments, tail.lines, cp.line, size);
  const currentKid = head === undefined ? undefined : head.entry.type === 'KEY_ROTATION' ? head.entry.summary.newKid : jwsKid(head.jws);
  return {
    size,
    headHash: head?.hash ?? GENESIS_HASH,
    head,
    currentKid,
    segment: segments[segments.length - 1],
    frontier,
    frontierSource: source,
    lastCheckpoint: cp.line,
    repair: tail.repair,
    bytesRemoved: tail.bytesRemoved,
    checkpointBytesRemoved: cp.bytesRemoved,
  };
}
