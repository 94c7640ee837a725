import { describe, expect, it } from 'vitest';
import { isFirewallError } from '@firewall/core';
import { MemoryReplayGuard } from './memory-replay-guard.js';

/** A clock the test moves by hand. */
function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), at: () => t };
}

/** Park–Miller "minimal standard" generator: deterministic, exact in doubles (products stay below 2^46). */
function minstd(seed: number): (mod: number) => number {
  let state = seed;
  return (mod) => (state = (state * 48_271) % 2_147_483_647) % mod;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isFirewallError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('MemoryReplayGuard', () => {
  it('when a token is spent twice, then the second spend is replayed', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now });
    expect(await guard.spend('NYPD', 'jti-1', c.at() + 60_000)).toBe('fresh');
    expect(await guard.spend('NYPD', 'jti-1', c.at() + 60_000)).toBe('replayed');
    // The expiry a replay claims does not matter: the pair was spent.
    expect(await guard.spend('NYPD', 'jti-1', c.at() + 999_999)).toBe('replayed');
  });

  it('when two issuers use the same jti, then they are two tokens, and no separator makes two pairs collide', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now });
    const exp = c.at() + 60_000;
    expect(await guard.spend('NYPD', 'same', exp)).toBe('fresh');
    expect(await guard.spend('DHS', 'same', exp)).toBe('fresh');
    expect(await guard.spend('a|b', 'c', exp)).toBe('fresh');
    expect(await guard.spend('a', 'b|c', exp)).toBe('fresh');
    expect(await guard.spend('a","b', 'c', exp)).toBe('fresh');
    expect(await guard.spend('a', 'b","c', exp)).toBe('fresh');
    expect(await guard.spend('DHS', 'same', exp)).toBe('replayed');
    expect(guard.size).toBe(6);
  });

  it('when a token is past its expiry and retention, then it is forgotten', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now, retainAfterExpiryMs: 1_000 });
    const exp = c.at() + 10_000;
    expect(await guard.spend('NYPD', 'jti-1', exp)).toBe('fresh');
    c.advance(10_999); // expired, still within retention: remembered
    expect(await guard.spend('NYPD', 'jti-1', exp + 60_000)).toBe('replayed');
    c.advance(1); // retention over: the old entry is gone, the same pair with a new expiry is a new token
    expect(await guard.spend('NYPD', 'other', c.at() + 60_000)).toBe('fresh');
    expect(guard.size).toBe(1);
    expect(await guard.spend('NYPD', 'jti-1', c.at() + 60_000)).toBe('fresh');
  });

  it('when a token is already past its expiry and retention, then it is never fresh', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now, retainAfterExpiryMs: 0 });
    expect(await guard.spend('NYPD', 'late', c.at())).toBe('replayed');
    expect(await guard.spend('NYPD', 'late', c.at() - 1)).toBe('replayed');
    expect(guard.size).toBe(0);
  });

  it('when it is full of unexpired tokens, then it refuses, and no live token is evicted', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now, capacity: 3, retainAfterExpiryMs: 0 });
    for (const jti of ['a', 'b', 'c']) expect(await guard.spend('NYPD', jti, c.at() + 60_000)).toBe('fresh');
    const refused = await codeOf(guard.spend('NYPD', 'd', c.at() + 60_000));
    expect(refused).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
    const err = await guard.spend('NYPD', 'e', c.at() + 60_000).then(() => undefined, (e: unknown) => e);
    expect(isFirewallError(err) && err.retriable).toBe(true);
    // Every live token is still recognised, and the refused ones were not recorded.
    for (const jti of ['a', 'b', 'c']) expect(await guard.spend('NYPD', jti, c.at() + 60_000)).toBe('replayed');
    expect(await codeOf(guard.spend('NYPD', 'd', c.at() + 60_000))).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
    expect(guard.size).toBe(3);
  });

  it('when a full guard holds an entry past its expiry, then that entry frees the space', async () => {
    const c = clock();
    // A sweep batch of 1 so the full path, not the per-call sweep, has to find the expired entry.
    const guard = new MemoryReplayGuard({ now: c.now, capacity: 3, retainAfterExpiryMs: 0, sweepBatch: 1 });
    expect(await guard.spend('NYPD', 'short', c.at() + 1_000)).toBe('fresh');
    expect(await guard.spend('NYPD', 'long-1', c.at() + 60_000)).toBe('fresh');
    expect(await guard.spend('NYPD', 'long-2', c.at() + 60_000)).toBe('fresh');
    expect(await codeOf(guard.spend('NYPD', 'new', c.at() + 60_000))).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
    c.advance(1_000);
    expect(await guard.spend('NYPD', 'new', c.at() + 60_000)).toBe('fresh');
    expect(await guard.spend('NYPD', 'long-1', c.at() + 60_000)).toBe('replayed');
    expect(await guard.spend('NYPD', 'long-2', c.at() + 60_000)).toBe('replayed');
    expect(await codeOf(guard.spend('NYPD', 'newer', c.at() + 60_000))).toBe('PF_AUTH_REPLAY_UNAVAILABLE');
  });

  it('when many tokens with mixed expiries pass, then exactly the unexpired ones are remembered (heap order)', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now, retainAfterExpiryMs: 0, sweepBatch: 3 });
    const expiries = new Map<string, number>();
    // A fixed pseudo-random sequence: lifetimes out of order, so the heap, not insertion order, decides.
    const next = minstd(42);
    for (let i = 0; i < 2_000; i++) {
      const exp = c.at() + 1 + next(5_000);
      expiries.set(`t${i}`, exp);
      expect(await guard.spend('NYPD', `t${i}`, exp)).toBe('fresh');
      c.advance(1);
    }
    c.advance(2_000);
    // Each spend below sweeps at most 3; spending the known tokens checks each one's fate.
    for (const [jti, exp] of expiries) {
      expect(await guard.spend('NYPD', jti, c.at() + 60_000)).toBe(exp > c.at() ? 'replayed' : 'fresh');
    }
  });

  it('when a token expired but not yet swept is spent again, then its old heap slot never forgets the new entry', async () => {
    const c = clock();
    const guard = new MemoryReplayGuard({ now: c.now, retainAfterExpiryMs: 0, sweepBatch: 1 });
    for (const [jti, life] of [['a', 5], ['b', 6], ['c', 7]] as const) expect(await guard.spend('NYPD', jti, c.at() + life)).toBe('fresh');
    c.advance(100);
    // Sweeps 'a' only; 'c' is found expired, so it is a new token and its old slot (t+7) goes stale.
    expect(await guard.spend('NYPD', 'c', c.at() + 1_000)).toBe('fresh');
    expect(await guard.spend('NYPD', 'x', c.at() + 1_000)).toBe('fresh'); // sweeps 'b'
    expect(await guard.spend('NYPD', 'y', c.at() + 1_000)).toBe('fresh'); // sweeps the stale 'c' slot
    expect(await guard.spend('NYPD', 'c', c.at() + 1_000)).toBe('replayed');
  });

  it('when tokens of mixed lifetimes fill it, then it refuses exactly when every slot holds a live token', async () => {
    const c = clock();
    const capacity = 50;
    const guard = new MemoryReplayGuard({ now: c.now, capacity, retainAfterExpiryMs: 0, sweepBatch: 1 });
    const live: number[] = []; // the model: expiries of the tokens recorded
    const next = minstd(7);
    let refusals = 0;
    for (let i = 0; i < 3_000; i++) {
      c.advance(next(4));
      const exp = c.at() + 1 + next(300);
      const room = live.filter((e) => e > c.at()).length < capacity;
      const outcome = await guard.spend('NYPD', `t${i}`, exp).catch((err: unknown) => (isFirewallError(err) ? err.code : 'other'));
      expect(outcome).toBe(room ? 'fresh' : 'PF_AUTH_REPLAY_UNAVAILABLE');
      if (room) live.push(exp);
      else refusals++;
    }
    // The sequence must have exercised both sides.
    expect(refusals).toBeGreaterThan(100);
    expect(live.length).toBeGreaterThan(1_000);
  });

  it('when the jti is not a short non-empty string or the expiry is missing, then the token is refused as invalid', async () => {
    const guard = new MemoryReplayGuard();
    const exp = Date.now() + 60_000;
    const spend = guard.spend.bind(guard) as (i: unknown, j: unknown, e: unknown) => Promise<unknown>;
    expect(await codeOf(spend('NYPD', { id: 1 }, exp))).toBe('PF_AUTH_INVALID');
    expect(await codeOf(spend('NYPD', '', exp))).toBe('PF_AUTH_INVALID');
    expect(await codeOf(spend('NYPD', 'x'.repeat(257), exp))).toBe('PF_AUTH_INVALID');
    expect(await codeOf(spend(undefined, 'jti', exp))).toBe('PF_AUTH_INVALID');
    expect(await codeOf(spend('NYPD', 'jti', undefined))).toBe('PF_AUTH_INVALID');
    expect(await codeOf(spend('NYPD', 'jti', Number.POSITIVE_INFINITY))).toBe('PF_AUTH_INVALID');
    expect(await codeOf(spend('NYPD', 'x'.repeat(256), exp))).toBe('no error');
  });
});
