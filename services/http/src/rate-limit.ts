import { FirewallError } from '@firewall/core';

/** A request rate: `perSecond` on average, bursts of up to `burst`. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * Token buckets by key (an agency, a source address), in memory: one bucket per key, at most `maxKeys` of them
 * (the longest idle forgotten first, which at worst gives that key a fresh burst).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #rate: Rate;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(rate: Rate, options: { maxKeys?: number; now?: () => number } = {}) {
    this.#rate = rate;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds to wait before the next one. */
  take(key: string): number {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#rate.burst, at: now };
    this.#buckets.delete(key); // re-inserted last: the Map's order is least recently used first
    bucket.tokens = Math.min(this.#rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    return allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate.perSecond));
  }
}

/** A refusal for going over a rate: the edge answers 429 with `Retry-After`. */
export class RateLimitedError extends FirewallError {
  readonly retryAfterSeconds: number;

  constructor(who: string, retryAfterSeconds: number) {
    super('PF_RATE_LIMITED', `Too many requests from this ${who}: wait ${retryAfterSeconds} s and try again.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
