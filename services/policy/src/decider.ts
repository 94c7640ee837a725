import { consume, topics, type Bus, type Codec, type Logger, type Subscription } from '@firewall/core';
import { decide } from './decide.js';
import type { PolicyEvaluator } from './evaluator.js';

export interface DeciderDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly evaluator: PolicyEvaluator;
  readonly group?: string;
}

/**
 * The decider service: every RecordRequest on firewall.requests.v1 gets exactly one Decision on
 * firewall.decisions.v1. Deciding cannot fail open (decide() turns errors into DENY); a message that does not
 * decode is dead-lettered by consume().
 */
export async function startDecider(deps: DeciderDeps): Promise<Subscription> {
  const log = deps.logger.child({ component: 'decider' });
  return consume({
    bus: deps.bus,
    codec: deps.codec,
    logger: deps.logger,
    topic: topics.requests,
    group: deps.group ?? 'firewall-decider',
    fromBeginning: true,
    handle: async (request) => {
      const decision = decide(deps.evaluator, request);
      log.info({ requestId: decision.requestId, decision: decision.decision, rules: decision.decisive, failure: decision.failure ?? undefined }, 'request decided');
      await deps.bus.publish(topics.decisions, decision.requestId, await deps.codec.encode(topics.decisions, decision));
    },
  });
}
