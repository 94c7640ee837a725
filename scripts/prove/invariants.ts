/**
 * The firewall's promises as named invariants, each tied to the rule text (POLICY-DOMAIN.md) and its legal source.
 * An invariant applies to some points and, where it applies, checks one decision; I6 also compares two decisions.
 * Where the text permits a release, the invariant permits it (each `check` says which exception it allows).
 */
import type { Decision } from '@firewall/core';
import type { Point } from './request.js';
import type { termsOf } from './terms.js';

export type Terms = ReturnType<typeof termsOf>;

export interface Invariant {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly statement: string;
  /** A violation message, or null when the decision keeps the promise (or the invariant does not apply: see applies). */
  applies(p: Point, t: Terms): boolean;
  check(p: Point, t: Terms, d: Decision, companion: (variant: Partial<Point>) => Decision): string | null;
}

const releases = (d: Decision) => d.decision === 'ALLOW' || d.decision === 'ALLOW_REDACTED' || d.released.length > 0;

export const invariants: readonly Invariant[] = [
  {
    id: 'I1', name: 'no release to immigration enforcement',
    source: 'R1, R2 (Minneapolis Code Title 2 ch. 19 §19.10, §19.30; Chicago 2-173-020)',
    statement: 'an enforcement requester, or an immigration purpose from anyone, gets no ALLOW/ALLOW_REDACTED and no released field',
    applies: (_p, t) => t.enforcement || t.immigrationPurpose,
    check: (_p, _t, d) => (releases(d) ? `${d.decision} releasing ${d.released.join(', ')}` : null),
  },
  {
    id: 'I2', name: 'no class A field raw to an outside requester',
    source: 'R7 (§19.20, §19.30; Chicago 2-173-020; IDNYC); "outside requester" in POLICY-DOMAIN terms',
    statement: 'an outside requester (neither an inside city department for this system nor subject-authorized) never gets a class A field raw',
    applies: (p, t) => t.outside && p.shape.fields.some((f) => t.classOf(f) === 'A'),
    check: (_p, t, d) => {
      const a = d.released.filter((f) => t.classOf(f) === 'A');
      return a.length ? `class A released raw: ${a.join(', ')}` : null;
    },
  },
  {
    id: 'I3', name: 'no 311 caller identity raw, ever',
    source: 'R15 (Minn. Stat. §13.44)',
    statement: "no field of the system's caller-identity list is ever released raw, to anyone, on any basis",
    applies: (p, t) => p.shape.fields.some((f) => t.callerIdentity.has(f)),
    check: (_p, t, d) => {
      const c = d.released.filter((f) => t.callerIdentity.has(f));
      return c.length ? `caller identity released raw: ${c.join(', ')}` : null;
    },
  },
  {
    id: 'I4', name: 'no record-level release for prevention programs',
    source: 'R12 (SF Admin. Code 12H and 103; the CVE/BCR/SCN flows)',
    statement: 'a record-level request with a prevention/registry purpose or from a prevention-program requester releases nothing',
    applies: (_p, t) => t.prevention && t.recordLevel,
    check: (_p, _t, d) => (releases(d) ? `${d.decision} releasing ${d.released.join(', ')}` : null),
  },
  {
    id: 'I5', name: 'nothing to an unverified requester',
    source: 'R22',
    statement: 'requester.verified false releases nothing (the gateway never sends it; the policy defends itself)',
    applies: (p) => !p.verified,
    check: (_p, _t, d) => (releases(d) ? `${d.decision} releasing ${d.released.join(', ')}` : null),
  },
  {
    id: 'I6', name: 'no release on legal facts without a verified credential',
    source: 'DESIGN trust boundary; conformance README ("every legalBasis fact comes from a verified credential"); R4-R6, R21 terms',
    statement: 'without a credential (a) the edge drops every claimed fact, so claimed facts change nothing (checked for every claimed '
      + 'basis against the type alone); and (b) the basis type adds no released field over the same request with basis NONE '
      + '(a DATA_USE_AGREEMENT basis compared with the DATA_USE_AGREEMENT attestation instead, which R20 treats alike)',
    applies: (p) => !p.credential && p.verified,
    check: (p, _t, d, companion) => {
      const noneLike = companion({ basisType: 'NONE', attestations: [...new Set([...p.attestations, ...p.duaAttestationsIfDuaBasis])] });
      const extra = d.released.filter((f) => !noneLike.released.includes(f));
      return extra.length ? `basis ${p.basisType} without a credential releases ${extra.join(', ')}, which basis NONE does not` : null;
    },
  },
  {
    id: 'I7', name: 'nothing beyond public fields in bulk without a data use agreement',
    source: 'R10 (Chicago 2-173-030; SF 12H/103; Dec. 2025 amendment), R9, R20',
    statement: 'a bulk request (record-level ATTRIBUTE/ALL, or more subjects than the threshold: 25, 1 for enforcement) without a '
      + 'DATA_USE_AGREEMENT basis or attestation releases only public fields of the system, except where R10 itself does not '
      + 'match because the request is NAMED and comes with legal process covering it (valid judicial order, judicial or '
      + 'grand-jury subpoena, or administrative subpoena, namedSubjects absent or ≥ count, as the policy was given it)',
    applies: (_p, t) => t.bulk && !t.dataUseAgreement && !(t.named && t.legalProcess),
    check: (_p, t, d) => {
      const nonPublic = d.released.filter((f) => !t.publicFields.has(f));
      return nonPublic.length ? `bulk release of non-public fields: ${nonPublic.join(', ')}` : null;
    },
  },
  {
    id: 'I8', name: 'every non-ALLOW decision cites a rule with its legal source',
    source: 'POLICY-DOMAIN "Decisions" (every decision cites its rules and their sources), R25',
    statement: 'a non-ALLOW decision cites ≥ 1 rule; every cited rule has a non-empty legal source; the decisive rules are cited',
    applies: (_p, _t) => true,
    check: (_p, _t, d) => {
      if (d.decision === 'ALLOW' && d.rules.every((r) => r.sources.some((s) => s.trim() !== ''))) return null;
      if (d.decision !== 'ALLOW' && d.rules.length === 0) return `${d.decision} cites no rule`;
      const unsourced = d.rules.filter((r) => !r.sources.some((s) => s.trim() !== '')).map((r) => r.id);
      if (unsourced.length) return `cited without a legal source: ${unsourced.join(', ')}`;
      const cited = new Set(d.rules.map((r) => r.id));
      const uncited = d.decisive.filter((id) => !cited.has(id));
      if (d.decision !== 'ALLOW' && d.decisive.length === 0) return `${d.decision} names no decisive rule`;
      return uncited.length ? `decisive but not cited: ${uncited.join(', ')}` : null;
    },
  },
  {
    id: 'I0', name: 'every point decided by the policy (no fail-closed evaluation error)',
    source: 'STYLE fail closed; POLICY-DOMAIN R26',
    statement: 'decide() returns the policy\'s own decision (failure null), so the other invariants test the policy and not the fallback',
    applies: () => true,
    check: (_p, _t, d) => (d.failure ? `fail-closed: ${d.failure}` : null),
  },
];
