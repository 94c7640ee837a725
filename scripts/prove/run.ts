/**
 * Decides one slice of the space through the real decision path and checks every invariant on every point.
 * Decisions are memoised per request shape by policy input: two points the HTTP edge turns into the same policy
 * input get the same decision (the policy is a pure function of its input; time comes only from `receivedAt`).
 */
import { loadCatalog, toPolicyInput, type Decision, type RecordRequest } from '@firewall/core';
import { decide, type PolicyEvaluator } from '@firewall/policy';
import { invariants } from './invariants.js';
import { complexity, makePoint, requestOf, type Point } from './request.js';
import { ABSENT, FAVOURABLE, allClaimedProfiles, shapes, spaceSpec, type Shape } from './space.js';
import type { Vocabulary } from './symmetry.js';
import { termsOf } from './terms.js';

export interface Counterexample {
  readonly complexity: number;
  readonly message: string;
  readonly point: Record<string, unknown>;
  readonly decision: { decision: string; released: readonly string[]; rules: readonly string[] };
}

export interface SliceResult {
  points: number;
  /** The requests the checked points stand for before symmetry reduction (class sizes, claimed facts, inert attestations). */
  represented: number;
  decisions: number;
  checked: Record<string, number>;
  violations: Record<string, number>;
  smallest: Record<string, Counterexample>;
  releasesOnlyWithCredential: number;
}

export interface SliceOptions {
  readonly reduced: boolean;
  readonly slice: { index: number; of: number };
  /** Stop at the first violation of this invariant (tests): the counterexample is then a, not the, smallest one. */
  readonly stopAt?: string;
  /** Re-decide every n-th shape with the other members of its symmetry classes. */
  readonly symmetryEvery: number;
}

const NOW = () => new Date('2026-06-01T12:00:00Z');

export function describePoint(p: Point): Record<string, unknown> {
  return {
    agency: p.shape.agency, purpose: p.shape.purpose, channel: p.shape.channel, selection: p.shape.selection,
    system: p.shape.system, fields: p.shape.fields, attestations: p.attestations, basisType: p.basisType,
    legalFacts: p.credential ? `credential: ${p.profile.name}` : `no credential (claimed ${p.profile.name}, dropped by the edge)`,
    requesterVerified: p.verified,
  };
}

export function proveSlice(evaluator: PolicyEvaluator, vocab: Vocabulary, options: SliceOptions): SliceResult {
  const catalog = loadCatalog();
  const spec = spaceSpec(vocab, options.reduced);
  const data = vocab.data;
  const ids = [...invariants.map((i) => i.id), 'S'];
  const result: SliceResult = {
    points: 0, represented: 0, decisions: 0, releasesOnlyWithCredential: 0,
    checked: Object.fromEntries(ids.map((id) => [id, 0])), violations: Object.fromEntries(ids.map((id) => [id, 0])), smallest: {},
  };
  let memo = new Map<string, Decision>();
  const evaluate = (p: Point, request: RecordRequest = requestOf(p, data, catalog)): Decision => {
    const key = JSON.stringify(toPolicyInput(request));
    let d = memo.get(key);
    if (!d) {
      d = decide(evaluator, request, { now: NOW });
      result.decisions++;
      memo.set(key, d);
    }
    return d;
  };
  const violation = (id: string, p: Point, d: Decision, message: string) => {
    result.violations[id]!++;
    const c = complexity(p);
    const prev = result.smallest[id];
    if (!prev || c < prev.complexity) {
      result.smallest[id] = { complexity: c, message, point: describePoint(p), decision: { decision: d.decision, released: d.released, rules: d.rules.map((r) => r.id) } };
    }
  };
  const size = new Map<string, number>();
  for (const kind of ['agencies', 'purposes', 'basisTypes'] as const) for (const c of vocab[kind]) size.set(`${kind}:${c.representative}`, c.members.length);
  const fieldChoices = (system: string, fields: readonly string[]) =>
    fields.reduce((n, f) => n * ((vocab.fieldGroups[system] ?? []).find((g) => g.representative === f)?.members.length ?? 1), 1);
  const claimedCombos = allClaimedProfiles(vocab.readFacts).length;
  const multiplicity = (p: Point) => (size.get(`agencies:${p.shape.agency}`) ?? 1) * (size.get(`purposes:${p.shape.purpose}`) ?? 1)
    * (size.get(`basisTypes:${p.basisType}`) ?? 1) * fieldChoices(p.shape.system, p.shape.fields) * 2 ** vocab.inertAttestations.length
    * (p.credential ? 1 : claimedCombos);
  const check = (p: Point): Decision => {
    const request = requestOf(p, data, catalog);
    const d = evaluate(p, request);
    result.points++;
    result.represented += multiplicity(p);
    const t = termsOf(data, {
      agency: p.shape.agency, purpose: p.shape.purpose, system: p.shape.system, fields: p.shape.fields,
      selection: request.subjects?.selection ?? 'NAMED', count: request.subjects?.count ?? 1, attestations: p.attestations,
      basis: request.legalBasis ? (toPolicyInput(request).legalBasis as Record<string, unknown>) : null, receivedAt: request.receivedAt,
    });
    for (const inv of invariants) {
      if (!inv.applies(p, t)) continue;
      result.checked[inv.id]!++;
      const message = inv.check(p, t, d, (variant) => evaluate({ ...p, ...variant }));
      if (message) violation(inv.id, p, d, message);
    }
    return d;
  };
  const stop = () => options.stopAt !== undefined && (result.violations[options.stopAt] ?? 0) > 0;

  const reps = (kind: 'basisTypes') => vocab[kind].map((c) => c.representative);
  const repOf = (list: string) => vocab.basisTypes.find((c) => ((data.legal_basis as Record<string, unknown>)[list] as string[] | undefined)?.includes(c.representative))?.representative;
  const judicialOrder = repOf('judicial_orders');
  const subjectAuth = repOf('subject_authorizations');
  const allAttestations = spec.attestationSets.reduce((a, s) => (s.length > a.length ? s : a), [] as readonly string[]);
  let shapeIndex = 0;
  for (const shape of shapes(vocab, spec, options.slice)) {
    memo = new Map();
    for (const attestations of spec.attestationSets) {
      for (const basisType of attestations.length === 0 ? reps('basisTypes') : spec.basisWithAttestations) {
        // Without a credential, the strongest claim the body can make (every fact favourable), dropped by the edge.
        const noCredential = makePoint(data, shape, attestations, basisType, false, FAVOURABLE);
        const withoutCredential = check(noCredential);
        if (!spec.credentialAttestationSets.some((s) => s.join() === attestations.join())) continue;
        if (!spec.credentialChannels.includes(shape.channel) || !spec.credentialSelections.includes(shape.selection)) continue;
        const profiles = spec.factBearing.has(basisType) ? spec.profiles : [FAVOURABLE, ABSENT];
        for (const profile of profiles) {
          const d = check(makePoint(data, shape, attestations, basisType, true, profile));
          if (d.released.some((f) => !withoutCredential.released.includes(f))) result.releasesOnlyWithCredential++;
        }
      }
    }
    // requester.verified false (R22): the strongest legal positions, and none.
    for (const basisType of [judicialOrder, subjectAuth].filter((b): b is string => !!b && !options.reduced)) {
      check(makePoint(data, shape, allAttestations, basisType, true, FAVOURABLE, false));
    }
    check(makePoint(data, shape, allAttestations, 'NONE', false, ABSENT, false));
    if (shapeIndex++ % options.symmetryEvery === 0) checkSymmetry(shape);
    if (stop()) break;
  }
  return result;

  function checkSymmetry(shape: Shape): void {
    const base = makePoint(data, shape, allAttestations, judicialOrder ?? 'NONE', true, FAVOURABLE);
    const d0 = evaluate(base);
    const same = (d: Decision) => d.decision === d0.decision && d.released.length === d0.released.length
      && d.rules.map((r) => r.id).join() === d0.rules.map((r) => r.id).join();
    const variants: Point[] = [];
    const classOf = (kind: 'agencies' | 'purposes' | 'basisTypes', code: string) => vocab[kind].find((c) => c.representative === code)?.members ?? [];
    for (const agency of classOf('agencies', shape.agency).slice(1)) variants.push({ ...base, shape: { ...shape, agency } });
    for (const purpose of classOf('purposes', shape.purpose).slice(1)) variants.push({ ...base, shape: { ...shape, purpose } });
    for (const basisType of classOf('basisTypes', base.basisType).slice(1)) variants.push({ ...base, basisType });
    const groups = vocab.fieldGroups[shape.system] ?? [];
    // A transposition inside each role group (representative <-> last member) keeps the set's size.
    const swap = new Map<string, string>();
    for (const g of groups) if (g.members.length > 1) { swap.set(g.representative, g.members.at(-1)!); swap.set(g.members.at(-1)!, g.representative); }
    const swapped = shape.fields.map((f) => swap.get(f) ?? f);
    variants.push({ ...base, shape: { ...shape, fields: swapped } });
    for (const v of variants) {
      result.checked.S!++;
      const d = evaluate(v);
      if (!same(d)) violation('S', v, d, `decided unlike its symmetry class representative (${d0.decision} → ${d.decision})`);
    }
  }
}
