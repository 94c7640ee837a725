import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthError } from '@firewall/core';
import type { AgencyRegistry } from './agencies.js';

export const tokenAudience = 'sanctuary-firewall';
/** Asymmetric algorithms only: no `none`, and no HS* (a public key must never double as an HMAC secret). */
const algorithms = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'];

export interface Requester {
  readonly agency: string;
  readonly role: string | null;
}

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Requester>;
}

/**
 * Verifies the agency's bearer token against the keys registered for the agency it claims to be (`iss`),
 * with audience, expiry and one-time `jti` checks. Identity and `verified` come only from here.
 */
export function createAuthenticator(registry: AgencyRegistry, options: { now?: () => number; maxTokenAgeSeconds?: number } = {}): Authenticator {
  const keySets = new Map(Object.entries(registry.agencies).map(([code, a]) => [code, createLocalJWKSet(a.jwks)]));
  const seen = new Map<string, number>();
  const now = options.now ?? Date.now;

  const getKey: JWTVerifyGetKey = (header, token) => {
    const iss = decodeJwt(`${token.protected ?? ''}.${String(token.payload)}.`).iss;
    const keySet = iss ? keySets.get(iss) : undefined;
    if (!keySet) throw new AuthError('PF_AUTH_UNKNOWN_AGENCY', 'The token names an agency that is not registered.');
    return keySet(header, token);
  };

  return {
    async authenticate(authorization) {
      const match = /^Bearer ([A-Za-z0-9._~-]+)$/.exec(authorization ?? '');
      if (!match) throw new AuthError('PF_AUTH_MISSING', 'Send the agency token as "Authorization: Bearer <token>".');
      try {
        const { payload } = await jwtVerify(match[1]!, getKey, {
          algorithms,
          audience: tokenAudience,
          requiredClaims: ['iss', 'exp', 'jti'],
          maxTokenAge: `${options.maxTokenAgeSeconds ?? 3600}s`,
          currentDate: new Date(now()),
        });
        forgetExpired(seen, now());
        if (seen.has(payload.jti!)) throw new AuthError('PF_AUTH_REPLAYED', 'This token was already used: mint a new one per request.');
        seen.set(payload.jti!, payload.exp! * 1000);
        return { agency: payload.iss!, role: typeof payload.role === 'string' ? payload.role : null };
      } catch (err) {
        if (err instanceof AuthError) throw err;
        const reason = err instanceof errors.JWTExpired ? 'The token has expired.' : 'The token is not valid for this firewall.';
        throw new AuthError('PF_AUTH_INVALID', reason, { cause: err });
      }
    },
  };
}

function forgetExpired(seen: Map<string, number>, nowMs: number): void {
  for (const [jti, exp] of seen) if (exp < nowMs) seen.delete(jti);
}
