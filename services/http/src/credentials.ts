import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { FirewallError } from '@firewall/core';
import { ClaimProblem, isCredentialType, readClaims, type CredentialClaims } from './credential-claims.js';
import type { IssuerRegistry } from './issuers.js';
import { signingAlgorithms as credentialAlgorithms } from './jwks.js';
import type { VerifiedLegalFacts } from './legal-basis.js';

/** The firewall's audience, shared with agency tokens: a credential issued for another service is refused. */
export const credentialAudience = 'sanctuary-firewall';
/**
 * The JOSE `typ` every credential carries (RFC 8725 §3.11 explicit typing): a credential can never be taken for
 * an agency token or any other JWT signed with the same key, and the other way round.
 */
export const credentialMediaType = 'legal-credential+jwt';
/** Header members that would let the token choose its own key: the key comes from the registry, only. */
const headerKeyMembers = ['jwk', 'jku', 'x5u', 'x5c'];
const maxCompactLength = 32_768;
/** How far an issuer's clock may run ahead of ours before its `iat` is taken as a forgery. */
const clockSkewSeconds = 60;
/** The longest a credential may be valid (`exp` − `iat`) unless the caller says otherwise: an issuer re-issues, a leak ages out. */
export const defaultMaxLifetimeSeconds = 7 * 24 * 3600;

export type CredentialErrorCode =
  | 'PF_CREDENTIAL_INVALID'
  | 'PF_CREDENTIAL_EXPIRED'
  | 'PF_CREDENTIAL_UNKNOWN_ISSUER'
  | 'PF_CREDENTIAL_TYPE_NOT_ALLOWED'
  | 'PF_CREDENTIAL_WRONG_AGENCY'
  | 'PF_CREDENTIAL_WRONG_SUBJECT';

/**
 * A refused credential. Messages and details carry codes and claim NAMES only, never claim values (a court
 * name or a predicate can be personal data), and no jose error as cause (its `payload` holds the claims).
 */
export class CredentialError extends FirewallError<CredentialErrorCode> {}

/**
 * HTTP status per refusal: a malformed or altered credential is a bad request (400); a well-formed one that
 * does not authorize this request — expired, from an office the firewall does not know, of a type its issuer
 * may not certify, issued to another agency or for other people — is forbidden (403).
 */
export const credentialStatusByCode: Readonly<Record<CredentialErrorCode, number>> = {
  PF_CREDENTIAL_INVALID: 400,
  PF_CREDENTIAL_EXPIRED: 403,
  PF_CREDENTIAL_UNKNOWN_ISSUER: 403,
  PF_CREDENTIAL_TYPE_NOT_ALLOWED: 403,
  PF_CREDENTIAL_WRONG_AGENCY: 403,
  PF_CREDENTIAL_WRONG_SUBJECT: 403,
};

/**
 * How a credential names a subject: SHA-256 of the identifier's UTF-8 bytes exactly as the request gives it
 * (no trimming, no case folding), base64url without padding. The issuer does not hold the firewall's keyed-hash
 * key; a digest keeps identifiers out of the token.
 */
export function subjectDigest(subjectId: string): string {
  return createHash('sha256').update(subjectId, 'utf8').digest('base64url');
}

export interface CredentialBinding {
  /** The agency the bearer token authenticated (never the body's claim). */
  readonly agency: string;
  /** The request's subject identifiers (`subjectIds`; empty when it names none). */
  readonly subjectIds: readonly string[];
  /** The request's `subjects.count`, when it has one. */
  readonly subjectCount?: number;
}

export interface CredentialVerifier {
  verify(compactJws: string, binding: CredentialBinding): Promise<VerifiedLegalFacts>;
}

/**
 * Verifies a legal-process credential against the issuer registry and binds it to the request.
 *
 * Signature: asymmetric algorithms only, with a key from the registered JWKS of the issuer the credential
 * names (`iss`); header-supplied keys are refused. Claims: `aud` is the firewall, `typ` is
 * `legal-credential+jwt`, `iss`, `iat`, `exp` (at most `maxLifetimeSeconds` after `iat`), `jti`, `agency` and
 * `type` are required, every fact has its type. Then: the issuer may certify `type`; `agency` is the
 * authenticated agency; subjects (below). A credential is not single-use: one warrant serves every request
 * it covers, so `jti` identifies it in the audit, it is not a replay nonce.
 *
 * Subjects, the most protective reading:
 * - A credential that lists `subjects` covers exactly those people: the request must name at least one
 *   subject, every one it names must be listed, and its `subjects.count` may not exceed the number it names
 *   (a count beyond the named ids asks about people the credential is not shown to cover).
 * - A credential without `subjects` names nobody: a request naming any subject id is refused, and its facts
 *   say `namedSubjects: 0`, so the policy's "covers" (namedSubjects ≥ subjects.count) fails for every
 *   record-level request about anyone. What remains is what needs no coverage (an aggregate request, or
 *   R20's data use agreement).
 * `namedSubjects` in the facts is always the number of subjects the credential lists, never absent (absent
 * would mean "covers any count" to the policy).
 */
export function createCredentialVerifier(
  registry: IssuerRegistry,
  options: { now?: () => number; maxLifetimeSeconds?: number } = {},
): CredentialVerifier {
  const keySets = new Map(Object.entries(registry.issuers).map(([code, issuer]) => [code, createLocalJWKSet(issuer.jwks)]));
  const now = options.now ?? Date.now;
  const maxLifetimeSeconds = options.maxLifetimeSeconds ?? defaultMaxLifetimeSeconds;

  const getKey: JWTVerifyGetKey = (header, token) => {
    let iss: unknown;
    try {
      iss = decodeJwt(`${token.protected ?? ''}.${String(token.payload)}.`).iss;
    } catch {
      throw refuse('PF_CREDENTIAL_INVALID', 'The credential is not a compact JWS with a JSON claims set.');
    }
    const keySet = typeof iss === 'string' && Object.hasOwn(registry.issuers, iss) ? keySets.get(iss) : undefined;
    if (!keySet) throw refuse('PF_CREDENTIAL_UNKNOWN_ISSUER', 'The credential names an issuer ("iss") that is not in the issuer registry.', ['iss']);
    return keySet(header, token);
  };

  async function verifySignature(compactJws: unknown) {
    if (typeof compactJws !== 'string' || compactJws.length > maxCompactLength || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(compactJws)) {
      throw refuse('PF_CREDENTIAL_INVALID', 'The credential must be one compact JWS (three base64url parts, signed).');
    }
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(compactJws) as Record<string, unknown>;
    } catch {
      throw refuse('PF_CREDENTIAL_INVALID', 'The credential header is not a JSON object.');
    }
    const supplied = headerKeyMembers.filter((m) => m in header);
    if (supplied.length) {
      throw refuse('PF_CREDENTIAL_INVALID', `The credential header carries its own key (${supplied.join(', ')}): keys come from the issuer registry only.`, supplied.map((m) => `header.${m}`));
    }
    try {
      const { payload } = await jwtVerify(compactJws, getKey, {
        algorithms: [...credentialAlgorithms],
        audience: credentialAudience,
        typ: credentialMediaType,
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
        currentDate: new Date(now()),
      });
      return payload;
    } catch (err) {
      if (err instanceof CredentialError) throw err;
      if (err instanceof errors.JWTExpired) throw refuse('PF_CREDENTIAL_EXPIRED', 'The credential has expired ("exp"): ask its issuer for a new one.', ['exp']);
      if (err instanceof errors.JWKSNoMatchingKey) {
        throw refuse('PF_CREDENTIAL_UNKNOWN_ISSUER', 'The credential is signed with a key its issuer has not registered.', ['kid']);
      }
      if (err instanceof errors.JWTClaimValidationFailed) {
        throw refuse('PF_CREDENTIAL_INVALID', `The credential's "${err.claim}" claim is missing or not valid for this firewall.`, [err.claim]);
      }
      if (err instanceof errors.JOSEAlgNotAllowed) throw refuse('PF_CREDENTIAL_INVALID', `The credential's algorithm is not one of ${credentialAlgorithms.join(', ')}.`, ['header.alg']);
      throw refuse('PF_CREDENTIAL_INVALID', 'The credential is malformed, altered or its signature does not verify.');
    }
  }

  return {
    async verify(compactJws, binding) {
      const payload = await verifySignature(compactJws);
      let claims: CredentialClaims;
      try {
        claims = readClaims(payload);
      } catch (err) {
        if (err instanceof ClaimProblem) throw refuse('PF_CREDENTIAL_INVALID', err.message, [err.claim]);
        throw err;
      }
      const nowSeconds = Math.floor(now() / 1000);
      if (claims.iat > nowSeconds + clockSkewSeconds) throw refuse('PF_CREDENTIAL_INVALID', 'The credential is issued in the future ("iat").', ['iat']);
      if (claims.exp - claims.iat > maxLifetimeSeconds) {
        throw refuse('PF_CREDENTIAL_INVALID', `The credential is valid for longer than ${maxLifetimeSeconds} seconds ("exp" − "iat"): ask its issuer for a shorter one.`, ['exp', 'iat']);
      }
      const issuer = registry.issuers[claims.iss]!;
      if (!isCredentialType(claims.type) || !issuer.types.includes(claims.type)) {
        throw refuse('PF_CREDENTIAL_TYPE_NOT_ALLOWED', 'The credential\'s issuer is not registered to certify its basis type ("type").', ['type']);
      }
      if (claims.agency !== binding.agency) {
        throw refuse('PF_CREDENTIAL_WRONG_AGENCY', 'The credential is issued to another agency ("agency") than the one whose token made this request.', ['agency']);
      }
      checkSubjects(claims.subjects, binding);
      return factsOf(claims);
    },
  };
}

function checkSubjects(subjects: readonly string[] | undefined, binding: CredentialBinding): void {
  const listed = new Set(subjects ?? []);
  const named = new Set(binding.subjectIds);
  if (subjects && named.size === 0) {
    throw refuse('PF_CREDENTIAL_WRONG_SUBJECT', 'The credential covers named subjects ("subjects"): the request must name who it is about (subjectIds).', ['subjects', 'subjectIds']);
  }
  for (const id of named) {
    if (!listed.has(subjectDigest(id))) {
      throw refuse('PF_CREDENTIAL_WRONG_SUBJECT', 'The request names a subject the credential does not cover ("subjects").', ['subjects', 'subjectIds']);
    }
  }
  if (subjects && binding.subjectCount !== undefined && binding.subjectCount > named.size) {
    throw refuse('PF_CREDENTIAL_WRONG_SUBJECT', 'The request counts more subjects (subjects.count) than it names: the credential covers only the people it lists.', ['subjects.count', 'subjectIds']);
  }
}

function factsOf(claims: CredentialClaims): VerifiedLegalFacts {
  return {
    type: claims.type,
    issuer: claims.iss,
    credentialId: claims.jti,
    namedSubjects: claims.subjects?.length ?? 0,
    ...(claims.type === 'SUBJECT_AUTHORIZATION' ? { verified: true } : {}),
    ...(claims.court !== undefined ? { court: claims.court } : {}),
    ...(claims.judgeSigned !== undefined ? { judgeSigned: claims.judgeSigned } : {}),
    ...(claims.expires !== undefined ? { expires: claims.expires } : {}),
    ...(claims.listedFields !== undefined ? { listedFields: claims.listedFields } : {}),
    ...(claims.criminalPredicate !== undefined ? { criminalPredicate: claims.criminalPredicate } : {}),
  };
}

function refuse(code: CredentialErrorCode, message: string, details: readonly string[] = []): CredentialError {
  return new CredentialError(code, message, { details });
}
