/**
 * `npm run prove`: the firewall's promises (POLICY-DOMAIN.md) checked on every point of the categorical space a
 * requester controls, through the real signed policy bundle and the HTTP edge's legal-basis rule. Exit 0 only with
 * no violation. See scripts/prove/space.ts (the space) and scripts/prove/symmetry.ts (the reduction).
 */
import { parseArgs } from 'node:util';
import { invariants } from './prove/invariants.js';
import { signedCopy } from './prove/bundle.js';
import { prove, type ProveResult } from './prove/index.js';

const help = `npm run prove -- [--reduced] [--json] [--workers N] [--bundle <signed.tar.gz> --public-key <pem>]

  --reduced      a smaller space (CI: under a minute on 2 cores)
  --json         the figures as one JSON object
  --workers N    worker threads (default 2; 0 decides in this thread)
  --bundle, --public-key   prove this signed bundle, verified against this key (default: the shipped bundle,
                 signed with a fresh development key as the embedded mode does)`;

const { values } = parseArgs({
  options: {
    reduced: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' }, bundle: { type: 'string' }, 'public-key': { type: 'string' },
  },
});
if (values.help) { console.log(help); process.exit(0); }
if (!!values.bundle !== !!values['public-key']) { console.error('--bundle and --public-key go together\n\n' + help); process.exit(2); }

const source = values.bundle ? { bundlePath: values.bundle, publicKeyPath: values['public-key']!, cleanup: () => {} } : await signedCopy();
try {
  const result = await prove(source, { reduced: values.reduced, workers: Number(values.workers) });
  if (values.json) console.log(JSON.stringify(figures(result), null, 2));
  else print(result);
  process.exitCode = result.totalViolations === 0 ? 0 : 1;
} finally {
  source.cleanup();
}

function figures(r: ProveResult) {
  const v = r.vocabulary;
  return {
    revision: r.revision, mode: values.reduced ? 'reduced' : 'full',
    points: r.points, pointsBeforeSymmetryReduction: r.represented, decisionsEvaluated: r.decisions,
    wallSeconds: Number(r.wallSeconds.toFixed(1)), decisionsPerSecond: Math.round(r.decisionsPerSecond),
    releasesOnlyWithCredential: r.releasesOnlyWithCredential,
    symmetry: {
      agencies: v.agencies.map((c) => c.members), purposes: v.purposes.map((c) => c.members), basisTypes: v.basisTypes.map((c) => c.members),
      attestations: v.attestations.map((c) => c.members), inertAttestations: v.inertAttestations, unreadFacts: v.unreadFacts,
      fieldGroups: Object.fromEntries(Object.entries(v.fieldGroups).map(([s, gs]) => [s, gs.map((g) => g.members)])),
    },
    invariants: [...invariants.map((i) => ({ id: i.id, name: i.name, source: i.source, statement: i.statement })),
      { id: 'I6a', name: 'the HTTP edge drops claimed facts', source: 'services/http legalBasisForPolicy', statement: 'every claimed combination of facts, for every basis type code, reaches the policy as the type alone (a data use agreement as NONE)' },
      { id: 'S', name: 'symmetry reduction is sound', source: 'scripts/prove/symmetry.ts', statement: 'sampled points re-decided with every other member of their agency, purpose and basis-type classes, and with each field swapped for another of its role group, decide alike' },
    ].map((i) => ({ ...i, checked: r.checked[i.id] ?? 0, violations: r.violations[i.id] ?? 0, smallestCounterexample: r.smallest[i.id] ?? null })),
    violations: r.totalViolations,
  };
}

function print(r: ProveResult) {
  const f = figures(r);
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(`policy bundle revision ${f.revision} (${f.mode} space)`);
  console.log(`symmetry: ${f.symmetry.agencies.length} agency classes of ${f.symmetry.agencies.flat().length} codes, ${f.symmetry.purposes.length} purpose classes of ${f.symmetry.purposes.flat().length}, `
    + `${f.symmetry.basisTypes.length} basis-type classes of ${f.symmetry.basisTypes.flat().length} (one unknown code each); inert attestations ${f.symmetry.inertAttestations.join(', ') || 'none'}; `
    + `facts never read ${f.symmetry.unreadFacts.join(', ') || 'none'}; fields by role group (scripts/prove/symmetry.ts). Classes are derived from the bundle's data.json and wasm literals.`);
  console.log(`space: ${n(f.points)} points checked, standing for ${n(f.pointsBeforeSymmetryReduction)} requests before symmetry reduction`);
  console.log(`${n(f.decisionsEvaluated)} distinct decisions in ${f.wallSeconds} s: ${n(f.decisionsPerSecond)} decisions/s; ${n(f.releasesOnlyWithCredential)} points release more with a credential than without`);
  for (const i of f.invariants) {
    console.log(`${i.violations === 0 ? 'PASS' : 'FAIL'} ${i.id.padEnd(3)} ${i.name} [${i.source}]: ${n(i.checked)} checked, ${n(i.violations)} violations`);
    if (i.smallestCounterexample) console.log(`     smallest counterexample: ${i.smallestCounterexample.message}\n     ${JSON.stringify(i.smallestCounterexample.point)} -> ${JSON.stringify(i.smallestCounterexample.decision)}`);
  }
  console.log(`${n(f.violations)} violations`);
}
