import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthError, isFirewallError } from '@firewall/core';
import { grantsRole, type AgencyRegistry } from './agencies.js';
import { credentialMediaType } from './credentials.js';
import { signingAlgorithms } from './jwks.js';
import { RateLimitedError, type RateLimiter } from './rate-limit.js';
import type { ReplayGuard } from './replay-guard.js';

export const tokenAudience = 'sanctuary-firewall';
/** A `jti` is a short printable string: anything else (an object, an array, a megabyte) is not an id. */
const JTI = /^[\x21-\x7e]{1,200}$/;
/** Tolerated clock difference between an agency and the firewall. */
const SKEW_SECONDS = 60;

export interface Requester {
  readonly agency: string;
  /** A role the registry grants this agency and the token asked for; null when it asked for none. */
  readonly role: string | null;
}

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Requester>;
}

export interface AuthenticatorOptions {
  /** Where spent tokens are remembered: shared by every gateway that accepts the same tokens. */
  readonly replay: ReplayGuard;
  /** The longest a token may live, from `iat` to `exp` (default 1 h). */
  readonly maxLifetimeSeconds?: number;
  /**
   * Per-agency request rate, checked once the signature names the agency and before the token is spent: a flood from
   * one agency costs no replay-table write and cannot fill the replay guard for everyone else.
   */
  readonly perAgency?: RateLimiter;
  readonly now?: () => number;
}

/**
 * Verifies an agency's bearer token against the keys the registry holds for the agency it names (`iss`): audience,
 * `exp` and `iat` within the maximum lifetime, a single use of (`iss`, `jti`), and a `role` only if the registry
 * grants it. Identity and roles come only from here, never from a request body.
 */
export function createAuthenticator(registry: AgencyRegistry, options: AuthenticatorOptions): Authenticator {
  const keySets = new Map(Object.entries(registry.agencies).map(([code, a]) => [code, createLocalJWKSet(a.jwks)]));
  const now = options.now ?? Date.now;
  const maxLifetime = options.maxLifetimeSeconds ?? 3600;

  const getKey: JWTVerifyGetKey = (header, token) => {
    const iss = decodeJwt(`${token.protected ?? ''}.${String(token.payload)}.`).iss;
    const keySet = typeof iss === 'string' && Object.hasOwn(registry.agencies, iss) ? keySets.get(iss) : undefined;
    if (!keySet) throw new AuthError('PF_AUTH_UNKNOWN_AGENCY', 'The token names an agency that is not registered.');
    return keySet(header, token);
  };

  return {
    async authenticate(authorization) {
      const match = /^Bearer ([A-Za-z0-9._~-]{1,8192})$/.exec(authorization ?? '');
      if (!match) throw new AuthError('PF_AUTH_MISSING', 'Send the agency token as "Authorization: Bearer <token>".');
      let payload;
      let protectedHeader;
      try {
        ({ payload, protectedHeader } = await jwtVerify(match[1]!, getKey, {
          algorithms: [...signingAlgorithms],
          audience: tokenAudience,
          requiredClaims: ['iss', 'exp', 'iat', 'jti'],
          maxTokenAge: `${maxLifetime}s`,
          clockTolerance: SKEW_SECONDS,
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if (isFirewallError(err)) throw err;
        const reason = err instanceof errors.JWTExpired ? 'The token has expired.' : 'The token is not valid for this firewall.';
        throw new AuthError('PF_AUTH_INVALID', reason, { cause: err });
      }
      // A legal-process credential is not an identity, even where an agency and an issuer share a key.
      if (protectedHeader.typ === credentialMediaType) throw new AuthError('PF_AUTH_INVALID', 'A legal-process credential is not an agency token: send it as legalBasis.credential.');
      const { iss, jti, exp, iat } = payload as { iss: string; jti: unknown; exp: number; iat: number };
      if (typeof jti !== 'string' || !JTI.test(jti)) throw new AuthError('PF_AUTH_INVALID', 'The token\'s jti must be a string of 1 to 200 printable characters.');
      // `maxTokenAge` bounds the age since `iat`; a token must not be minted to live longer either.
      if (exp - iat > maxLifetime || exp - now() / 1000 > maxLifetime + SKEW_SECONDS) {
        throw new AuthError('PF_AUTH_INVALID', `The token lives too long: at most ${maxLifetime} s from iat to exp.`);
      }
      const wait = options.perAgency?.take(iss) ?? 0;
      if (wait) throw new RateLimitedError('agency', wait);
      if ((await options.replay.spend(iss, jti, exp * 1000)) === 'replayed') {
        throw new AuthError('PF_AUTH_REPLAYED', 'This token was already used: mint a new one per request.');
      }
      const role = payload.role;
      if (role === undefined || role === null) return { agency: iss, role: null };
      if (typeof role !== 'string' || !grantsRole(registry, iss, role)) {
        throw new AuthError('PF_AUTH_ROLE_NOT_GRANTED', 'The token asks for a role the agency registry does not grant to this agency.');
      }
      return { agency: iss, role };
    },
  };
}

/** Passes only a requester holding `role` (granted by the registry); otherwise PF_AUTH_FORBIDDEN (403). */
export function requireRole(requester: Requester, role: string, what: string): Requester {
  if (requester.role !== role) throw new AuthError('PF_AUTH_FORBIDDEN', `${what} needs a token with role "${role}", granted to the agency in the registry.`);
  return requester;
}
