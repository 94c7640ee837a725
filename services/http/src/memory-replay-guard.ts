import { AuthError } from '@firewall/core';
import type { ReplayGuard } from './replay-guard.js';

/** PLACEHOLDER until the wt-replay branch lands: one process's spent tokens, bounded. */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #spent = new Map<string, number>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { capacity?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? 1_000_000;
    this.#now = options.now ?? Date.now;
  }

  async spend(issuer: string, jti: string, expiresAtMs: number): Promise<'fresh' | 'replayed'> {
    const key = JSON.stringify([issuer, jti]);
    const now = this.#now();
    const known = this.#spent.get(key);
    if (known !== undefined && known >= now) return 'replayed';
    if (this.#spent.size >= this.#capacity) for (const [k, exp] of this.#spent) if (exp < now) this.#spent.delete(k);
    if (this.#spent.size >= this.#capacity) throw new AuthError('PF_AUTH_REPLAY_UNAVAILABLE', 'Too many live tokens to remember: try again shortly.', { retriable: true });
    this.#spent.set(key, expiresAtMs);
    return 'fresh';
  }
}
