import { FirewallError, isPlainObject, type RecordRequest } from '@firewall/core';
import { attestationsForPolicy, legalBasisForPolicy, type CredentialVerifier, type VerifiedLegalFacts } from '@firewall/http';

/**
 * The legal basis and attestations a request goes to the policy with. A credential (`legalBasis.credential`, a
 * compact JWS from a registered legal issuer) is verified for this agency and these subjects, and its facts are
 * the only facts; without one, only the basis type is kept (see legalBasisForPolicy and attestationsForPolicy). A credential that does not verify is refused
 * with its PF_CREDENTIAL_* code — never quietly treated as absent, so the requester learns why.
 */
export async function legalProcessOf(
  body: { legalBasis?: unknown; attestations?: unknown; subjectIds?: unknown; subjects?: unknown }, agency: string, verifier: CredentialVerifier | undefined,
): Promise<{ legalBasis?: RecordRequest['legalBasis']; attestations?: unknown }> {
  const facts = await verifiedFacts(body, agency, verifier);
  const legalBasis = legalBasisForPolicy(body.legalBasis, facts);
  return {
    // Anything but absent or null goes on to the schema check (a `false` is refused there, not dropped here).
    ...(legalBasis !== null && legalBasis !== undefined ? { legalBasis } : {}),
    ...(body.attestations !== undefined ? { attestations: attestationsForPolicy(body.attestations, facts) } : {}),
  };
}

async function verifiedFacts(
  body: { legalBasis?: unknown; subjectIds?: unknown; subjects?: unknown }, agency: string, verifier: CredentialVerifier | undefined,
): Promise<VerifiedLegalFacts | null> {
  const credential = isPlainObject(body.legalBasis) ? body.legalBasis.credential : undefined;
  if (credential === undefined || credential === null) return null;
  if (typeof credential !== 'string') throw new FirewallError('PF_CREDENTIAL_INVALID', 'legalBasis.credential must be a compact JWS string.', { details: ['legalBasis.credential'] });
  if (!verifier) throw new FirewallError('PF_CREDENTIAL_UNKNOWN_ISSUER', 'This firewall has no registry of legal issuers: credentials cannot be checked here.', { details: ['legalBasis.credential'] });
  const ids = Array.isArray(body.subjectIds) ? body.subjectIds.filter((id): id is string => typeof id === 'string') : [];
  const count = isPlainObject(body.subjects) && typeof body.subjects.count === 'number' ? body.subjects.count : undefined;
  return verifier.verify(credential, { agency, subjectIds: ids, ...(count !== undefined ? { subjectCount: count } : {}) });
}
