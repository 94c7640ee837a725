import { readFile } from 'node:fs/promises';
import { canonicalJson, isHex64 } from './canonical.js';
import { LedgerError } from './errors.js';
import { checkJws, type KeySet, type SignatureProblem } from './keys.js';
import { verifyConsistency } from './merkle.js';
import type { Signer } from './signer/signer.js';
import { isNotFound, readLines } from './fs-util.js';

/** A signed tree head (RFC 6962 §3.5 / RFC 9162 §4.10 in spirit): the ledger's first `size` entries have `root`. */
export interface CheckpointBody {
  readonly size: number;
  /** Hex Merkle root over the entry hashes of seq 0 … size-1. */
  readonly root: string;
  readonly time: string;
  readonly kid: string;
}

export interface CheckpointLine {
  readonly checkpoint: CheckpointBody;
  /** Compact JWS (EdDSA, kid, typ CHECKPOINT_TYP) whose payload is the canonical JSON of `checkpoint`. */
  readonly jws: string;
  /**
   * Unsigned hint for the writer's restart: the tree's peaks (hex, largest first). Checked against the signed root
   * before use; verifiers ignore it.
   */
  readonly frontier?: readonly string[];
}

export const CHECKPOINT_TYP = 'pf-ledger-checkpoint+jws';

export async function signCheckpoint(
  size: number,
  root: Uint8Array,
  signer: Signer,
  time: Date,
  frontier?: readonly Uint8Array[],
): Promise<CheckpointLine> {
  const checkpoint: CheckpointBody = { size, root: Buffer.from(root).toString('hex'), time: time.toISOString(), kid: signer.kid };
  const jws = await signer.sign(canonicalJson(checkpoint), { typ: CHECKPOINT_TYP });
  return frontier === undefined ? { checkpoint, jws } : { checkpoint, jws, frontier: frontier.map((p) => Buffer.from(p).toString('hex')) };
}

export function serializeCheckpoint(line: CheckpointLine): string {
  return JSON.stringify(line);
}

/** Parses a checkpoints.ndjson line. Throws a TypeError naming what is wrong. */
export function parseCheckpointLine(text: string): CheckpointLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError('checkpoint line is not JSON');
  }
  const v = value as Partial<Record<'checkpoint' | 'jws' | 'frontier', unknown>> | null;
  const body = v?.checkpoint as Partial<Record<keyof CheckpointBody, unknown>> | undefined;
  if (typeof v?.jws !== 'string' || typeof body !== 'object' || body === null) throw new TypeError('checkpoint line lacks checkpoint or jws');
  if (Object.keys(body).some((k) => !['size', 'root', 'time', 'kid'].includes(k))) throw new TypeError('checkpoint has unknown keys');
  if (!Number.isSafeInteger(body.size) || (body.size as number) < 0) throw new TypeError('checkpoint size is not a count');
  if (!isHex64(body.root) || typeof body.time !== 'string' || typeof body.kid !== 'string') throw new TypeError('checkpoint root, time or kid is malformed');
  const frontier = Array.isArray(v.frontier) && v.frontier.every(isHex64) ? (v.frontier as string[]) : undefined;
  const checkpoint: CheckpointBody = { size: body.size as number, root: body.root, time: body.time, kid: body.kid };
  return frontier === undefined ? { checkpoint, jws: v.jws } : { checkpoint, jws: v.jws, frontier };
}

/** Checks a checkpoint's signature, and that the signing kid is the one the body names. */
export async function checkCheckpoint(line: CheckpointLine, keys: KeySet): Promise<SignatureProblem | null> {
  const problem = await checkJws(line.jws, canonicalJson(line.checkpoint), CHECKPOINT_TYP, keys, { size: line.checkpoint.size, time: line.checkpoint.time });
  if (problem !== null) return problem;
  const header = JSON.parse(Buffer.from(line.jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
  return header.kid === line.checkpoint.kid ? null : { problem: 'bad_signature', detail: 'checkpoint kid differs from its signing kid' };
}

export type CheckpointRead = { readonly line: CheckpointLine; readonly offset: number } | { readonly error: string; readonly offset: number };

/** All complete lines of checkpoints.ndjson, parsed or with their parse error; an unterminated last line is skipped. */
export async function readCheckpointFile(path: string): Promise<{ readonly items: CheckpointRead[]; readonly tornTail: boolean }> {
  const items: CheckpointRead[] = [];
  let tornTail = false;
  try {
    for await (const l of readLines(path)) {
      if (!l.terminated) {
        tornTail = true;
        break;
      }
      try {
        items.push({ line: parseCheckpointLine(l.text), offset: l.offset });
      } catch (err) {
        items.push({ error: (err as Error).message, offset: l.offset });
      }
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return { items, tornTail };
}

/**
 * Verifies two signed checkpoints and a consistency proof between them: the later tree extends the earlier one,
 * so nothing in the first `earlier.size` entries was changed, removed or reordered in between.
 */
export async function verifyCheckpointConsistency(
  earlier: CheckpointLine,
  later: CheckpointLine,
  proofHex: readonly string[],
  keys: KeySet,
): Promise<{ ok: true } | { ok: false; detail: string }> {
  for (const cp of [earlier, later]) {
    const problem = await checkCheckpoint(cp, keys);
    if (problem !== null) return { ok: false, detail: `checkpoint of size ${cp.checkpoint.size}: ${problem.problem}: ${problem.detail}` };
  }
  if (!proofHex.every(isHex64)) return { ok: false, detail: 'proof is not a list of hex hashes' };
  const ok = verifyConsistency(
    earlier.checkpoint.size,
    later.checkpoint.size,
    proofHex.map((h) => Buffer.from(h, 'hex')),
    Buffer.from(earlier.checkpoint.root, 'hex'),
    Buffer.from(later.checkpoint.root, 'hex'),
  );
  return ok ? { ok: true } : { ok: false, detail: 'consistency proof does not verify' };
}

/**
 * Signed tree heads kept outside the ledger (a witness's file, or one head saved from GET /v1/audit/checkpoint):
 * one CheckpointLine as JSON (pretty-printed or not), or one per line. Throws a TypeError naming the bad line.
 */
export async function readTreeHeads(path: string): Promise<CheckpointLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LedgerError('PF_LEDGER_NOT_FOUND', 'cannot read the signed tree head file', { cause: err, details: [path] });
  }
  try {
    return [parseCheckpointLine(text)];
  } catch {
    // Not one JSON document: one head per line.
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new LedgerError('PF_LEDGER_CORRUPT', 'the signed tree head file is empty', { details: [path] });
  return lines.map((l, i) => {
    try {
      return parseCheckpointLine(l);
    } catch (err) {
      throw new LedgerError('PF_LEDGER_CORRUPT', `line ${i + 1} of the signed tree head file: ${(err as Error).message}`, { details: [path] });
    }
  });
}
