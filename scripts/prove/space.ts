/**
 * The categorical space a requester controls, enumerated over symmetry-class representatives (symmetry.ts).
 *
 * A point is one request as it reaches the policy over HTTP: agency × purpose × channel × subject selection ×
 * system × requested-field pattern × attestation subset × legal basis, where the legal basis is either
 *   - claimed in the body without a valid credential: `legalBasisForPolicy(claimed, null)` keeps the type only.
 *     The claimed facts (every combination of each fact present or absent) are counted in the space, but the
 *     edge's output depends on the claimed basis alone, so it is checked once per claimed basis (invariant I6a)
 *     and the policy is asked once per type; or
 *   - the facts of a verified credential (`VerifiedLegalFacts`).
 * `requester.verified` is true (the gateway sets it from the token), and false once per request shape (R22).
 *
 * Legal facts with a credential are enumerated as boundary profiles: all favourable (a valid, covering order that
 * lists every requested field, verified), all absent, and each single fact moved off the favourable value to each
 * other value it can take. For the basis types the policy data gives facts a meaning (judicial orders and
 * subpoenas, administrative subpoenas, subject authorizations) every profile is tried; for the other types the
 * two extremes (a leak that let facts help a non-process type shows under "all favourable").
 */
import type { Vocabulary } from './symmetry.js';

export const RECEIVED_AT = '2026-06-01T12:00:00Z';
const FUTURE = '2030-12-31';
const PAST = '2026-05-31';

export type Selection = 'NAMED_ONE' | 'NAMED_ENFORCEMENT_BULK' | 'NAMED_BULK' | 'ATTRIBUTE' | 'ALL' | 'AGGREGATE';

export interface Shape {
  readonly agency: string;
  readonly purpose: string;
  readonly channel: string;
  readonly selection: Selection;
  readonly system: string;
  readonly pattern: string;
  readonly fields: readonly string[];
}

/** A legal fact's value in a profile; `undefined` is absent. */
export interface FactProfile {
  readonly name: string;
  readonly judgeSigned?: boolean;
  readonly court?: string;
  readonly expires?: 'future' | 'past';
  readonly namedSubjects?: 'covering' | 'not_covering';
  readonly listedFields?: 'covering' | 'partial';
  readonly verified?: boolean;
}

export const FAVOURABLE: FactProfile = { name: 'all-favourable', judgeSigned: true, court: 'District Court, Hennepin County', expires: 'future', namedSubjects: 'covering', listedFields: 'covering', verified: true };
export const ABSENT: FactProfile = { name: 'all-absent' };

const DEVIATIONS: Record<string, readonly (string | undefined)[]> = {
  judgeSigned: [undefined], court: [undefined], expires: [undefined, 'past'],
  namedSubjects: [undefined, 'not_covering'], listedFields: [undefined, 'partial'], verified: [undefined],
};

export function boundaryProfiles(readFacts: readonly string[]): FactProfile[] {
  const out: FactProfile[] = [FAVOURABLE, ABSENT];
  for (const [key, values] of Object.entries(DEVIATIONS)) {
    if (!readFacts.includes(key)) continue;
    for (const v of values) out.push({ ...FAVOURABLE, name: `${key}=${v ?? 'absent'}`, [key]: v });
  }
  return out;
}

/** Every combination of each fact present (each value) or absent: the claimed facts counted without a credential. */
export function allClaimedProfiles(readFacts: readonly string[]): FactProfile[] {
  let out: FactProfile[] = [ABSENT];
  const values: Record<string, readonly unknown[]> = { judgeSigned: [true, false], court: [FAVOURABLE.court], expires: ['future', 'past'], namedSubjects: ['covering', 'not_covering'], listedFields: ['covering', 'partial'], verified: [true, false], criminalPredicate: ['18 U.S.C. 1591'] };
  for (const [key, vs] of Object.entries(values)) {
    out = out.flatMap((p) => [p, ...vs.map((v) => ({ ...p, name: `${p.name},${key}`, [key]: v }))]);
  }
  void readFacts;
  return out;
}

export function subjectsOf(selection: Selection, data: Vocabulary['data']): { selection: string; count: number } {
  const bulk = data.thresholds.bulk_subjects + 1;
  switch (selection) {
    case 'NAMED_ONE': return { selection: 'NAMED', count: 1 };
    case 'NAMED_ENFORCEMENT_BULK': return { selection: 'NAMED', count: data.thresholds.enforcement_bulk_subjects + 1 };
    case 'NAMED_BULK': return { selection: 'NAMED', count: bulk };
    // A trait-wide or everyone selection with count 1: bulk by its selection alone, never by its count.
    case 'ATTRIBUTE': return { selection: 'ATTRIBUTE', count: 1 };
    case 'ALL': return { selection: 'ALL', count: 1 };
    case 'AGGREGATE': return { selection: 'AGGREGATE', count: 1 };
  }
}

/** The facts a profile stands for, for a request with this many subjects and these fields. */
export function factsOf(profile: FactProfile, count: number, fields: readonly string[]): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  if (profile.judgeSigned !== undefined) facts.judgeSigned = profile.judgeSigned;
  if (profile.court !== undefined) facts.court = profile.court;
  if (profile.expires) facts.expires = profile.expires === 'future' ? FUTURE : PAST;
  if (profile.namedSubjects) facts.namedSubjects = profile.namedSubjects === 'covering' ? count : count - 1;
  if (profile.listedFields) facts.listedFields = profile.listedFields === 'covering' ? [...fields] : fields.slice(1);
  if (profile.verified !== undefined) facts.verified = profile.verified;
  const extra = profile as unknown as Record<string, unknown>;
  if (extra.criminalPredicate !== undefined) facts.criminalPredicate = extra.criminalPredicate;
  return facts;
}

/** Requested-field patterns of a system, by field role (one representative per field group). */
export function fieldPatterns(vocab: Vocabulary, system: string, reduced: boolean): { name: string; fields: string[] }[] {
  const groups = vocab.fieldGroups[system] ?? [];
  const spec = vocab.data.catalog.systems[system]!;
  const list = (name: string) => (Array.isArray(spec[name]) ? (spec[name] as string[]) : []);
  const out: { name: string; fields: string[] }[] = [{ name: 'one-of-each-role', fields: groups.map((g) => g.representative) }];
  if (!reduced) {
    for (const c of [...new Set(groups.map((g) => g.fieldClass))].sort()) {
      out.push({ name: `class-${c}`, fields: groups.filter((g) => g.fieldClass === c).map((g) => g.representative) });
    }
    out.push({ name: 'status-only', fields: list('status') });
    out.push({ name: 'public-only', fields: list('public') });
  }
  out.push({ name: 'caller-identity-only', fields: list('caller_identity') });
  for (const [partner, systems] of Object.entries(vocab.data.program_partners)) {
    out.push({ name: `program-fields-${partner}`, fields: systems[system] ?? [] });
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = [...p.fields].sort().join(',');
    if (p.fields.length === 0 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface SpaceSpec {
  readonly agencies: readonly string[];
  readonly purposes: readonly string[];
  readonly channels: readonly string[];
  readonly selections: readonly Selection[];
  readonly attestationSets: readonly (readonly string[])[];
  readonly basisTypes: readonly string[];
  /** Basis types whose credential gets every boundary profile (the others get the two extremes). */
  readonly factBearing: ReadonlySet<string>;
  readonly profiles: readonly FactProfile[];
  /** Where credentials are tried: these attestation sets and channels (every basis type and profile). */
  readonly credentialAttestationSets: readonly (readonly string[])[];
  readonly credentialChannels: readonly string[];
  readonly credentialSelections: readonly Selection[];
  readonly basisWithAttestations: readonly string[];
  readonly reduced: boolean;
}

function subsets<T>(xs: readonly T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => acc.flatMap((s) => [s, [...s, x]]), [[]]);
}

export function spaceSpec(vocab: Vocabulary, reduced: boolean): SpaceSpec {
  const lb = vocab.data.legal_basis as Record<string, unknown>;
  // The lists POLICY-DOMAIN's terms give facts to: valid judicial order, judicial and legal process, subject-authorized.
  const factLists = ['judicial_orders', 'judicial_subpoenas', 'admin_subpoenas', 'subject_authorizations'];
  const factBearing = new Set(factLists.flatMap((k) => (Array.isArray(lb[k]) ? (lb[k] as string[]) : [])));
  const reps = (cs: readonly { representative: string }[]) => cs.map((c) => c.representative);
  const attestations = reps(vocab.attestations);
  return {
    agencies: reps(vocab.agencies),
    purposes: reps(vocab.purposes),
    channels: reduced ? ['RECORD_REQUEST', 'PUBLIC_RECORDS'] : ['RECORD_REQUEST', 'PUBLIC_RECORDS', 'STANDING_FEED', 'DIRECT_DB_ACCESS'],
    selections: reduced ? ['NAMED_ONE', 'ATTRIBUTE', 'AGGREGATE'] : ['NAMED_ONE', 'NAMED_ENFORCEMENT_BULK', 'NAMED_BULK', 'ATTRIBUTE', 'ALL', 'AGGREGATE'],
    attestationSets: reduced ? [[], attestations] : subsets(attestations),
    basisTypes: reps(vocab.basisTypes),
    factBearing,
    profiles: reduced ? [FAVOURABLE, { ...FAVOURABLE, name: 'judgeSigned=absent', judgeSigned: undefined }] : boundaryProfiles(vocab.readFacts),
    // Without attestations every basis type; with some, the types an attestation can stand beside in the text
    // (none, and a data use agreement: R20 reads the two alike).
    basisWithAttestations: reps(vocab.basisTypes).filter((t) => t === 'NONE' || ((vocab.data.legal_basis as Record<string, unknown>).data_use_agreements as string[] | undefined ?? []).includes(t)),
    credentialAttestationSets: [[]],
    credentialChannels: ['RECORD_REQUEST'],
    credentialSelections: reduced ? ['NAMED_ONE', 'ATTRIBUTE'] : ['NAMED_ONE', 'NAMED_ENFORCEMENT_BULK', 'NAMED_BULK', 'ATTRIBUTE'],
    reduced,
  };
}

/** Every shape, in a fixed order; `slice` keeps every `of`-th starting at `index` (one slice per worker). */
export function* shapes(vocab: Vocabulary, spec: SpaceSpec, slice = { index: 0, of: 1 }): Generator<Shape> {
  let n = 0;
  for (const agency of spec.agencies) {
    for (const purpose of spec.purposes) {
      for (const system of Object.keys(vocab.data.catalog.systems)) {
        for (const pattern of fieldPatterns(vocab, system, spec.reduced)) {
          for (const selection of spec.selections) {
            for (const channel of spec.channels) {
              if (n++ % slice.of !== slice.index) continue;
              yield { agency, purpose, channel, selection, system, pattern: pattern.name, fields: pattern.fields };
            }
          }
        }
      }
    }
  }
}
