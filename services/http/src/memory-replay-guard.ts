import type { ReplayGuard } from './replay-guard.js';
import { checkSpend, nonNegative, positiveInteger, replayUnavailable } from './replay-input.js';

export interface MemoryReplayGuardOptions {
  /** Most tokens remembered at once (default 1,000,000). When that many are unexpired, spends are refused. */
  readonly capacity?: number;
  /** How long past its expiry a token is still remembered (default 60 s): covers the verifier's clock tolerance. */
  readonly retainAfterExpiryMs?: number;
  /** Most expired entries dropped per spend while there is room (default 64): the sweep is spread over calls. */
  readonly sweepBatch?: number;
  readonly now?: () => number;
}

/**
 * The replay guard of the embedded mode: one process, so a Map is the whole truth. Keyed by the JSON tuple
 * [issuer, jti], so ("a|b", "c") and ("a", "b|c") are two tokens. Bounded: when it is full of unexpired tokens
 * it refuses (PF_AUTH_REPLAY_UNAVAILABLE) instead of evicting one, because an evicted token could be replayed.
 * Expiries sit in a min-heap, so forgetting costs O(log n) per token, paid a few at a time by later spends.
 */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #capacity: number;
  readonly #retainMs: number;
  readonly #sweepBatch: number;
  readonly #now: () => number;
  /** key → the time from which it may be forgotten (expiry + retention). Holds only live entries once swept. */
  readonly #forgetAt = new Map<string, number>();
  readonly #heap = new ExpiryHeap();

  constructor(options: MemoryReplayGuardOptions = {}) {
    this.#capacity = positiveInteger(options.capacity ?? 1_000_000, 'capacity');
    this.#retainMs = nonNegative(options.retainAfterExpiryMs ?? 60_000, 'retainAfterExpiryMs');
    this.#sweepBatch = positiveInteger(options.sweepBatch ?? 64, 'sweepBatch');
    this.#now = options.now ?? Date.now;
  }

  /** Tokens currently remembered (expired ones not yet swept included). */
  get size(): number {
    return this.#forgetAt.size;
  }

  async spend(issuer: string, jti: string, expiresAtMs: number): Promise<'fresh' | 'replayed'> {
    checkSpend(issuer, jti, expiresAtMs);
    const now = this.#now();
    this.#sweep(now, this.#sweepBatch);
    const forgetAt = expiresAtMs + this.#retainMs;
    // Already past the time it could be remembered: a second spend could not be recognised, so none is fresh.
    if (forgetAt <= now) return 'replayed';
    const key = JSON.stringify([issuer, jti]);
    const known = this.#forgetAt.get(key);
    if (known !== undefined && known > now) return 'replayed';
    // An expired entry the batched sweep has not reached yet: its heap slot becomes stale and is skipped later.
    if (known !== undefined) this.#forgetAt.delete(key);
    if (this.#forgetAt.size >= this.#capacity) {
      this.#sweep(now, Number.POSITIVE_INFINITY);
      if (this.#forgetAt.size >= this.#capacity) {
        throw replayUnavailable(`The replay guard is full (${this.#capacity} unexpired tokens): refusing rather than forgetting a live token.`);
      }
    }
    this.#forgetAt.set(key, forgetAt);
    this.#heap.push(forgetAt, key);
    return 'fresh';
  }

  async close(): Promise<void> {
    this.#forgetAt.clear();
    this.#heap.clear();
  }

  #sweep(now: number, limit: number): void {
    for (let dropped = 0; dropped < limit; dropped++) {
      const top = this.#heap.peekAt();
      if (top === undefined || top > now) return;
      const [at, key] = this.#heap.pop();
      // Only the slot that matches the live entry removes it; a stale slot (the key was re-spent) is just dropped.
      if (this.#forgetAt.get(key) === at) this.#forgetAt.delete(key);
    }
  }
}

/** A binary min-heap of (time, key) in two parallel arrays: no object per entry. */
class ExpiryHeap {
  #at: number[] = [];
  #keys: string[] = [];

  peekAt(): number | undefined {
    return this.#at[0];
  }

  clear(): void {
    this.#at = [];
    this.#keys = [];
  }

  push(at: number, key: string): void {
    let i = this.#at.length;
    this.#at.push(at);
    this.#keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#at[parent]! <= at) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#at[i] = at;
    this.#keys[i] = key;
  }

  /** Removes the earliest entry; call only when peekAt() is defined. */
  pop(): [number, string] {
    const top: [number, string] = [this.#at[0]!, this.#keys[0]!];
    const lastAt = this.#at.pop()!;
    const lastKey = this.#keys.pop()!;
    const n = this.#at.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.#at[right]! < this.#at[left]! ? right : left;
      if (this.#at[child]! >= lastAt) break;
      this.#move(child, i);
      i = child;
    }
    this.#at[i] = lastAt;
    this.#keys[i] = lastKey;
    return top;
  }

  #move(from: number, to: number): void {
    this.#at[to] = this.#at[from]!;
    this.#keys[to] = this.#keys[from]!;
  }
}
