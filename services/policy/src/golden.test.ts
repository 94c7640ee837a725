/**
 * The Rego–TypeScript contract: the golden cases that policies/firewall/decision_test.rego runs in Rego run
 * here again through the compiled, signature-checked wasm bundle and decide(), the services' own path.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ValidationError, loadCatalog, parseRecordRequest, policiesDir } from '@firewall/core';
import { loadSignedBundle } from './bundle.js';
import { loadBundlePublicKey } from './keys.js';
import { decide } from './decide.js';
import { prepareEmbeddedBundle } from './embedded-bundle.js';
import { PolicyEvaluator } from './evaluator.js';

interface GoldenCase {
  name: string;
  input: Record<string, unknown>;
  expect: { decision: string; released?: string[]; withheld?: string[]; rules?: string[] };
}

const cases = parse(readFileSync(join(policiesDir, 'firewall', 'testdata', 'cases.yaml'), 'utf8')) as GoldenCase[];
const dataDir = mkdtempSync(join(tmpdir(), 'pf-golden-'));
const prepared = await prepareEmbeddedBundle(dataDir);
const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
const catalog = loadCatalog();

describe('golden cases through the compiled wasm', () => {
  it('has cases to run', () => expect(cases.length).toBeGreaterThan(50));

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, golden) => {
    let request;
    try {
      request = parseRecordRequest({ receivedAt: '2026-12-01T15:00:00Z', ...golden.input, requestId: 'golden' }, catalog);
    } catch (err) {
      // Input the services reject before the policy (bad dates, missing flags): the policy must still be
      // safe on its own, so the raw input goes straight to the wasm.
      expect(err).toBeInstanceOf(ValidationError);
      const raw = evaluator.evaluate(golden.input);
      expect(raw.decision).toBe(golden.expect.decision);
      expect(raw.released).toEqual(expect.arrayContaining(golden.expect.released ?? []));
      return;
    }
    const decision = decide(evaluator, request);
    expect(decision.failure).toBeNull();
    expect(decision.decision).toBe(golden.expect.decision);
    expect(decision.released).toEqual(expect.arrayContaining(golden.expect.released ?? []));
    expect(decision.withheld).toEqual(expect.arrayContaining(golden.expect.withheld ?? []));
    expect(decision.rules.map((r) => r.id)).toEqual(expect.arrayContaining([...(golden.expect.rules ?? []), 'R25']));
    for (const rule of decision.rules) expect(rule.sources.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
  });
});
