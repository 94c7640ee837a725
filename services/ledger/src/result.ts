import { join } from 'node:path';
import { KeySet } from './keys.js';
import { JWKS_FILE } from './layout.js';
import type { CheckpointLine } from './checkpoint.js';
import type { Jwks } from './signer/signer.js';

/** What can be wrong at a position. */
export type VerifyProblem =
  | 'changed' // the content at this position is not what was signed (hash, payload or line altered)
  | 'missing' // entries are absent here: seq jumps ahead and the skipped entries appear nowhere later
  | 'reordered' // an entry is out of place: the one that belongs here appears later, or an earlier one appears again
  | 'duplicated' // the previous entry appears again
  | 'broken_chain' // a validly signed entry whose prevHash is not the hash of the entry before it (a fork)
  | 'bad_signature'
  | 'unknown_key' // signed by a kid the JWKS does not hold (or no JWKS at all)
  | 'truncated' // a checkpoint (or a witnessed tree head) covers more entries than there are: the tail was cut
  | 'forked' // the entries a witnessed tree head covers have another root: changed, or the tail replaced
  | 'untrusted_keys' // an evidence file with no trusted keys given, and embedded ones not accepted
  | 'key_not_valid' // signed by a known key outside its validity interval (by the entry's time or position)
  | 'bad_checkpoint' // a checkpoint's signature, form or root is wrong
  | 'bad_proof'; // an evidence entry's inclusion proof does not lead to the checkpoint root

export interface VerifyOk {
  readonly ok: true;
  readonly entries: number;
  readonly checkpoints: number;
  /** An unterminated last line (a write in progress or cut by a crash) was not counted. */
  readonly tornTailIgnored: boolean;
  /** How many signed tree heads given with `checkpoint` were checked (absent when none was given). */
  readonly witnessed?: number;
  /** Present when the keys inside the evidence file were trusted (`trustEmbeddedKeys`). */
  readonly embeddedKeysTrusted?: true;
}

export interface VerifyFailure {
  readonly ok: false;
  /** 0-based position: the seq of the entry that should be there (for a checkpoint, the entries it covers). */
  readonly position: number;
  readonly problem: VerifyProblem;
  readonly detail: string;
  /** Index of the offending line in checkpoints.ndjson, for checkpoint problems. */
  readonly checkpoint?: number;
}

export type VerifyResult = VerifyOk | VerifyFailure;

export interface VerifyOptions {
  /**
   * The JWKS to trust: a file path or a JWKS object. Defaults to the jwks.json inside the folder or evidence file,
   * which proves only that the ledger is consistent with itself: whoever controls the folder can replace that file
   * and re-sign everything with a key of their own. To prove the city wrote it, pass the JWKS the city published.
   */
  readonly jwks?: string | Jwks;
  /**
   * An evidence file carries its own JWKS, and whoever forged the file made that too: without `jwks` it fails
   * (untrusted_keys) unless this is set. A ledger folder still falls back to its jwks.json (see `jwks`).
   */
  readonly trustEmbeddedKeys?: boolean;
  /**
   * Signed tree heads kept outside the ledger (a witness's file, or one saved head): a path, or the heads. The
   * ledger must hold every entry they cover, with their roots; an evidence file's tree head must be one of them.
   */
  readonly checkpoint?: string | readonly CheckpointLine[];
}

export function failure(position: number, problem: VerifyProblem, detail: string, checkpoint?: number): VerifyFailure {
  return checkpoint === undefined ? { ok: false, position, problem, detail } : { ok: false, position, problem, detail, checkpoint };
}

/** The trusted keys: the given JWKS, else `fallback` (the folder's or evidence's own), else a failure. */
export async function trustedKeys(options: VerifyOptions, fallback: { dir: string } | { jwks: unknown }): Promise<KeySet | VerifyFailure> {
  try {
    if (typeof options.jwks === 'string') return await KeySet.fromFile(options.jwks);
    if (options.jwks !== undefined) return await KeySet.from(options.jwks);
    if ('dir' in fallback) return await KeySet.fromFile(join(fallback.dir, JWKS_FILE));
    if (options.trustEmbeddedKeys !== true) {
      return failure(0, 'untrusted_keys', 'untrusted keys: pass --jwks <published JWKS> or --trust-embedded-keys');
    }
    return await KeySet.from(fallback.jwks);
  } catch (err) {
    return failure(0, 'unknown_key', `no usable JWKS: ${(err as Error).message}`);
  }
}
