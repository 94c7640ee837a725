import { createHash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree over entry hashes. Leaves are the 32 bytes of an entry's hash:
 * leaf = SHA-256(0x00 || entryHash), node = SHA-256(0x01 || left || right), empty tree = SHA-256("").
 */

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export function leafHash(entryHashHex: string): Buffer {
  return createHash('sha256').update(LEAF).update(Buffer.from(entryHashHex, 'hex')).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** Largest power of two strictly less than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) by the RFC's recursion. */
function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo] as Uint8Array;
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** Root of the tree of the first `size` leaves (leaf hashes, not entry hashes). */
export function merkleRoot(leaves: readonly Uint8Array[], size = leaves.length): Uint8Array {
  checkSize(size, leaves.length);
  return subtreeRoot(leaves, 0, size);
}

/** RFC 6962 §2.1.1 PATH(index, D[0:size]): the audit path, leaf-most sibling first. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number, size = leaves.length): Uint8Array[] {
  checkSize(size, leaves.length);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError('index outside the tree');
  const path: Uint8Array[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(subtreeRoot(leaves, lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(subtreeRoot(leaves, lo, lo + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) for 0 < m <= n. */
export function consistencyProof(leaves: readonly Uint8Array[], m: number, n = leaves.length): Uint8Array[] {
  checkSize(n, leaves.length);
  if (!Number.isSafeInteger(m) || m < 1 || m > n) throw new RangeError('need 0 < m <= n');
  return consistencyPath(m, n, (lo, hi) => subtreeRoot(leaves, lo, hi));
}

/**
 * PROOF(m, D[0:n]) from the old tree's peaks (MerkleFrontier.peaks at size m) and the leaves m … n-1 only: the
 * proof's nodes left of m are always whole peaks of the old tree, so a writer need not keep older leaves.
 */
export function consistencyProofFrom(peaks: readonly Uint8Array[], m: number, newer: readonly Uint8Array[]): Uint8Array[] {
  if (!Number.isSafeInteger(m) || m < 1) throw new RangeError('need 0 < m');
  if (peaks.length !== popcount(m)) throw new RangeError('peaks do not match the tree size');
  const byRange = new Map<string, Uint8Array>();
  let lo = 0;
  let i = 0;
  for (let bit = 2 ** Math.floor(Math.log2(m)); bit >= 1; bit /= 2) {
    if (Math.floor(m / bit) % 2 === 0) continue;
    byRange.set(`${lo}:${lo + bit}`, peaks[i++] as Uint8Array);
    lo += bit;
  }
  return consistencyPath(m, m + newer.length, (from, to) => {
    if (from >= m) return subtreeRoot(newer, from - m, to - m);
    const peak = byRange.get(`${from}:${to}`);
    if (peak === undefined) throw new RangeError('the proof needs a node that is not a peak of the old tree');
    return peak;
  });
}

function consistencyPath(m: number, n: number, root: (lo: number, hi: number) => Uint8Array): Uint8Array[] {
  const proof: Uint8Array[] = [];
  const sub = (mm: number, lo: number, hi: number, complete: boolean): void => {
    const size = hi - lo;
    if (mm === size) {
      if (!complete) proof.push(root(lo, hi));
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      sub(mm, lo, lo + k, complete);
      proof.push(root(lo + k, hi));
    } else {
      sub(mm - k, lo + k, hi, false);
      proof.push(root(lo, lo + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

function checkSize(size: number, available: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > available) throw new RangeError('tree size outside the leaves');
}

const isOdd = (x: bigint): boolean => (x & 1n) === 1n;

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** RFC 9162 §2.1.3.2: verifies an inclusion proof for the leaf hash at `index` in a tree of `size` with `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of size `second` with root `secondRoot` extends the tree of size
 * `first` with `firstRoot`. Equal sizes need an empty proof and equal roots; first = 0 is not a proof.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while (isOdd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(fr, firstRoot) && equal(sr, secondRoot);
}

function isPowerOfTwo(x: number): boolean {
  const b = BigInt(x);
  return b > 0n && (b & (b - 1n)) === 0n;
}

/**
 * The compact state of a growing tree: one root per perfect subtree ("peaks", largest first), enough to append a
 * leaf and compute the root in O(log n) without keeping the leaves.
 */
export class MerkleFrontier {
  #size: number;
  readonly #peaks: Uint8Array[];

  constructor(size = 0, peaks: readonly Uint8Array[] = []) {
    if (peaks.length !== popcount(size)) throw new RangeError('peaks do not match the tree size');
    this.#size = size;
    this.#peaks = [...peaks];
  }

  get size(): number {
    return this.#size;
  }

  get peaks(): readonly Uint8Array[] {
    return this.#peaks;
  }

  append(leaf: Uint8Array): void {
    let node: Uint8Array = leaf;
    // Each trailing 1 bit of the old size is a peak of equal height that the new node merges with.
    for (let s = this.#size; s % 2 === 1; s = Math.floor(s / 2)) node = nodeHash(this.#peaks.pop() as Uint8Array, node);
    this.#peaks.push(node);
    this.#size += 1;
  }

  root(): Uint8Array {
    if (this.#peaks.length === 0) return EMPTY_ROOT;
    let acc = this.#peaks[this.#peaks.length - 1] as Uint8Array;
    for (let i = this.#peaks.length - 2; i >= 0; i--) acc = nodeHash(this.#peaks[i] as Uint8Array, acc);
    return acc;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.#size, this.#peaks);
  }
}

function popcount(n: number): number {
  let count = 0;
  for (let x = BigInt(n); x > 0n; x >>= 1n) count += Number(x & 1n);
  return count;
}
