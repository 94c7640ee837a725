import { FirewallError, isPlainObject, type RecordRequest } from '@firewall/core';
import { legalBasisForPolicy, type CredentialVerifier } from '@firewall/http';

/**
 * The legal basis a request goes to the policy with. A credential (`legalBasis.credential`, a compact JWS from a
 * registered legal issuer) is verified for this agency and these subjects, and its facts are the only facts;
 * without one, only the basis type is kept (see legalBasisForPolicy). A credential that does not verify is refused
 * with its PF_CREDENTIAL_* code — never quietly treated as absent, so the requester learns why.
 */
export async function legalBasisOf(
  bodyBasis: unknown, agency: string, request: { subjectIds?: unknown; subjects?: unknown }, verifier: CredentialVerifier | undefined,
): Promise<RecordRequest['legalBasis']> {
  const credential = isPlainObject(bodyBasis) ? bodyBasis.credential : undefined;
  if (credential === undefined || credential === null) return legalBasisForPolicy(bodyBasis, null);
  if (typeof credential !== 'string') throw new FirewallError('PF_CREDENTIAL_INVALID', 'legalBasis.credential must be a compact JWS string.', { details: ['legalBasis.credential'] });
  if (!verifier) throw new FirewallError('PF_CREDENTIAL_UNKNOWN_ISSUER', 'This firewall has no registry of legal issuers: credentials cannot be checked here.', { details: ['legalBasis.credential'] });
  const ids = Array.isArray(request.subjectIds) ? request.subjectIds.filter((id): id is string => typeof id === 'string') : [];
  const count = isPlainObject(request.subjects) && typeof request.subjects.count === 'number' ? request.subjects.count : undefined;
  const facts = await verifier.verify(credential, { agency, subjectIds: ids, ...(count !== undefined ? { subjectCount: count } : {}) });
  return legalBasisForPolicy(bodyBasis, facts);
}
