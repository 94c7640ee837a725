import type { HealthState } from './health.js';
import type { TopicName } from './topics.js';

/** One message as a consumer sees it: raw bytes plus where they came from. */
export interface BusMessage {
  readonly topic: TopicName;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer;
}

export interface SubscribeOptions {
  readonly topic: TopicName;
  /** Consumer group: each group sees every message once; members of one group share the work. */
  readonly group: string;
  /** Start from the oldest retained message (true) or only new ones (false, the default). */
  readonly fromBeginning?: boolean;
  readonly handler: (message: BusMessage) => Promise<void>;
}

export interface Subscription {
  /** Resolves once the subscriber is positioned and will see every message published from now on. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The transport between services: Kafka in production and CI, an in-process log in the embedded mode.
 * Both carry the same Avro-encoded bytes, so the embedded mode exercises the same codecs and handlers.
 */
export interface Bus {
  publish(topic: TopicName, key: string, value: Buffer): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Live checks of the transport itself (Kafka reachable, consumers running), for readiness. */
  readonly health?: readonly HealthState[];
  close(): Promise<void>;
}
