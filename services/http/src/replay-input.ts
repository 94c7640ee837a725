import { AuthError } from '@firewall/core';

/** Longest issuer or jti a guard records: a UUID is 36 characters; a bound keeps one entry's memory bounded. */
export const MAX_REPLAY_ID_LENGTH = 256;

/**
 * The checks both guards make before recording anything. A token whose jti is not a short non-empty string, or
 * that has no finite expiry, cannot be remembered soundly (an object compares by identity, an unbounded token
 * would have to be kept forever): it is refused as PF_AUTH_INVALID, never let through and never a crash.
 */
export function checkSpend(issuer: unknown, jti: unknown, expiresAtMs: unknown): void {
  if (!isId(issuer)) throw new AuthError('PF_AUTH_INVALID', `The token's issuer must be a non-empty string of at most ${MAX_REPLAY_ID_LENGTH} characters.`);
  if (!isId(jti)) throw new AuthError('PF_AUTH_INVALID', `The token's jti must be a non-empty string of at most ${MAX_REPLAY_ID_LENGTH} characters.`);
  if (typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs)) throw new AuthError('PF_AUTH_INVALID', 'A single-use token must carry an expiry (exp).');
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_REPLAY_ID_LENGTH;
}

/** The guard could not tell whether the token was spent: refuse it (retriable), never treat it as fresh. */
export function replayUnavailable(message: string, cause?: unknown): AuthError {
  return new AuthError('PF_AUTH_REPLAY_UNAVAILABLE', message, { cause, retriable: true });
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

export function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number ≥ 0`);
  return value;
}
