import { randomUUID } from 'node:crypto';
import { consume, topics, type Bus, type Codec, type Logger, type Subscription } from '@firewall/core';
import type { PendingOutcomes } from './outcomes.js';

/**
 * Feeds decisions to the requests this gateway instance is waiting on and, unless the pending outcomes do not
 * wait for the ledger, the ledger's durable entries (firewall.audit.v1) that let them be answered. Each instance
 * has its own groups, so every instance sees every decision and entry and picks its own.
 */
export async function followDecisions(deps: { bus: Bus; codec: Codec; logger: Logger; pending: PendingOutcomes }): Promise<Subscription> {
  const instance = randomUUID();
  const common = { bus: deps.bus, codec: deps.codec, logger: deps.logger, fromBeginning: false } as const;
  const subscriptions = [
    await consume({ ...common, topic: topics.decisions, group: `firewall-gateway-${instance}`, handle: async (decision) => deps.pending.settle(decision) }),
    ...(deps.pending.awaitLedger
      ? [await consume({ ...common, topic: topics.audit, group: `firewall-gateway-${instance}.audit`, handle: async (entry) => deps.pending.durable(entry) })]
      : []),
  ];
  return {
    ready: Promise.all(subscriptions.map((s) => s.ready)).then(() => undefined),
    close: async () => void (await Promise.all(subscriptions.map((s) => s.close()))),
  };
}
