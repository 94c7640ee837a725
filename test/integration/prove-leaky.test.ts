// The prover is only worth its PASS if it can fail: for each invariant, a bundle compiled from a copy of policies/
// with one small Rego patch that breaks that promise, signed like the embedded bundle, must make `prove` report a
// violation of exactly that invariant with a counterexample. Needs the opa compiler (deploy/local/install-opa.sh).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signedCopy } from '../../scripts/prove/bundle.js';
import { prove } from '../../scripts/prove/index.js';

const root = join(import.meta.dirname, '..', '..');
const opa = process.env.OPA_BIN ?? join(root, '.tools', 'bin', 'opa');
const work = mkdtempSync(join(tmpdir(), 'pf-leaky-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Leak { readonly invariant: string; readonly file: string; readonly from: string; readonly to: string; readonly what: string }

const leaks: readonly Leak[] = [
  { invariant: 'I1', what: 'R1 never matches', file: 'firewall/rules/immigration.rego',
    from: 'matched["r1"] := cite.of(rego.metadata.rule()) if terms.immigration_purpose', to: 'matched["r1"] := cite.of(rego.metadata.rule()) if { terms.immigration_purpose; terms.system == "-" }' },
  { invariant: 'I2', what: 'R7 never withholds class A', file: 'firewall/rules/obligations.rego',
    from: '\tcount(class_a) > 0\n\tnot terms.subject_authorized\n', to: '\tcount(class_a) > 0\n\tnot terms.subject_authorized\n\tterms.system == "-"\n' },
  { invariant: 'I3', what: 'R15 never withholds caller identity', file: 'firewall/rules/obligations.rego',
    from: 'matched.r15 := cite.of(rego.metadata.rule()) if count(terms.caller_fields) > 0', to: 'matched.r15 := cite.of(rego.metadata.rule()) if { count(terms.caller_fields) > 0; terms.system == "-" }' },
  { invariant: 'I4', what: 'R12 no longer denies record-level requests', file: 'firewall/rules/surveillance.rego',
    from: 'r12_deny if {\n\tmatched.r12\n\tterms.record_level\n}', to: 'r12_deny if {\n\tmatched.r12\n\tterms.record_level\n\tterms.system == "-"\n}' },
  { invariant: 'I5', what: 'R22 never matches', file: 'firewall/rules/access.rego',
    from: 'matched["r22"] := cite.of(rego.metadata.rule()) if not terms.requester_verified', to: 'matched["r22"] := cite.of(rego.metadata.rule()) if { not terms.requester_verified; terms.system == "-" }' },
  { invariant: 'I6', what: 'a judicial order counts when judgeSigned and court are absent, and lists every field when listedFields is absent', file: 'firewall/terms.rego',
    from: '\tbasis.judgeSigned == true\n\tis_string(basis.court)\n\tbasis.court != ""\n', to: '\tnot basis.judgeSigned == false\n\tobject.get(basis, "court", "absent") != ""\n' },
  { invariant: 'I7', what: 'ATTRIBUTE and ALL selections are not bulk', file: 'firewall/terms.rego',
    from: 'selection in {"ATTRIBUTE", "ALL"}', to: 'selection in {"-"}' },
  { invariant: 'I8', what: 'citations lose their legal sources', file: 'firewall/lib/cite.rego',
    from: '"sources": annotation.custom.sources,', to: '"sources": [],' },
];
// I6's leak also needs an order without listedFields to list what was asked (else it grants nothing).
const i6Extra = { file: 'firewall/terms.rego', from: '{f | some f in _get(basis, "listedFields", [])}', to: '{f | some f in _get(basis, "listedFields", fields)}' };

function buildLeaky(leak: Leak): string {
  const dir = join(work, leak.invariant);
  cpSync(join(root, 'policies'), dir, { recursive: true, filter: (src) => !src.includes(`${join('policies', 'dist')}`) });
  for (const patch of leak.invariant === 'I6' ? [leak, i6Extra] : [leak]) {
    const path = join(dir, patch.file);
    const text = readFileSync(path, 'utf8');
    // A patch that no longer applies would test nothing: fail loudly instead.
    expect(text.includes(patch.from), `${leak.invariant} patch applies to ${patch.file}`).toBe(true);
    writeFileSync(path, text.replace(patch.from, patch.to));
  }
  const out = join(work, `${leak.invariant}.tar.gz`);
  execFileSync(opa, ['build', '--bundle', '.', '--target', 'wasm', '--entrypoint', 'firewall/decision/result', '--ignore', '*_test.rego',
    '--ignore', 'testdata', '--ignore', 'dist', '--revision', `leaky-${leak.invariant}`, '--output', out], { cwd: dir, stdio: 'pipe' });
  return out;
}

describe('prove against deliberately leaky bundles', () => {
  it('has the opa compiler (bash deploy/local/install-opa.sh)', () => {
    expect(existsSync(opa), `opa at ${opa}`).toBe(true);
  });

  for (const leak of leaks) {
    it(`when ${leak.what}, then ${leak.invariant} reports a counterexample`, async () => {
      const source = await signedCopy(buildLeaky(leak));
      try {
        const result = await prove(source, { reduced: true, workers: 2, stopAt: leak.invariant });
        expect(result.revision).toBe(`leaky-${leak.invariant}`);
        expect(result.violations[leak.invariant]).toBeGreaterThan(0);
        const example = result.smallest[leak.invariant];
        expect(example?.message).toBeTruthy();
        expect(example?.point.agency).toBeTypeOf('string');
      } finally {
        source.cleanup();
      }
    }, 180_000);
  }
});
