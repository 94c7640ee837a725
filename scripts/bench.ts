/**
 * `npm run bench`: throughput figures printed, never asserted. Uses the real shipped bundle, signed and
 * verified exactly as the embedded mode does, and the visible conformance scenarios as the request mix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, parseRecordRequest, toPolicyInput, type RecordRequest } from '@firewall/core';
import { PolicyEvaluator, decide, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { loadScenarios } from '../services/cli/src/conformance.js';

const scenarioDir = process.env.SCENARIOS ?? join(import.meta.dirname, '..', 'test', 'fixtures', 'conformance');
const seconds = Number(process.env.BENCH_SECONDS ?? 3);

function rate(label: string, fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
  }
  const perSecond = n / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(52)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} /s`);
  return perSecond;
}

const dataDir = mkdtempSync(join(tmpdir(), 'pf-bench-'));
try {
  const prepared = await prepareEmbeddedBundle(dataDir);
  const bundle = await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath));
  const evaluator = await PolicyEvaluator.load(bundle);
  const catalog = loadCatalog();
  const requests: RecordRequest[] = loadScenarios([scenarioDir]).map(({ scenario }, i) =>
    parseRecordRequest({ ...scenario.request, requestId: `bench-${i}` }, catalog));
  const inputs = requests.map(toPolicyInput);
  console.log(`policy bundle revision ${bundle.revision}; ${requests.length} scenario requests in rotation; ${seconds}s per figure`);
  let i = 0;
  const raw = rate('policy evaluations (wasm, in-process)', () => void evaluator.evaluate(inputs[i++ % inputs.length]!));
  const full = rate('decisions (validate + evaluate + decision message)', () => {
    const r = requests[i++ % requests.length]!;
    decide(evaluator, parseRecordRequest(r, catalog));
  });
  console.log(`ratio decision path / raw evaluation: ${(full / raw).toFixed(2)}`);
  const started = performance.now();
  await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)).then(PolicyEvaluator.load);
  console.log(`bundle verify + wasm load: ${(performance.now() - started).toFixed(1)} ms`);
  const ledgerBench = await import('@firewall/ledger').then((m) => (m as { benchLedger?: (n: number) => Promise<{ appendPerSec: number; verifyPerSec: number }> }).benchLedger);
  if (ledgerBench) {
    const figures = await ledgerBench(Number(process.env.BENCH_LEDGER_ENTRIES ?? 5000));
    console.log(`${'ledger entries chained + signed + fsynced'.padEnd(52)} ${Math.round(figures.appendPerSec).toLocaleString('en-US').padStart(12)} /s`);
    console.log(`${'ledger entries verified'.padEnd(52)} ${Math.round(figures.verifyPerSec).toLocaleString('en-US').padStart(12)} /s`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
