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
