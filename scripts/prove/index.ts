/**
 * Runs the prover: the space split across worker threads (or in-process), the HTTP edge's claimed-facts check
 * (I6a), and the merged figures.
 */
import { Worker } from 'node:worker_threads';
import { toPolicyInput } from '@firewall/core';
import { legalBasisForPolicy } from '@firewall/http';
import { loadEvaluator, type BundleSource } from './bundle.js';
import { invariants } from './invariants.js';
import { proveSlice, type Counterexample, type SliceOptions, type SliceResult } from './run.js';
import { allClaimedProfiles, factsOf, spaceSpec } from './space.js';
import { deriveVocabulary, type Vocabulary } from './symmetry.js';

export interface ProveOptions {
  readonly reduced: boolean;
  /** 0: decide in this thread (tests); n: n worker threads. */
  readonly workers: number;
  /** Stop each slice at its first violation of this invariant id (tests). */
  readonly stopAt?: string;
}

export interface ProveResult extends SliceResult {
  readonly wallSeconds: number;
  readonly decisionsPerSecond: number;
  readonly revision: string;
  readonly vocabulary: Vocabulary;
  readonly edgeClaimsChecked: number;
  readonly totalViolations: number;
}

/**
 * I6a: the edge keeps only the type of a claimed basis, for every claimed combination of facts and every type — and
 * not even that for a data use agreement, which R20 grants on by its type alone (INTERPRETATIONS 32: it is NONE).
 */
function checkEdge(vocab: Vocabulary, result: SliceResult): number {
  let n = 0;
  for (const cls of vocab.basisTypes) {
    for (const type of cls.members) {
      for (const profile of allClaimedProfiles(vocab.readFacts)) {
        n++;
        const claimed = { type, ...factsOf(profile, 2, ['a', 'b']) };
        const got = JSON.stringify(toPolicyInput({ legalBasis: legalBasisForPolicy(claimed, null) } as never));
        if (got !== JSON.stringify({ legalBasis: { type: type === 'DATA_USE_AGREEMENT' ? 'NONE' : type } })) {
          result.violations.I6a = (result.violations.I6a ?? 0) + 1;
          result.smallest.I6a ??= { complexity: 0, message: `the edge passed claimed facts through: ${got}`, point: { claimed }, decision: { decision: '-', released: [], rules: [] } };
        }
      }
    }
  }
  result.checked.I6a = n;
  return n;
}

function merge(results: SliceResult[]): SliceResult {
  const out: SliceResult = { points: 0, represented: 0, decisions: 0, releasesOnlyWithCredential: 0, checked: {}, violations: {}, smallest: {} };
  for (const r of results) {
    out.points += r.points; out.represented += r.represented; out.decisions += r.decisions; out.releasesOnlyWithCredential += r.releasesOnlyWithCredential;
    for (const [k, v] of Object.entries(r.checked)) out.checked[k] = (out.checked[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.violations)) out.violations[k] = (out.violations[k] ?? 0) + v;
    for (const [k, c] of Object.entries(r.smallest) as [string, Counterexample][]) {
      if (!out.smallest[k] || c.complexity < out.smallest[k].complexity) out.smallest[k] = c;
    }
  }
  return out;
}

export async function prove(source: Pick<BundleSource, 'bundlePath' | 'publicKeyPath'>, options: ProveOptions): Promise<ProveResult> {
  const started = performance.now();
  const evaluator = await loadEvaluator(source);
  const vocabulary = deriveVocabulary(evaluator.bundle);
  const symmetryEvery = options.reduced ? 7 : 23;
  const sliceOptions = (index: number, of: number): SliceOptions => ({ reduced: options.reduced, slice: { index, of }, stopAt: options.stopAt, symmetryEvery });
  let results: SliceResult[];
  if (options.workers <= 0) {
    results = [proveSlice(evaluator, vocabulary, sliceOptions(0, 1))];
  } else {
    results = await Promise.all(Array.from({ length: options.workers }, (_, i) => new Promise<SliceResult>((resolve, reject) => {
      const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { source: { bundlePath: source.bundlePath, publicKeyPath: source.publicKeyPath }, options: sliceOptions(i, options.workers) } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new Error(`prover worker ${i} exited with code ${code}`)); });
    })));
  }
  const merged = merge(results);
  const edgeClaimsChecked = checkEdge(vocabulary, merged);
  const wallSeconds = (performance.now() - started) / 1000;
  void spaceSpec;
  return {
    ...merged, wallSeconds, decisionsPerSecond: merged.decisions / wallSeconds, revision: evaluator.bundle.revision, vocabulary,
    edgeClaimsChecked, totalViolations: Object.values(merged.violations).reduce((a, b) => a + b, 0),
  };
}

export const invariantIds = [...invariants.map((i) => i.id), 'I6a', 'S'];
