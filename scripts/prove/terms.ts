/**
 * POLICY-DOMAIN.md's terms, computed by the prover from the request the policy was given (after the HTTP edge) and
 * the bundle's data, so an invariant can say "outside requester" or "legal process" exactly as the text does.
 */
import type { PolicyData } from './symmetry.js';

export interface PolicyView {
  readonly agency: string;
  readonly purpose: string;
  readonly system: string;
  readonly fields: readonly string[];
  readonly selection: string;
  readonly count: number;
  readonly attestations: readonly string[];
  readonly basis: Readonly<Record<string, unknown>> | null;
  readonly receivedAt: string;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

export function termsOf(data: PolicyData, r: PolicyView) {
  const classes = new Set(data.agencies[r.agency]?.classes ?? []);
  const lb = data.legal_basis as Record<string, unknown>;
  const type = (r.basis?.type as string | undefined) ?? 'NONE';
  const basisIn = (name: string) => list(lb[name]).includes(type);
  const named = r.basis?.namedSubjects;
  const covers = named === undefined || named === null || (typeof named === 'number' && named >= r.count);
  const expires = r.basis?.expires;
  const end = typeof expires === 'string' ? (/^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T00:00:00Z`) + 86_400_000 : Date.parse(expires)) : Infinity;
  const court = r.basis?.court;
  const validJudicialOrder = basisIn('judicial_orders') && r.basis?.judgeSigned === true && typeof court === 'string' && court !== ''
    && Date.parse(r.receivedAt) < end && covers;
  const judicialProcess = validJudicialOrder || (basisIn('judicial_subpoenas') && covers);
  const legalProcess = judicialProcess || (basisIn('admin_subpoenas') && covers);
  const subjectAuthorized = basisIn('subject_authorizations') && r.basis?.verified === true && r.selection === 'NAMED' && r.count === 1;
  const spec = data.catalog.systems[r.system]!;
  const issuing = spec.issuing_offices as string[] | undefined;
  const insideDepartment = classes.has('city_department') && (!issuing || issuing.includes(r.agency));
  const enforcement = classes.has('enforcement');
  const recordLevel = r.selection !== 'AGGREGATE';
  const threshold = enforcement ? data.thresholds.enforcement_bulk_subjects : data.thresholds.bulk_subjects;
  const attested = (kind: string) => list(lb.attestations && (lb.attestations as Record<string, unknown>)[kind]).some((a) => r.attestations.includes(a));
  return {
    enforcement,
    prevention: classes.has('prevention') || list(data.purposes.prevention).includes(r.purpose),
    immigrationPurpose: list(data.purposes.immigration).includes(r.purpose),
    validJudicialOrder, judicialProcess, legalProcess, subjectAuthorized,
    outside: !insideDepartment && !subjectAuthorized,
    recordLevel,
    named: r.selection === 'NAMED',
    bulk: recordLevel && (r.selection === 'ATTRIBUTE' || r.selection === 'ALL' || r.count > threshold),
    dataUseAgreement: basisIn('data_use_agreements') || attested('data_use_agreement'),
    classOf: (f: string) => spec.fields[f],
    publicFields: new Set(list(spec.public)),
    callerIdentity: new Set(list(spec.caller_identity)),
  };
}
