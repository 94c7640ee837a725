/**
 * A point of the space and the request it stands for, built the way the gateway builds it: the policy's legal
 * basis is `legalBasisForPolicy(claimed, credential)` and the attestations `attestationsForPolicy(...)` from
 * @firewall/http, then `parseRecordRequest` validates it.
 */
import { parseRecordRequest, type FieldCatalog, type RecordRequest } from '@firewall/core';
import { attestationsForPolicy, legalBasisForPolicy, type VerifiedLegalFacts } from '@firewall/http';
import { FAVOURABLE, RECEIVED_AT, factsOf, subjectsOf, type FactProfile, type Shape } from './space.js';
import type { PolicyData } from './symmetry.js';

export interface Point {
  readonly shape: Shape;
  readonly attestations: readonly string[];
  readonly basisType: string;
  /** True: the facts are a verified credential's (`profile`); false: the body claims `profile`, the edge drops it. */
  readonly credential: boolean;
  readonly profile: FactProfile;
  readonly verified: boolean;
  /** The DATA_USE_AGREEMENT attestation codes when the basis type is a data use agreement (for I6's comparison). */
  readonly duaAttestationsIfDuaBasis: readonly string[];
}

export function makePoint(data: PolicyData, shape: Shape, attestations: readonly string[], basisType: string, credential: boolean, profile: FactProfile = FAVOURABLE, verified = true): Point {
  const lb = data.legal_basis as Record<string, unknown>;
  const dua = (lb.data_use_agreements as string[] | undefined ?? []).includes(basisType) ? (lb.attestations as Record<string, string[]> | undefined)?.data_use_agreement ?? [] : [];
  return { shape, attestations, basisType, credential, profile, verified, duaAttestationsIfDuaBasis: dua };
}

/** The request body and, for a credential, the verified facts; then the edge's legal basis. */
export function requestOf(p: Point, data: PolicyData, catalog: FieldCatalog): RecordRequest {
  const subjects = subjectsOf(p.shape.selection, data);
  const facts = factsOf(p.profile, subjects.count, p.shape.fields);
  const claimed = { type: p.basisType, ...facts };
  const credential: VerifiedLegalFacts | null = p.credential ? { type: p.basisType, issuer: 'prove', credentialId: 'prove', ...facts } : null;
  return parseRecordRequest({
    requestId: 'prove',
    requester: { agency: p.shape.agency, verified: p.verified },
    purpose: { code: p.shape.purpose },
    channel: p.shape.channel,
    system: p.shape.system,
    fields: [...p.shape.fields],
    subjects,
    // As the gateway does: a data use agreement attested without its credential is dropped.
    attestations: attestationsForPolicy([...p.attestations], credential) as string[],
    legalBasis: legalBasisForPolicy(claimed, credential),
    receivedAt: RECEIVED_AT,
  }, catalog);
}

/** How simple a counterexample is: fewer fields, attestations and facts, and default channel and selection, first. */
export function complexity(p: Point): number {
  const facts = Object.keys(p.profile).filter((k) => k !== 'name' && (p.profile as unknown as Record<string, unknown>)[k] !== undefined).length;
  return p.shape.fields.length * 4 + p.attestations.length * 2 + (p.credential ? facts + 1 : 0) + (p.basisType === 'NONE' ? 0 : 1)
    + (p.shape.channel === 'RECORD_REQUEST' ? 0 : 1) + (p.shape.selection === 'NAMED_ONE' ? 0 : 1) + (p.verified ? 0 : 1);
}
