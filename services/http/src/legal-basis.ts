import { isPlainObject, type RecordRequest } from '@firewall/core';

type LegalBasis = NonNullable<RecordRequest['legalBasis']>;

/**
 * The facts a verified legal-process credential carries (its signature, issuer, audience, agency and subjects
 * already checked by `verifyCredential`). Absent facts are absent, never defaulted.
 */
export interface VerifiedLegalFacts {
  readonly type: string;
  readonly issuer: string;
  readonly credentialId: string;
  readonly court?: string;
  readonly judgeSigned?: boolean;
  readonly verified?: boolean;
  readonly expires?: string;
  readonly namedSubjects?: number;
  readonly listedFields?: readonly string[];
  readonly criminalPredicate?: string;
}

const dataUseAgreement = 'DATA_USE_AGREEMENT';
const absentFacts = { court: null, judgeSigned: null, verified: null, expires: null, namedSubjects: null, listedFields: null, criminalPredicate: null, verifiedBy: null };

/**
 * The attestations the policy is given. The requester's own undertakings (`NO_ONWARD_IMMIGRATION_SHARING`) are
 * the authenticated agency's word, binding on it, and kept; a claim that the city signed a data use agreement with
 * it is a fact about someone else's document, kept only with a verified DATA_USE_AGREEMENT credential.
 */
export function attestationsForPolicy(attestations: unknown, credential: VerifiedLegalFacts | null): unknown {
  if (!Array.isArray(attestations)) return attestations;
  return credential?.type === dataUseAgreement ? attestations : attestations.filter((a) => a !== dataUseAgreement);
}

/**
 * The legal basis the policy is given, built from what the firewall verified and nothing else.
 *
 * - With a verified credential, every fact is the credential's; the body's legal basis is not read at all.
 * - Without one, only the body's `type` is kept (a DATA_USE_AGREEMENT not even that: it becomes NONE) — as a routing label (R5, R6 and R16 send such requests to a
 *   reviewer, who checks the paper) — and every fact is what nothing was shown: not verified, not
 *   judge-signed, no court, no expiry, no named subjects, no listed fields, no criminal predicate. Under
 *   POLICY-DOMAIN.md that is a DENY or a REVIEW, never a release.
 */
export function legalBasisForPolicy(bodyBasis: unknown, credential: VerifiedLegalFacts | null): LegalBasis | null {
  if (credential) {
    return {
      type: credential.type,
      court: credential.court ?? null,
      judgeSigned: credential.judgeSigned ?? null,
      verified: credential.verified ?? null,
      expires: credential.expires ?? null,
      namedSubjects: credential.namedSubjects ?? null,
      listedFields: credential.listedFields ? [...credential.listedFields] : null,
      criminalPredicate: credential.criminalPredicate ?? null,
      verifiedBy: credential.issuer,
    };
  }
  if (!isPlainObject(bodyBasis)) return bodyBasis === undefined || bodyBasis === null ? null : (bodyBasis as LegalBasis);
  // A data use agreement is a document of the city's, and R20 grants on its type alone: unverified, it is no basis.
  if (bodyBasis.type === dataUseAgreement) return { ...absentFacts, type: 'NONE' };
  // A non-string type is left for the schema check to refuse with its path.
  return { ...absentFacts, type: bodyBasis.type as string };
}

