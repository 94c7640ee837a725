import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCheckpoint, readCheckpointFile, type CheckpointRead } from './checkpoint.js';
import { checkStoredLine, GENESIS_HASH, parseStoredLine, type StoredLine } from './entry.js';
import { LedgerError } from './errors.js';
import { verifyEvidence } from './evidence.js';
import type { KeySet, SignatureProblem } from './keys.js';
import { CHECKPOINTS_FILE, ledgerLines, type LedgerLine } from './layout.js';
import { leafHash, MerkleFrontier } from './merkle.js';
import { WitnessedHeads } from './witnessed.js';
import { failure, trustedKeys, type VerifyFailure, type VerifyOptions, type VerifyResult } from './result.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Checks every checkpoint whose size is `size`, against the root of the first `size` entries. */
async function checkCheckpointsAt(
  bySize: Map<number, { index: number; read: CheckpointRead }[]>,
  size: number,
  root: Uint8Array,
  keys: KeySet,
): Promise<VerifyFailure | null> {
  for (const { index, read } of bySize.get(size) ?? []) {
    if (!('line' in read)) continue;
    const problem = await checkCheckpoint(read.line, keys);
    if (problem !== null) {
      const kind = problem.problem === 'unknown_key' || problem.problem === 'key_not_valid' ? problem.problem : 'bad_checkpoint';
      return failure(size, kind, `checkpoint ${index}: ${problem.detail}`, index);
    }
    if (read.line.checkpoint.root !== Buffer.from(root).toString('hex')) {
      return failure(size, 'bad_checkpoint', `checkpoint ${index}: root differs from the root of the first ${size} entries`, index);
    }
  }
  return null;
}

interface Checked {
  readonly raw: LedgerLine;
  readonly line: StoredLine | Error;
  /** Started ahead of use, so signature checks run in parallel while the chain is walked in order. */
  readonly check: Promise<SignatureProblem | null>;
}

/** Lines in order, each parsed and with its hash and signature check already running, `window` lines ahead. */
async function* prefetch(lines: AsyncIterable<LedgerLine>, keys: KeySet, window = 128): AsyncGenerator<Checked> {
  const ahead: Checked[] = [];
  const start = (raw: LedgerLine): Checked => {
    let line: StoredLine | Error;
    try {
      line = parseStoredLine(raw.text);
    } catch (err) {
      line = err as Error;
    }
    const check = line instanceof Error || !raw.terminated
      ? Promise.resolve(null)
      : checkStoredLine(line, keys).catch((err: unknown) => ({ problem: 'bad_signature' as const, detail: String(err) }));
    return { raw, line, check };
  };
  for await (const raw of lines) {
    ahead.push(start(raw));
    if (ahead.length >= window) yield ahead.shift() as Checked;
  }
  yield* ahead;
}

/** Decides between missing and reordered once seq `seq` turned up where `position` belongs. */
async function classifyOutOfPlace(
  position: number,
  line: StoredLine,
  prevHash: string,
  rest: AsyncIterable<Checked>,
): Promise<VerifyFailure> {
  const seq = line.entry.seq;
  if (seq < position) {
    return seq === position - 1 && line.hash === prevHash
      ? failure(position, 'duplicated', `entry ${seq} appears again`)
      : failure(position, 'reordered', `entry ${seq} appears again at position ${position}`);
  }
  for await (const later of rest) {
    if (!(later.line instanceof Error) && later.line.entry.seq === position) {
      return failure(position, 'reordered', `entry ${seq} is at position ${position}; entry ${position} comes later`);
    }
  }
  const gap = seq - position;
  return failure(position, 'missing', `expected entry ${position}, found ${seq}: ${gap} entr${gap === 1 ? 'y' : 'ies'} missing`);
}

/**
 * Verifies a ledger folder offline: each entry's hash, signature and key; the chain (seq and prevHash) from the
 * genesis; every checkpoint's signature and root; and that no checkpoint covers more entries than there are.
 * Returns the first bad position. Entries deleted after the last checkpoint cannot be detected from the folder
 * alone: pass the heads a witness holds (`checkpoint`), and a ledger shorter than them, or forked, fails.
 */
export async function verifyLedgerFolder(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) throw new LedgerError('PF_LEDGER_NOT_FOUND', 'no ledger folder there', { details: [dir] });
  const keys = await trustedKeys(options, { dir });
  if (!('has' in keys)) return keys;
  const witnessed = await WitnessedHeads.load(options.checkpoint, keys);
  if (witnessed !== null && !(witnessed instanceof WitnessedHeads)) return witnessed;
  const { items } = await readCheckpointFile(join(dir, CHECKPOINTS_FILE));
  const bySize = new Map<number, { index: number; read: CheckpointRead }[]>();
  for (const [index, read] of items.entries()) {
    const size = 'line' in read ? read.line.checkpoint.size : -1;
    bySize.set(size, [...(bySize.get(size) ?? []), { index, read }]);
  }
  const frontier = new MerkleFrontier();
  let prevHash = GENESIS_HASH;
  let tornTailIgnored = false;
  const lines = prefetch(ledgerLines(dir), keys);
  for await (const { raw, line, check } of lines) {
    const position = frontier.size;
    if (!raw.terminated && raw.inLastSegment) {
      tornTailIgnored = true;
      break;
    }
    const cpProblem = (await checkCheckpointsAt(bySize, position, frontier.root(), keys)) ?? witnessed?.check(position, hex(frontier.root()));
    if (cpProblem) return cpProblem;
    if (line instanceof Error) return failure(position, 'changed', `line is not an entry: ${line.message}`);
    const problem = await check;
    if (problem !== null) return failure(position, problem.problem === 'malformed' ? 'bad_signature' : problem.problem, problem.detail);
    if (line.entry.seq !== position) return classifyOutOfPlace(position, line, prevHash, lines);
    if (line.entry.prevHash !== prevHash) return failure(position, 'broken_chain', 'prevHash is not the hash of the entry before');
    frontier.append(leafHash(line.hash));
    prevHash = line.hash;
  }
  const cpProblem = (await checkCheckpointsAt(bySize, frontier.size, frontier.root(), keys))
    ?? witnessed?.check(frontier.size, hex(frontier.root())) ?? witnessed?.coverage(frontier.size);
  if (cpProblem) return cpProblem;
  for (const [index, read] of items.entries()) {
    if (!('line' in read)) return failure(frontier.size, 'bad_checkpoint', `checkpoint ${index}: ${read.error}`, index);
    if (read.line.checkpoint.size > frontier.size) {
      return failure(frontier.size, 'truncated', `checkpoint ${index} covers ${read.line.checkpoint.size} entries; the folder holds ${frontier.size}`, index);
    }
  }
  const ok = { ok: true, entries: frontier.size, checkpoints: items.length, tornTailIgnored } as const;
  return witnessed === null ? ok : { ...ok, witnessed: witnessed.count };
}

/** `verify <ledger folder | evidence file>`: a folder is verified as a ledger, a file as an evidence package. */
export async function verifyPath(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new LedgerError('PF_LEDGER_NOT_FOUND', 'nothing to verify there', { details: [path] });
  return info.isDirectory() ? verifyLedgerFolder(path, options) : verifyEvidence(path, options);
}
