import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT, MerkleFrontier, consistencyProof, consistencyProofFrom, inclusionProof, leafHash, merkleRoot, nodeHash, verifyConsistency, verifyInclusion,
} from './merkle.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const leaf = (data: Buffer): Buffer => createHash('sha256').update(Buffer.from([0])).update(data).digest();
const leaves = Array.from({ length: 40 }, (_, i) => leafHash(createHash('sha256').update(`entry ${i}`).digest('hex')));

/** MTH by definition (RFC 6962 §2.1), with no shared code. */
function bruteRoot(ls: readonly Uint8Array[]): Uint8Array {
  if (ls.length === 0) return createHash('sha256').digest();
  if (ls.length === 1) return ls[0] as Uint8Array;
  let k = 1;
  while (k * 2 < ls.length) k *= 2;
  return createHash('sha256').update(Buffer.from([1])).update(bruteRoot(ls.slice(0, k))).update(bruteRoot(ls.slice(k))).digest();
}

function flip(b: Uint8Array): Buffer {
  const c = Buffer.from(b);
  c[0] = (c[0] ?? 0) ^ 1;
  return c;
}

describe('merkle tree (RFC 6962)', () => {
  it('when given the certificate-transparency reference leaves, then the roots match the published vectors', () => {
    const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const ls = data.map((d) => leaf(Buffer.from(d, 'hex')));
    roots.forEach((root, i) => expect(hex(merkleRoot(ls, i + 1))).toBe(root));
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('when a tree of any size up to 40 is built, then merkleRoot and the frontier equal the brute-force root', () => {
    const frontier = new MerkleFrontier();
    for (let n = 0; n <= 40; n++) {
      const expected = hex(bruteRoot(leaves.slice(0, n)));
      expect(hex(merkleRoot(leaves, n))).toBe(expected);
      expect(hex(frontier.root())).toBe(expected);
      expect(hex(new MerkleFrontier(frontier.size, frontier.peaks).root())).toBe(expected);
      if (n < 40) frontier.append(leaves[n] as Uint8Array);
    }
  });

  it('when every leaf of every tree up to 40 is proven, then each proof verifies and any change to it fails', () => {
    for (let n = 1; n <= 40; n++) {
      const root = bruteRoot(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(leaves, i, n);
        const l = leaves[i] as Uint8Array;
        expect(verifyInclusion(l, i, n, proof, root)).toBe(true);
        expect(verifyInclusion(flip(l), i, n, proof, root)).toBe(false);
        expect(verifyInclusion(l, i, n, proof, flip(root))).toBe(false);
        if (n > 1) expect(verifyInclusion(l, (i + 1) % n, n, proof, root)).toBe(false);
        proof.forEach((_, j) => expect(verifyInclusion(l, i, n, proof.map((p, k) => (k === j ? flip(p) : p)), root)).toBe(false));
        expect(verifyInclusion(l, i, n, [...proof, root], root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(l, i, n, proof.slice(1), root)).toBe(false);
      }
    }
  });

  it('when any two sizes 0 < m < n <= 40 are compared, then the consistency proof verifies and any change fails', () => {
    for (let n = 2; n <= 40; n++) {
      const root2 = bruteRoot(leaves.slice(0, n));
      for (let m = 1; m < n; m++) {
        const root1 = bruteRoot(leaves.slice(0, m));
        const proof = consistencyProof(leaves, m, n);
        expect(verifyConsistency(m, n, proof, root1, root2)).toBe(true);
        expect(verifyConsistency(m, n, proof, flip(root1), root2)).toBe(false);
        expect(verifyConsistency(m, n, proof, root1, flip(root2))).toBe(false);
        proof.forEach((_, j) => expect(verifyConsistency(m, n, proof.map((p, k) => (k === j ? flip(p) : p)), root1, root2)).toBe(false));
        if (m + 1 < n) expect(verifyConsistency(m + 1, n, proof, root1, root2)).toBe(false);
        expect(verifyConsistency(m, n, [], root1, root2)).toBe(false);
      }
      expect(verifyConsistency(n, n, [], root2, root2)).toBe(true);
      expect(verifyConsistency(0, n, [], EMPTY_ROOT, root2)).toBe(false);
    }
  });

  it('when a consistency proof is built from the old peaks and the new leaves only, then it equals the one built from every leaf', () => {
    for (let n = 1; n <= 40; n++) {
      for (let m = 1; m <= n; m++) {
        const old = new MerkleFrontier();
        for (const l of leaves.slice(0, m)) old.append(l);
        const proof = consistencyProofFrom(old.peaks, m, leaves.slice(m, n));
        expect(proof.map(hex), `${m} → ${n}`).toEqual(consistencyProof(leaves, m, n).map(hex));
      }
    }
    expect(() => consistencyProofFrom([], 3, leaves)).toThrow(RangeError);
  });

  it('when the two children are swapped, then the node hash differs (order matters)', () => {
    const a = leaves[0] as Uint8Array;
    const b = leaves[1] as Uint8Array;
    expect(hex(nodeHash(a, b))).not.toBe(hex(nodeHash(b, a)));
  });

  it('when a proof is asked outside the tree, then it throws RangeError', () => {
    expect(() => inclusionProof(leaves, 5, 5)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 0, 5)).toThrow(RangeError);
    expect(() => merkleRoot(leaves, 41)).toThrow(RangeError);
    expect(() => new MerkleFrontier(3, [])).toThrow(RangeError);
  });
});
