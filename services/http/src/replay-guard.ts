import { AuthError } from '@firewall/core';

/**
 * Single use of a token: `spend` records (issuer, jti) until the token expires and says whether it was
 * already spent. One guard must be shared by every gateway that accepts the same tokens (in Kafka mode a
 * PostgreSQL table with a unique key), or a token refused by one is accepted by the next.
 */
export interface ReplayGuard {
  /** 'fresh' the first time a (issuer, jti) pair is spent, 'replayed' after; throws (fail closed) when it cannot tell. */
  spend(issuer: string, jti: string, expiresAtMs: number): Promise<'fresh' | 'replayed'>;
  close?(): Promise<void>;
}

/**
 * For a process that must accept no token (over Kafka, without the shared table): every token is refused, fail
 * closed, so a token spent elsewhere can never be spent again here.
 */
export const refusingReplayGuard: ReplayGuard = {
  async spend() {
    throw new AuthError('PF_AUTH_REPLAY_UNAVAILABLE', 'This process accepts no tokens: single use cannot be checked without FIREWALL_REPLAY_DATABASE_URL.');
  },
};
