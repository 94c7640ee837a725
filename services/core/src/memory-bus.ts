import { BusError } from './errors.js';
import type { Bus, BusMessage, SubscribeOptions, Subscription } from './bus.js';
import type { TopicName } from './topics.js';

interface GroupState {
  readonly topic: TopicName;
  readonly handler: (message: BusMessage) => Promise<void>;
  /** Offset of the next message this group handles. */
  next: number;
  running: boolean;
  idle: Promise<void>;
}

/** One topic's log: only messages some group has still to see, plus the last `window` for late subscribers. */
interface TopicLog {
  /** Offset of messages[head]. */
  base: number;
  head: number;
  readonly messages: BusMessage[];
}

export interface MemoryBusOptions {
  /**
   * Messages per topic kept after every group has seen them, for a subscriber that joins later with
   * fromBeginning (default 1,000). Older ones are dropped: the in-process bus is a pipe, not a store.
   */
  readonly window?: number;
  /**
   * The most messages a topic may hold that a subscribed group has not yet handled (default 10,000). Past it,
   * publish fails with PF_BUS_FULL: a stalled consumer (the ledger on a full disk) pushes back on the publishers
   * instead of growing the heap.
   */
  readonly maxBacklog?: number;
}

const end = (log: TopicLog) => log.base + (log.messages.length - log.head);

/**
 * An in-process, single-partition log per topic with consumer groups: what the embedded mode runs on.
 * A group's handler sees messages one at a time, in order, like one Kafka partition consumer. Each group sees
 * every message published after it subscribed; memory is bounded by `window` and `maxBacklog` per topic.
 */
export class MemoryBus implements Bus {
  readonly #logs = new Map<TopicName, TopicLog>();
  readonly #groups = new Map<string, GroupState>();
  readonly #window: number;
  readonly #maxBacklog: number;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#window = options.window ?? 1_000;
    this.#maxBacklog = options.maxBacklog ?? 10_000;
  }

  async publish(topic: TopicName, key: string, value: Buffer): Promise<void> {
    if (this.#closed) throw new BusError('PF_BUS_CLOSED', 'The bus is closed.');
    const log = this.#topicLog(topic);
    const at = end(log);
    const groups = this.#groupsOf(topic);
    if (groups.some((g) => at - g.next >= this.#maxBacklog)) {
      throw new BusError('PF_BUS_FULL', `A consumer of ${topic} is ${this.#maxBacklog} messages behind; try again later.`, { retriable: true });
    }
    log.messages.push({ topic, partition: 0, offset: String(at), key, value });
    this.#trim(log, groups);
    for (const group of groups) this.#drain(group);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const id = `${options.topic}\u0000${options.group}`;
    if (this.#groups.has(id)) throw new BusError('PF_BUS_CLOSED', `Group ${options.group} already consumes ${options.topic} in this process.`);
    const log = this.#topicLog(options.topic);
    const state: GroupState = { topic: options.topic, handler: options.handler, next: options.fromBeginning ? log.base : end(log), running: false, idle: Promise.resolve() };
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

  /** Messages of `topic` held in memory now (tests: nothing delivered is kept beyond the window). */
  retained(topic: TopicName): number {
    const log = this.#logs.get(topic);
    return log ? log.messages.length - log.head : 0;
  }

  /** Resolves when every group has handled every message published so far (tests and shutdown). */
  async settled(): Promise<void> {
    while ([...this.#groups.values()].some((g) => g.running || g.next < end(this.#topicLog(g.topic)))) {
      await Promise.all([...this.#groups.values()].map((g) => g.idle));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#groups.values()].map((g) => g.idle));
    this.#groups.clear();
  }

  #groupsOf(topic: TopicName): GroupState[] {
    return [...this.#groups.values()].filter((g) => g.topic === topic);
  }

  #topicLog(topic: TopicName): TopicLog {
    let log = this.#logs.get(topic);
    if (!log) this.#logs.set(topic, (log = { base: 0, head: 0, messages: [] }));
    return log;
  }

  /** Drops what every group has seen, keeping the last `window` messages. */
  #trim(log: TopicLog, groups: readonly GroupState[]): void {
    const keepFrom = Math.min(end(log) - this.#window, ...groups.map((g) => g.next));
    if (keepFrom <= log.base) return;
    log.head += keepFrom - log.base;
    log.base = keepFrom;
    // Compact now and then rather than shift() per message (O(n) each).
    if (log.head > 1024 && log.head * 2 > log.messages.length) {
      log.messages.splice(0, log.head);
      log.head = 0;
    }
  }

  #drain(state: GroupState): void {
    if (state.running) return;
    state.running = true;
    state.idle = (async () => {
      const log = this.#topicLog(state.topic);
      while (state.next < end(log)) {
        // A group behind the window (it joined late with fromBeginning) starts at the oldest message kept.
        if (state.next < log.base) state.next = log.base;
        const message = log.messages[log.head + (state.next - log.base)]!;
        state.next++;
        // The consumer wrapper (consumer.ts) turns handler failures into dead letters; anything that still
        // escapes is a programmer error and must not stop the log for the other groups.
        await state.handler(message).catch(() => undefined);
      }
      this.#trim(log, this.#groupsOf(state.topic));
      state.running = false;
    })();
  }
}
