import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCheckpoint, parseCheckpointLine, readCheckpointFile, type CheckpointLine } from './checkpoint.js';
import { checkStoredLine, entryHash, parseStoredLine, type StoredLine } from './entry.js';
import { LedgerError } from './errors.js';
import { isHex64 } from './canonical.js';
import { KeySet } from './keys.js';
import { CHECKPOINTS_FILE, JWKS_FILE, ledgerLines } from './layout.js';
import { consistencyProof, inclusionProof, leafHash, merkleRoot, verifyInclusion } from './merkle.js';
import { WitnessedHeads } from './witnessed.js';
import { failure, trustedKeys, type VerifyOptions, type VerifyResult } from './result.js';
import type { Jwks } from './signer/signer.js';

export const EVIDENCE_FORMAT = 'pf-ledger-evidence/1';

/** One file a court can check with nothing else: a request's entries, their proofs, the signed tree head, the keys. */
export interface Evidence {
  readonly format: typeof EVIDENCE_FORMAT;
  readonly requestId: string;
  readonly createdAt: string;
  readonly checkpoint: Pick<CheckpointLine, 'checkpoint' | 'jws'>;
  /** Each entry with its RFC 9162 inclusion proof (hex, leaf-most first) against `checkpoint`. */
  readonly entries: readonly (StoredLine & { readonly proof: readonly string[] })[];
  readonly jwks: Jwks;
  /** Entries of this request written after the checkpoint: not in this file, not yet provable. */
  readonly entriesAfterCheckpoint: number;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Leaf hashes of the first `size` entries (hashes recomputed, not trusted), visiting each line. */
async function readLeaves(dir: string, size: number, visit?: (line: StoredLine) => void): Promise<Buffer[]> {
  const leaves: Buffer[] = [];
  for await (const l of ledgerLines(dir)) {
    if (!l.terminated) break;
    const line = parseStoredLine(l.text);
    if (line.entry.seq !== leaves.length && leaves.length < size) {
      throw new LedgerError('PF_LEDGER_CORRUPT', 'ledger is not in order; run verify', { details: [`position ${leaves.length}`] });
    }
    visit?.(line);
    if (leaves.length < size) leaves.push(leafHash(entryHash(line.entry)));
  }
  if (leaves.length < size) throw new LedgerError('PF_LEDGER_CORRUPT', 'a checkpoint covers more entries than there are; run verify');
  return leaves;
}

async function checkpointsOf(dir: string): Promise<CheckpointLine[]> {
  const { items } = await readCheckpointFile(join(dir, CHECKPOINTS_FILE));
  return items.flatMap((i) => ('line' in i ? [i.line] : []));
}

/**
 * Builds the evidence file content (JSON text) for one request, against the newest checkpoint. Throws
 * PF_LEDGER_NOT_FOUND when there is no checkpoint or the checkpoint covers no entry of the request.
 */
export async function buildEvidence(dir: string, requestId: string, options: { jwks?: Jwks; now?: Date } = {}): Promise<string> {
  const cp = (await checkpointsOf(dir)).at(-1);
  if (cp === undefined) throw new LedgerError('PF_LEDGER_NOT_FOUND', 'the ledger has no checkpoint yet');
  const size = cp.checkpoint.size;
  const mine: StoredLine[] = [];
  let after = 0;
  const leaves = await readLeaves(dir, size, (line) => {
    if (line.entry.requestId !== requestId) return;
    if (line.entry.seq < size) mine.push(line);
    else after += 1;
  });
  if (hex(merkleRoot(leaves, size)) !== cp.checkpoint.root) {
    throw new LedgerError('PF_LEDGER_CORRUPT', 'entries do not match the newest checkpoint; run verify');
  }
  if (mine.length === 0) throw new LedgerError('PF_LEDGER_NOT_FOUND', 'no checkpointed entry for that request');
  const jwks = options.jwks ?? (await KeySet.fromFile(join(dir, JWKS_FILE))).jwks;
  const evidence: Evidence = {
    format: EVIDENCE_FORMAT,
    requestId,
    createdAt: (options.now ?? new Date()).toISOString(),
    checkpoint: { checkpoint: cp.checkpoint, jws: cp.jws },
    entries: mine.map((line) => ({ ...line, proof: inclusionProof(leaves, line.entry.seq, size).map(hex) })),
    jwks,
    entriesAfterCheckpoint: after,
  };
  return JSON.stringify(evidence, null, 2) + '\n';
}

/** Consistency proof between the folder's checkpoints of sizes `from` < `to` (verify with verifyCheckpointConsistency). */
export async function buildConsistencyProof(
  dir: string,
  from: number,
  to: number,
): Promise<{ from: CheckpointLine; to: CheckpointLine; proof: string[] }> {
  const cps = await checkpointsOf(dir);
  const a = cps.find((c) => c.checkpoint.size === from);
  const b = cps.find((c) => c.checkpoint.size === to);
  if (a === undefined || b === undefined) throw new LedgerError('PF_LEDGER_NOT_FOUND', 'no checkpoint of that size');
  const leaves = await readLeaves(dir, to);
  return { from: a, to: b, proof: consistencyProof(leaves, from, to).map(hex) };
}

/** Verifies an evidence file offline (see verifyEvidenceContent). */
export async function verifyEvidence(file: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new LedgerError('PF_LEDGER_NOT_FOUND', 'cannot read the evidence file', { cause: err, details: [file] });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return failure(0, 'changed', 'evidence file is not JSON');
  }
  return verifyEvidenceContent(value, options);
}

/**
 * Checks the checkpoint's signature, then for each entry: hash, signature, key, request, order, and its inclusion
 * proof to the checkpoint root. Proves that these entries are in the signed ledger unchanged; it cannot prove that
 * no other entry about the request exists. With `checkpoint` (the heads a witness holds) the file's tree head must
 * be one of them: the entries are then in the tree the witness saw, not in a tree made up for the file.
 */
export async function verifyEvidenceContent(value: unknown, options: VerifyOptions = {}): Promise<VerifyResult> {
  const ev = value as Partial<Record<keyof Evidence, unknown>> | null;
  if (ev?.format !== EVIDENCE_FORMAT || typeof ev.requestId !== 'string' || !Array.isArray(ev.entries)) {
    return failure(0, 'changed', 'not an evidence file of this format');
  }
  const keys = await trustedKeys(options, { jwks: ev.jwks });
  if (!('has' in keys)) return keys;
  let cp: CheckpointLine;
  try {
    cp = parseCheckpointLine(JSON.stringify(ev.checkpoint));
  } catch (err) {
    return failure(0, 'bad_checkpoint', (err as Error).message);
  }
  const { size } = cp.checkpoint;
  const cpProblem = await checkCheckpoint(cp, keys);
  if (cpProblem !== null) return failure(size, cpProblem.problem === 'unknown_key' || cpProblem.problem === 'key_not_valid' ? cpProblem.problem : 'bad_checkpoint', cpProblem.detail);
  const witnessed = await WitnessedHeads.load(options.checkpoint, keys);
  if (witnessed !== null && !(witnessed instanceof WitnessedHeads)) return witnessed;
  const heads = witnessed?.at(size);
  if (heads?.length === 0) {
    return failure(size, 'bad_checkpoint', `the evidence's tree head covers ${size} entries; no witnessed tree head has that size, so inclusion in the witnessed tree is not proven`);
  }
  if (heads?.some((h) => h.checkpoint.root !== cp.checkpoint.root)) {
    return failure(size, 'forked', `the evidence's tree head of ${size} entries has another root than the witnessed one: a forked ledger`);
  }
  const root = Buffer.from(cp.checkpoint.root, 'hex');
  let previous = -1;
  for (const [i, item] of (ev.entries as unknown[]).entries()) {
    const it = item as { entry?: unknown; hash?: unknown; jws?: unknown; proof?: unknown } | null;
    let line: StoredLine;
    try {
      line = parseStoredLine(JSON.stringify({ entry: it?.entry, hash: it?.hash, jws: it?.jws }));
    } catch (err) {
      return failure(previous + 1, 'changed', `evidence entry ${i}: ${(err as Error).message}`);
    }
    const { seq } = line.entry;
    const problem = await checkStoredLine(line, keys);
    if (problem !== null) return failure(seq, problem.problem === 'malformed' ? 'bad_signature' : problem.problem, problem.detail);
    if (line.entry.requestId !== ev.requestId) return failure(seq, 'changed', 'entry belongs to another request');
    if (seq <= previous) return failure(seq, seq === previous ? 'duplicated' : 'reordered', `entry ${seq} after entry ${previous}`);
    const proof = Array.isArray(it?.proof) && it.proof.every(isHex64) ? it.proof.map((h) => Buffer.from(h, 'hex')) : undefined;
    if (proof === undefined || !verifyInclusion(leafHash(line.hash), seq, size, proof, root)) {
      return failure(seq, 'bad_proof', `entry ${seq} is not proven to be in the tree of ${size} entries`);
    }
    previous = seq;
  }
  return {
    ok: true, entries: ev.entries.length, checkpoints: 1, tornTailIgnored: false,
    ...(witnessed === null ? {} : { witnessed: witnessed.count }), ...(options.jwks === undefined ? { embeddedKeysTrusted: true as const } : {}),
  };
}
