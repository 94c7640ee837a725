/**
 * Symmetry classes of the requester's vocabulary, derived from the bundle under proof (its data.json and the
 * string constants of its policy.wasm), never from a hand-written list.
 *
 * Two codes of one kind (two agencies, two purposes, two basis types, two attestations, two fields of one system)
 * are interchangeable for the policy when
 *   - neither is a string constant of policy.wasm (the Rego names neither as a literal), and
 *   - the policy data holds the same thing about both: every place in data.json where the code occurs (as a key or
 *     a value) is the same place with the same content once the code itself is blanked out. For an agency the
 *     registry entry counts only through its `classes` that the Rego names (the display `name` is a label); for a
 *     field, its class letter and every per-system list it is in (public, locating, caller identity, custody,
 *     status, program fields) count.
 * The Rego reaches a code only by comparing it with a literal or by looking it up in data, so swapping two such
 * codes swaps nothing the policy can see: one member decides for the class. A wasm-named code is its own class.
 * The assumption is checked, not trusted: the prover re-decides a sample of points with every other member of
 * their class and counts any difference as a violation (invariant S, "symmetry").
 */
import type { VerifiedBundle } from '@firewall/policy';
import { UNKNOWN_CODES, UNLISTED_ATTESTATIONS, UNLISTED_BASIS_TYPES, UNLISTED_PURPOSES, FACT_KEYS, type FactKey } from './vocabulary.js';

export interface SymmetryClass {
  /** The member that decides for the class. */
  readonly representative: string;
  readonly members: readonly string[];
}

export interface FieldGroup extends SymmetryClass {
  readonly fieldClass: string;
}

export interface Vocabulary {
  readonly agencies: readonly SymmetryClass[];
  readonly purposes: readonly SymmetryClass[];
  readonly basisTypes: readonly SymmetryClass[];
  /** Attestation codes the policy can see; inert ones (no data, no literal) are dropped from every set. */
  readonly attestations: readonly SymmetryClass[];
  readonly inertAttestations: readonly string[];
  /** Per system, its fields grouped by role. */
  readonly fieldGroups: Readonly<Record<string, readonly FieldGroup[]>>;
  /** Legal facts the policy reads (a fact key that is no wasm literal is never read). */
  readonly readFacts: readonly FactKey[];
  readonly unreadFacts: readonly FactKey[];
  readonly data: PolicyData;
}

export interface PolicyData {
  agencies: Record<string, { classes?: string[] }>;
  purposes: Record<string, string[]>;
  legal_basis: Record<string, unknown> & { attestations?: Record<string, string[]> };
  thresholds: { bulk_subjects: number; enforcement_bulk_subjects: number };
  program_partners: Record<string, Record<string, string[]>>;
  catalog: { systems: Record<string, { fields: Record<string, string>; [list: string]: unknown }> };
  [key: string]: unknown;
}

/** Every NUL-delimited string constant of the wasm module's data segments. */
export function wasmLiterals(wasm: Buffer): Set<string> {
  const out = new Set<string>();
  let start = 0;
  for (let i = 0; i < wasm.length; i++) {
    if (wasm[i] !== 0) continue;
    if (i > start && i - start < 200) out.add(wasm.subarray(start, i).toString('latin1'));
    start = i + 1;
  }
  return out;
}

/** Where `code` occurs in `value`: paths (indices as []), with the subtree under a key occurrence. */
function occurrences(value: unknown, code: string, path: string, skip: (path: string) => boolean, out: string[]): void {
  if (skip(path)) return;
  if (Array.isArray(value)) {
    for (const v of value) occurrences(v, code, `${path}[]`, skip, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === code) out.push(`${path}.*=${JSON.stringify(v)}`);
      else occurrences(v, code, `${path}.${k}`, skip, out);
    }
  } else if (value === code) {
    out.push(`${path}=*`);
  }
}

function classify(codes: readonly string[], signature: (code: string) => string): SymmetryClass[] {
  const byKey = new Map<string, string[]>();
  for (const code of [...new Set(codes)]) {
    const key = signature(code);
    byKey.set(key, [...(byKey.get(key) ?? []), code]);
  }
  return [...byKey.values()].map((members) => ({ representative: members[0]!, members }));
}

export function deriveVocabulary(bundle: Pick<VerifiedBundle, 'wasm' | 'data'>): Vocabulary {
  const data = bundle.data as unknown as PolicyData;
  const literals = wasmLiterals(bundle.wasm);
  const dataSignature = (code: string, skip: (path: string) => boolean = () => false) => {
    if (literals.has(code)) return `literal:${code}`;
    const out: string[] = [];
    occurrences(data, code, '', skip, out);
    return out.sort().join('\n');
  };

  const agencyCodes = [...Object.keys(data.agencies), UNKNOWN_CODES.agency];
  const agencies = classify(agencyCodes, (code) => {
    const classes = (data.agencies[code]?.classes ?? []).filter((c) => literals.has(c)).sort();
    return `${JSON.stringify(classes)}\n${dataSignature(code, (p) => p === '.agencies')}`;
  });

  const listed = (lists: Record<string, unknown>) => Object.values(lists).flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []));
  const purposes = classify([...listed(data.purposes), ...UNLISTED_PURPOSES, UNKNOWN_CODES.purpose], (c) => dataSignature(c));
  const basisTypes = classify([...listed(data.legal_basis), ...UNLISTED_BASIS_TYPES, UNKNOWN_CODES.basis], (c) => dataSignature(c));

  const attestationCodes = [...listed(data.legal_basis.attestations ?? {}), ...UNLISTED_ATTESTATIONS];
  const inertAttestations = attestationCodes.filter((c) => dataSignature(c) === '');
  const attestations = classify(attestationCodes.filter((c) => !inertAttestations.includes(c)), (c) => dataSignature(c));

  const fieldGroups: Record<string, FieldGroup[]> = {};
  for (const [system, spec] of Object.entries(data.catalog.systems)) {
    // A field's role is per system: only occurrences under this system's catalog entry or program lists count.
    const inSystem = (p: string) => {
      const seg = p.split('.');
      return (seg[1] === 'catalog' || seg[1] === 'program_partners') && seg.length > 3 && seg[3]!.replace('[]', '') !== system;
    };
    const groups = classify(Object.keys(spec.fields), (f) => `${spec.fields[f]}\n${dataSignature(f, inSystem)}`);
    fieldGroups[system] = groups.map((g) => ({ ...g, fieldClass: spec.fields[g.representative]! }));
  }

  const readFacts = FACT_KEYS.filter((k) => literals.has(k));
  return { agencies, purposes, basisTypes, attestations, inertAttestations, fieldGroups, readFacts, unreadFacts: FACT_KEYS.filter((k) => !readFacts.includes(k)), data };
}
