import { describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, createLogger, topics, type Release } from '@firewall/core';
import { PendingReleases, followReleases } from './pending-releases.js';

const release = (requestId: string, outcome = 'RELEASED'): Release => ({
  requestId, releasedAt: new Date().toISOString(), authority: 'DECISION', authorityDigest: 'a'.repeat(64), outcome,
  failure: outcome === 'FAILED' ? 'PF_ADAPTER_TIMEOUT' : null, recordCount: 1, fields: ['offense'], transformed: [], alerts: [], payload: outcome === 'FAILED' ? null : 'h.k.i.c.t',
});

describe('PendingReleases', () => {
  it('keeps a release that arrives before the wait starts, and hands over one that arrives during it', async () => {
    const pending = new PendingReleases();
    pending.track('early');
    pending.settle(release('early'));
    expect(await pending.wait('early', 10)).toMatchObject({ requestId: 'early' });
    pending.track('late');
    const waiting = pending.wait('late', 1_000);
    pending.settle(release('late', 'FAILED'));
    expect(await waiting).toMatchObject({ requestId: 'late', outcome: 'FAILED' });
  });

  it('answers undefined after the bound, and for ids it does not track; forgets on request', async () => {
    const pending = new PendingReleases();
    pending.track('slow');
    expect(await pending.wait('slow', 20)).toBeUndefined();
    pending.settle(release('other-gateway'));
    expect(await pending.wait('other-gateway', 5)).toBeUndefined();
    pending.forget('slow');
    expect(pending.size).toBe(0);
  });

  it('is bounded: the oldest tracked id goes first', () => {
    const pending = new PendingReleases(2);
    for (const id of ['a', 'b', 'c']) pending.track(id);
    expect(pending.size).toBe(2);
  });

  it('is fed from firewall.releases.v1', async () => {
    const bus = new MemoryBus();
    const pending = new PendingReleases();
    await followReleases({ bus, codec: avroCodec, logger: createLogger({ service: 't', level: 'silent' }), pending });
    pending.track('r1');
    const waiting = pending.wait('r1', 1_000);
    await bus.publish(topics.releases, 'r1', await avroCodec.encode(topics.releases, release('r1')));
    expect(await waiting).toMatchObject({ requestId: 'r1', payload: 'h.k.i.c.t' });
  });
});
