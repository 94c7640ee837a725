import { randomUUID } from 'node:crypto';
import { consume, topics, type Bus, type Codec, type Logger, type Release, type Subscription } from '@firewall/core';

interface Slot {
  release?: Release;
  notify?: (release: Release) => void;
}

/**
 * Releases the gateway is waiting for, fed by followReleases. Like PendingOutcomes for decisions: the gateway
 * tracks a request id before it publishes the request (a fast release is kept, never missed), waits with a
 * bound once the decision allows, and forgets the id whatever happened. Releases for untracked ids (another
 * gateway instance's requests) are ignored. The gateway never decrypts: it hands Release.payload over as is.
 */
export class PendingReleases {
  readonly #slots = new Map<string, Slot>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Starts keeping the release of this request. Call before publishing the request. */
  track(requestId: string): void {
    if (this.#slots.has(requestId)) return;
    this.#slots.set(requestId, {});
    // Bounded: the oldest tracked id is dropped first (its waiter, if any, times out).
    if (this.#slots.size > this.#capacity) this.#slots.delete(this.#slots.keys().next().value!);
  }

  /** The release of a tracked request, or undefined after timeoutMs (or when the id is not tracked). */
  wait(requestId: string, timeoutMs: number): Promise<Release | undefined> {
    const slot = this.#slots.get(requestId);
    if (!slot) return Promise.resolve(undefined);
    if (slot.release) return Promise.resolve(slot.release);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        slot.notify = undefined;
        resolve(undefined);
      }, timeoutMs);
      slot.notify = (release) => {
        clearTimeout(timer);
        resolve(release);
      };
    });
  }

  /** Stops tracking (after the answer, a DENY or REVIEW, or a timeout). */
  forget(requestId: string): void {
    this.#slots.delete(requestId);
  }

  settle(release: Release): void {
    const slot = this.#slots.get(release.requestId);
    if (!slot || slot.release) return; // not ours, or already settled (the first release counts)
    slot.release = release;
    slot.notify?.(release);
  }

  get size(): number {
    return this.#slots.size;
  }
}

/** Feeds releases to a PendingReleases: a new group per instance, so every gateway instance sees every release. */
export async function followReleases(deps: {
  readonly bus: Bus; readonly codec: Codec; readonly logger: Logger; readonly pending: PendingReleases; readonly group?: string;
}): Promise<Subscription> {
  return consume({
    bus: deps.bus, codec: deps.codec, logger: deps.logger, topic: topics.releases, fromBeginning: false,
    group: deps.group ?? `firewall-gateway-releases-${randomUUID()}`,
    handle: async (release) => deps.pending.settle(release),
  });
}
