import { checkCheckpoint, readTreeHeads, type CheckpointLine } from './checkpoint.js';
import type { KeySet } from './keys.js';
import { failure, type VerifyFailure, type VerifyOptions } from './result.js';

/**
 * Signed tree heads kept outside the ledger, checked against it. The ledger's own checkpoints.ndjson travels with
 * the entries (whoever cuts the tail cuts it too); a head a witness holds does not, so a ledger shorter than it, or
 * with another root at its size, was truncated or forked.
 */
export class WitnessedHeads {
  readonly #bySize = new Map<number, CheckpointLine[]>();
  readonly count: number;
  readonly largest: number;
  #lastMatched = 0;

  private constructor(heads: readonly CheckpointLine[]) {
    for (const h of heads) this.#bySize.set(h.checkpoint.size, [...(this.#bySize.get(h.checkpoint.size) ?? []), h]);
    this.count = heads.length;
    this.largest = Math.max(0, ...heads.map((h) => h.checkpoint.size));
  }

  /** The heads of `options.checkpoint`, each signature checked with the trusted keys; null when none was given. */
  static async load(option: VerifyOptions['checkpoint'], keys: KeySet): Promise<WitnessedHeads | VerifyFailure | null> {
    if (option === undefined) return null;
    const heads = typeof option === 'string' ? await readTreeHeads(option) : option;
    for (const [i, head] of heads.entries()) {
      const problem = await checkCheckpoint(head, keys);
      if (problem !== null) {
        const kind = problem.problem === 'unknown_key' || problem.problem === 'key_not_valid' ? problem.problem : 'bad_checkpoint';
        return failure(head.checkpoint.size, kind, `witnessed tree head ${i} (size ${head.checkpoint.size}): ${problem.detail}`);
      }
    }
    return new WitnessedHeads(heads);
  }

  at(size: number): readonly CheckpointLine[] {
    return this.#bySize.get(size) ?? [];
  }

  /** Called with the root of the first `size` entries, for sizes in increasing order. */
  check(size: number, rootHex: string): VerifyFailure | null {
    const heads = this.at(size);
    if (heads.length === 0) return null;
    if (heads.some((h) => h.checkpoint.root !== rootHex)) {
      const from = this.#lastMatched;
      return failure(size, 'forked', `the first ${size} entries do not match the witnessed tree head of ${size} entries: `
        + `${from === 0 ? 'an entry' : `an entry from position ${from} (the witnessed head of ${from} matched)`} up to ${size - 1} was changed or replaced`);
    }
    this.#lastMatched = size;
    return null;
  }

  /** After the walk: the ledger must hold every entry a witnessed head covers. */
  coverage(held: number): VerifyFailure | null {
    if (this.largest <= held) return null;
    const missing = this.largest - held;
    return failure(held, 'truncated', `the ledger holds ${held} entries; the witnessed tree head covers ${this.largest}: `
      + `${missing === 1 ? `entry ${held} is` : `entries ${held}–${this.largest - 1} are`} missing`);
  }
}
