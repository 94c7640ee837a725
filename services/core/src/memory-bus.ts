import { BusError } from './errors.js';
import type { Bus, BusMessage, SubscribeOptions, Subscription } from './bus.js';
import type { TopicName } from './topics.js';

interface GroupState {
  readonly handler: (message: BusMessage) => Promise<void>;
  next: number;
  running: boolean;
  idle: Promise<void>;
}

/**
 * An in-process, single-partition log per topic with consumer groups: what the embedded mode runs on.
 * A group's handler sees messages one at a time, in order, like one Kafka partition consumer.
 */
export class MemoryBus implements Bus {
  readonly #log = new Map<TopicName, BusMessage[]>();
  readonly #groups = new Map<string, GroupState & { topic: TopicName }>();
  #closed = false;

  async publish(topic: TopicName, key: string, value: Buffer): Promise<void> {
    if (this.#closed) throw new BusError('PF_BUS_CLOSED', 'The bus is closed.');
    const log = this.#topicLog(topic);
    log.push({ topic, partition: 0, offset: String(log.length), key, value });
    for (const group of this.#groups.values()) if (group.topic === topic) this.#drain(group);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const id = `${options.topic}\u0000${options.group}`;
    if (this.#groups.has(id)) throw new BusError('PF_BUS_CLOSED', `Group ${options.group} already consumes ${options.topic} in this process.`);
    const log = this.#topicLog(options.topic);
    const state = { topic: options.topic, handler: options.handler, next: options.fromBeginning ? 0 : log.length, running: false, idle: Promise.resolve() };
    this.#groups.set(id, state);
    this.#drain(state);
    return {
      ready: Promise.resolve(),
      close: async () => {
        this.#groups.delete(id);
        await state.idle;
      },
    };
  }

  /** Resolves when every group has handled every message published so far (tests and shutdown). */
  async settled(): Promise<void> {
    while ([...this.#groups.values()].some((g) => g.running || g.next < this.#topicLog(g.topic).length)) {
      await Promise.all([...this.#groups.values()].map((g) => g.idle));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#groups.values()].map((g) => g.idle));
    this.#groups.clear();
  }

  #topicLog(topic: TopicName): BusMessage[] {
    let log = this.#log.get(topic);
    if (!log) this.#log.set(topic, (log = []));
    return log;
  }

  #drain(state: GroupState & { topic: TopicName }): void {
    if (state.running) return;
    state.running = true;
    state.idle = (async () => {
      const log = this.#topicLog(state.topic);
      while (state.next < log.length) {
        const message = log[state.next++]!;
        // The consumer wrapper (consumer.ts) turns handler failures into dead letters; anything that still
        // escapes is a programmer error and must not stop the log for the other groups.
        await state.handler(message).catch(() => undefined);
      }
      state.running = false;
    })();
  }
}
