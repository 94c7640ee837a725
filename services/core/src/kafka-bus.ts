import { Kafka, logLevel, type Consumer, type Producer, type Admin } from 'kafkajs';
import type { Bus, SubscribeOptions, Subscription } from './bus.js';
import { BusError } from './errors.js';
import { ConsumerHealth, HealthState } from './health.js';
import type { Logger } from './logger.js';
import { inNamespace, internalTopics, topicSettings, topics, type TopicName } from './topics.js';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Partitions for topics this bus creates (existing topics are left as they are). */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** Prefix for topic and group names (see inNamespace); unset in production. */
  readonly namespace?: string;
  /** How often the broker is asked whether it answers, for readiness (default 5 s; 0 = never). */
  readonly probeMs?: number;
}

/** The Kafka transport: an idempotent producer (acks=all) and one consumer per subscription. */
export class KafkaBus implements Bus {
  readonly #kafka: Kafka;
  readonly #producer: Producer;
  readonly #consumers = new Set<Consumer>();
  readonly #log: Logger;
  readonly #options: KafkaBusOptions;
  /** 'kafka': the cluster answers; 'consumers': none has crashed without rejoining. */
  readonly #reachable = new HealthState('kafka');
  readonly #consumerHealth = new ConsumerHealth();
  readonly health: readonly HealthState[] = [this.#reachable, this.#consumerHealth.state];
  #probe: NodeJS.Timeout | undefined;
  #admin: Admin | undefined;

  private constructor(options: KafkaBusOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'kafka' });
    const log = this.#log;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: () => ({ namespace, level, log: entry }) => {
        const { message, ...rest } = entry;
        // kafkajs logs coordinator-loading errors it retries itself; they are warnings for us.
        log[level === logLevel.ERROR || level === logLevel.WARN ? 'warn' : 'debug']({ namespace, kafkajs: rest }, message);
      },
    });
    this.#producer = this.#kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  /** Connects, creating the firewall's topics when they are missing. */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    const bus = new KafkaBus(options);
    try {
      await bus.#ensureTopics();
      await bus.#producer.connect();
    } catch (cause) {
      throw new BusError('PF_KAFKA_UNAVAILABLE', `Cannot reach Kafka at ${options.brokers.join(',')}.`, { cause, retriable: true });
    }
    bus.#startProbe(options.probeMs ?? 5_000);
    return bus;
  }

  /** Asks the cluster for its brokers now; readiness follows the answer. Resolves with it. */
  async probe(): Promise<boolean> {
    try {
      this.#admin ??= this.#kafka.admin();
      await this.#admin.connect();
      await this.#admin.describeCluster();
      if (this.#reachable.ok()) this.#log.info('Kafka reachable again');
      return true;
    } catch (err) {
      if (this.#reachable.fail('PF_KAFKA_UNAVAILABLE')) this.#log.error({ err }, 'Kafka unreachable');
      return false;
    }
  }

  #startProbe(everyMs: number): void {
    if (everyMs <= 0) return;
    let running = false;
    this.#probe = setInterval(() => {
      if (running) return;
      running = true;
      void this.probe().finally(() => (running = false));
    }, everyMs);
    this.#probe.unref();
  }

  async #ensureTopics(): Promise<void> {
    const admin: Admin = this.#kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const ns = this.#options.namespace;
      const missing = [...Object.values(topics), ...Object.values(internalTopics)].filter((t) => !existing.has(inNamespace(ns, t)));
      if (missing.length) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic: inNamespace(ns, topic),
            numPartitions: topicSettings[topic]?.partitions ?? this.#options.partitions ?? 3,
            replicationFactor: this.#options.replicationFactor ?? 1,
            configEntries: Object.entries(topicSettings[topic]?.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async publish(topic: TopicName, key: string, value: Buffer): Promise<void> {
    await this.#producer.send({ topic: inNamespace(this.#options.namespace, topic), acks: -1, messages: [{ key, value }] });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    // A short fetch wait keeps shutdown quick (disconnect waits for the fetch in flight); data still returns at once.
    const consumer = this.#kafka.consumer({ groupId: inNamespace(this.#options.namespace, options.group), allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    this.#consumers.add(consumer);
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    // Positioned once the group is joined and the first fetch has started: from then on nothing is missed.
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // A crashed consumer (kafkajs gave up on an error) fails readiness until it rejoins its group.
    const name = `${options.group}/${options.topic}`;
    consumer.on(consumer.events.CRASH, (event) => {
      this.#log.error({ group: options.group, topic: options.topic, restart: event.payload.restart, err: event.payload.error }, 'consumer crashed');
      this.#consumerHealth.crashed(name);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => this.#consumerHealth.running(name));
    consumer.on(consumer.events.FETCH_START, () => void joined.then(markReady));
    await consumer.connect();
    await consumer.subscribe({ topic: inNamespace(this.#options.namespace, options.topic), fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        await options.handler({ topic: options.topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0) });
      },
    });
    return {
      ready,
      close: async () => {
        this.#consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    if (this.#probe !== undefined) clearInterval(this.#probe);
    await this.#admin?.disconnect().catch(() => undefined);
    await Promise.all([...this.#consumers].map((c) => c.disconnect()));
    this.#consumers.clear();
    await this.#producer.disconnect();
  }
}
