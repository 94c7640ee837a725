import { randomUUID } from 'node:crypto';
import { consume, topics, type Bus, type Codec, type Logger, type Subscription } from '@firewall/core';
import type { PendingOutcomes } from './outcomes.js';

/**
 * Feeds decisions to the requests this gateway instance is waiting on. Each instance has its own group, so
 * every instance sees every decision and picks its own.
 */
export async function followDecisions(deps: { bus: Bus; codec: Codec; logger: Logger; pending: PendingOutcomes }): Promise<Subscription> {
  return consume({
    bus: deps.bus,
    codec: deps.codec,
    logger: deps.logger,
    topic: topics.decisions,
    group: `firewall-gateway-${randomUUID()}`,
    fromBeginning: false,
    handle: async (decision) => deps.pending.settle(decision),
  });
}
