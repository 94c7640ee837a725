import type { Bus, Subscription } from './bus.js';
import type { Codec } from './codec.js';
import { isFirewallError } from './errors.js';
import type { Logger } from './logger.js';
import type { TopicMessages } from './schemas.js';
import { topics, type TopicName } from './topics.js';

export interface ConsumeOptions<T extends TopicName> {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly topic: T;
  readonly group: string;
  readonly fromBeginning?: boolean;
  readonly handle: (value: TopicMessages[T], key: string | null) => Promise<void>;
}

/**
 * Subscribes with decoding and a dead-letter path: a message that does not decode, or whose handler fails,
 * goes whole to firewall.dlq.v1 with a reason code, and the consumer moves on. Nothing is dropped, and one
 * poison message never blocks the partition. A message of firewall.dlq.v1 itself is never dead-lettered again.
 */
export async function consume<T extends TopicName>(options: ConsumeOptions<T>): Promise<Subscription> {
  const log = options.logger.child({ component: 'consumer', topic: options.topic, group: options.group });
  return options.bus.subscribe({
    topic: options.topic,
    group: options.group,
    fromBeginning: options.fromBeginning ?? false,
    handler: async (message) => {
      let stage: 'decode' | 'handle' = 'decode';
      try {
        const value = await options.codec.decode(options.topic, message.value);
        stage = 'handle';
        await options.handle(value, message.key);
      } catch (err) {
        const code = stage === 'decode' ? 'PF_BUS_UNDECODABLE' : isFirewallError(err) ? err.code : 'PF_BUS_HANDLER_FAILED';
        // Never a dead letter of a dead letter: a failure on the dead-letter topic is logged, not re-published
        // (each round would wrap the letter in a bigger one, without end).
        if (message.topic === topics.deadLetters) {
          log.error({ code, partition: message.partition, offset: message.offset, err: stage === 'handle' ? err : undefined }, 'dead letter not handled; not dead-lettered again');
          return;
        }
        log.warn({ code, partition: message.partition, offset: message.offset, err: stage === 'handle' ? err : undefined }, 'message dead-lettered');
        const letter = await options.codec.encode(topics.deadLetters, {
          sourceTopic: message.topic,
          partition: message.partition,
          offset: message.offset,
          key: message.key,
          code,
          consumer: options.group,
          payload: message.value,
          deadLetteredAt: new Date().toISOString(),
        });
        await options.bus.publish(topics.deadLetters, message.key ?? `${message.topic}:${message.offset}`, letter);
      }
    },
  });
}
