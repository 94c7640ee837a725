import { Kafka, logLevel, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import { avroCodec, inNamespace, internalTopics, topics, type Logger } from '@firewall/core';
import { GENESIS_HASH, sealEntry, type LedgerEntry, type StoredLine } from './entry.js';
import { chainedTopics, deadLetterEvent, ledgerConsumerName, ledgerEventFor, type ChainedTopic } from './events.js';
import { readAuditTopic, recoverHead, type ChainHead } from './kafka-chain.js';
import { lockAssigner } from './lock-assigner.js';
import { serializeCheckpoint, signCheckpoint, type CheckpointLine } from './checkpoint.js';
import { MerkleFrontier, leafHash } from './merkle.js';
import type { LedgerEvent } from './ledger-event.js';
import { toAuditEntry } from './service.js';
import type { Signer } from './signer/signer.js';

export interface KafkaLedgerOptions {
  readonly brokers: readonly string[];
  readonly signer: Signer;
  readonly logger: Logger;
  /** Fixed across every ledger instance: Kafka fences all but the newest producer with this id. */
  readonly transactionalId?: string;
  readonly group?: string;
  /** How fast a standby notices that the active writer died (Kafka group session timeout). */
  readonly sessionTimeoutMs?: number;
  /** Called when this writer lost its right to append (fenced, or the chain cannot be extended): stop the process. */
  readonly onFatal?: (err: unknown) => void;
  /** Sign a Merkle checkpoint at least every this many entries (default 100)… */
  readonly checkpointEvery?: number;
  /** …and at least this often while entries arrive (default 5 s); and once more at stop. */
  readonly checkpointIntervalMs?: number;
  /** Called with each committed batch of entries, before the tree heads committed with it (a witness feed's leaves). */
  readonly onAppend?: (lines: readonly StoredLine[]) => void;
  /** Called when this instance became the writer, with the chain's size, before it chains anything. */
  readonly onActive?: (size: number) => void;
  /** Called with each committed tree head, e.g. to send it to a witness. */
  readonly onCheckpoint?: (line: CheckpointLine) => void;
  /** Key of the keyed hash of subject identifiers; without it no subject hashes are kept. */
  readonly subjectKey?: Uint8Array;
  /** Prefix for topics, groups and the transactional id (see inNamespace); unset in production. */
  readonly namespace?: string;
  readonly now?: () => Date;
}

export type LedgerRole = 'starting' | 'standby' | 'active' | 'stopped';

/**
 * The ledger on Kafka: the chain lives on firewall.audit.v1 (one partition, infinite retention). Exactly one
 * instance is active: instances race for the single partition of firewall.ledger-lock.v1 in one consumer
 * group, the winner fences any earlier writer through the fixed transactional id, recovers the head from the
 * audit topic and chains the input topics. Each input batch becomes entries written in ONE Kafka transaction
 * together with the input offsets, so a crash at any point leaves every input chained exactly once.
 */
export class KafkaLedger {
  readonly #kafka: Kafka;
  readonly #options: KafkaLedgerOptions;
  readonly #log: Logger;
  #role: LedgerRole = 'starting';
  #head: ChainHead | undefined;
  #frontier = new MerkleFrontier();
  #checkpointed = 0;
  #checkpointedAt = Date.now();
  #lock: Consumer | undefined;
  #inputs: Consumer | undefined;
  #producer: Producer | undefined;
  #becoming: Promise<void> | undefined;
  /** Batches and idle-time tree heads take turns: one transaction at a time on the one producer. */
  #turn: Promise<unknown> = Promise.resolve();
  #headTimer: NodeJS.Timeout | undefined;
  appended = 0;

  constructor(options: KafkaLedgerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'kafka-ledger' });
    const log = this.#log;
    this.#kafka = new Kafka({
      clientId: 'firewall-ledger', brokers: [...options.brokers], logLevel: logLevel.WARN,
      logCreator: () => ({ namespace, log: entry }) => {
        const { message, ...rest } = entry;
        log.warn({ namespace, kafkajs: rest }, message);
      },
    });
  }

  get role(): LedgerRole {
    return this.#role;
  }

  get head(): ChainHead | undefined {
    return this.#head;
  }

  /** Joins the race for the lock; resolves once this instance is either active or a standby. */
  async start(): Promise<void> {
    const startedAt = Date.now();
    const lock = this.#kafka.consumer({
      groupId: `${this.#group}-lock`, sessionTimeout: this.#options.sessionTimeoutMs ?? 10_000, rebalanceTimeout: 15_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 1_000,
      partitionAssigners: [lockAssigner(this.#name(internalTopics.ledgerLock), () => ({ holding: this.#becoming !== undefined, since: startedAt }))],
    });
    this.#lock = lock;
    let settled: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => (settled = resolve));
    lock.on(lock.events.GROUP_JOIN, ({ payload }) => {
      const holdsLock = (payload.memberAssignment[this.#name(internalTopics.ledgerLock)] ?? []).includes(0);
      if (holdsLock && this.#role !== 'active') {
        this.#becoming ??= this.#becomeActive().then(settled, (err: unknown) => this.#fatal(err));
      } else if (!holdsLock) {
        if (this.#role === 'active') this.#fatal(new Error('lost the ledger lock'));
        this.#role = 'standby';
        this.#log.info('ledger standby: another instance holds the lock');
        settled();
      }
    });
    await lock.connect();
    await lock.subscribe({ topic: this.#name(internalTopics.ledgerLock), fromBeginning: false });
    await lock.run({ eachMessage: async () => undefined });
    await decided;
  }

  async stop(): Promise<void> {
    const wasActive = this.#role === 'active';
    this.#role = 'stopped';
    clearInterval(this.#headTimer);
    await this.#inputs?.disconnect();
    // A signed head for the last entries, so that a witness covers everything this writer chained.
    if (wasActive) await this.#exclusive(() => this.#finalHead()).catch((err: unknown) => this.#log.warn({ err }, 'no final tree head at stop'));
    await this.#producer?.disconnect();
    await this.#lock?.disconnect();
  }

  get #group(): string {
    return this.#name(this.#options.group ?? 'firewall-ledger');
  }

  #name(name: string): string {
    return inNamespace(this.#options.namespace, name);
  }

  async #becomeActive(): Promise<void> {
    const producer = this.#kafka.producer({ transactionalId: this.#name(this.#options.transactionalId ?? 'firewall-ledger'), maxInFlightRequests: 1, idempotent: true });
    this.#producer = producer;
    await producer.connect();
    // An empty transaction initialises our producer id: from here on every earlier writer is fenced and any
    // transaction it left open is aborted, so the end of the audit topic is stable.
    await (await producer.transaction()).abort();
    const { head, entries, frontier, checkpointed } = await recoverHead(this.#kafka, this.#options.namespace);
    this.#head = head;
    this.#frontier = frontier;
    this.#checkpointed = checkpointed;
    this.#log.info({ entries, seq: head.seq }, 'ledger active: chain head recovered from the audit topic');
    this.#options.onActive?.(frontier.size);
    // A short session: when an active writer dies, its successor's join waits for this long at most.
    const inputs = this.#kafka.consumer({ groupId: this.#group, readUncommitted: false, maxWaitTimeInMs: 500, sessionTimeout: this.#options.sessionTimeoutMs ?? 10_000, rebalanceTimeout: 15_000, heartbeatInterval: 1_000 });
    this.#inputs = inputs;
    // A consumer that gave up must not leave a live-looking writer behind: stop, and let a standby take over.
    inputs.on(inputs.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.#fatal(payload.error);
    });
    await inputs.connect();
    await inputs.subscribe({ topics: chainedTopics.map((t) => this.#name(t)), fromBeginning: true });
    await inputs.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.#exclusive(() => this.#chainBatch(payload)) });
    this.#role = 'active';
    // A head within the interval even when no batch comes after the last entries.
    const interval = this.#options.checkpointIntervalMs ?? 5_000;
    if (interval > 0) {
      this.#headTimer = setInterval(() => {
        if (this.#role !== 'active' || Date.now() - this.#checkpointedAt < interval) return;
        void this.#exclusive(() => this.#finalHead()).catch((err: unknown) => (isFenced(err) ? this.#fatal(err) : this.#log.warn({ err }, 'no tree head this interval')));
      }, interval);
      this.#headTimer.unref();
    }
  }

  /** One input batch → entries + dead letters + input offsets, in one transaction. */
  async #chainBatch({ batch, resolveOffset, heartbeat, isRunning }: EachBatchPayload): Promise<void> {
    if (!isRunning() || batch.messages.length === 0) return;
    const topic = chainedTopics.find((t) => this.#name(t) === batch.topic) as ChainedTopic;
    let head = this.#head!;
    const entries: StoredLine[] = [];
    const letters: { key: string; value: Buffer }[] = [];
    for (const message of batch.messages) {
      const event = await this.#eventFor(topic, message.key?.toString() ?? null, message.value ?? Buffer.alloc(0), message.offset, batch.partition, letters);
      if (!event) continue;
      const sealed = await this.#seal(head, event);
      entries.push(sealed);
      head = { seq: sealed.entry.seq, hash: sealed.hash };
    }
    const last = batch.messages.at(-1)!;
    const { frontier, checkpoints } = await this.#extendTree(entries);
    const transaction = await this.#producer!.transaction();
    try {
      if (entries.length) {
        const messages = await Promise.all(entries.map(async (e) => ({ key: e.entry.requestId ?? 'ledger', value: await avroCodec.encode(topics.audit, toAuditEntry(e)) })));
        // Several produce requests in the one transaction: a record batch must stay under the broker's message size.
        for (let i = 0; i < messages.length; i += 200) await transaction.send({ topic: this.#name(topics.audit), acks: -1, messages: messages.slice(i, i + 200) });
      }
      // The tree head is signed in the same transaction as the entries it covers: never one without the other.
      if (checkpoints.length) {
        await transaction.send({ topic: this.#name(internalTopics.checkpoints), acks: -1, messages: checkpoints.map((c) => ({ key: 'checkpoint', value: serializeCheckpoint(c) })) });
      }
      if (letters.length) await transaction.send({ topic: this.#name(topics.deadLetters), acks: -1, messages: letters });
      await transaction.sendOffsets({ consumerGroupId: this.#group, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(last.offset) + 1) }] }] });
      await transaction.commit();
    } catch (err) {
      await transaction.abort().catch(() => undefined);
      // The head did not move: the batch is retried, or — when fenced — another instance carries on.
      if (isFenced(err)) this.#fatal(err);
      throw err;
    }
    this.#head = head;
    this.#frontier = frontier;
    if (checkpoints.length) {
      this.#checkpointed = checkpoints.at(-1)!.checkpoint.size;
      this.#checkpointedAt = Date.now();
    }
    this.appended += entries.length;
    if (entries.length) this.#options.onAppend?.(entries);
    for (const c of checkpoints) this.#options.onCheckpoint?.(c);
    resolveOffset(last.offset);
    await heartbeat();
  }

  async #eventFor(topic: ChainedTopic, key: string | null, value: Buffer, offset: string, partition: number, letters: { key: string; value: Buffer }[]): Promise<LedgerEvent | null> {
    try {
      return ledgerEventFor(topic, await avroCodec.decode(topic, value), this.#options.subjectKey ? { subjectKey: this.#options.subjectKey } : {});
    } catch {
      // Undecodable input: chained here as a dead letter and kept whole on the DLQ, in the same transaction.
      const letter = { sourceTopic: topic, partition, offset, key, code: 'PF_BUS_UNDECODABLE', consumer: ledgerConsumerName, payload: value, deadLetteredAt: (this.#options.now?.() ?? new Date()).toISOString() };
      letters.push({ key: key ?? `${topic}:${offset}`, value: await avroCodec.encode(topics.deadLetters, letter) });
      return deadLetterEvent(key, letter.code, { ...letter, payload: value.toString('base64') });
    }
  }

  /** The tree with the batch's entries, and a signed head at every `checkpointEvery` entries (or when the interval passed). */
  async #extendTree(entries: readonly StoredLine[]): Promise<{ frontier: MerkleFrontier; checkpoints: CheckpointLine[] }> {
    const every = this.#options.checkpointEvery ?? 100;
    const frontier = this.#frontier.clone();
    const checkpoints: CheckpointLine[] = [];
    let last = this.#checkpointed;
    const sign = async () => {
      checkpoints.push(await signCheckpoint(frontier.size, frontier.root(), this.#options.signer, this.#options.now?.() ?? new Date(), [...frontier.peaks]));
      last = frontier.size;
    };
    for (const e of entries) {
      frontier.append(leafHash(e.hash));
      if (frontier.size - last >= every) await sign();
    }
    if (frontier.size > last && Date.now() - this.#checkpointedAt >= (this.#options.checkpointIntervalMs ?? 5_000)) await sign();
    return { frontier, checkpoints };
  }

  async #finalHead(): Promise<void> {
    if (this.#producer === undefined || this.#frontier.size <= this.#checkpointed) return;
    const head = await signCheckpoint(this.#frontier.size, this.#frontier.root(), this.#options.signer, this.#options.now?.() ?? new Date(), [...this.#frontier.peaks]);
    const transaction = await this.#producer.transaction();
    try {
      await transaction.send({ topic: this.#name(internalTopics.checkpoints), acks: -1, messages: [{ key: 'checkpoint', value: serializeCheckpoint(head) }] });
      await transaction.commit();
    } catch (err) {
      await transaction.abort().catch(() => undefined);
      throw err;
    }
    this.#checkpointed = head.checkpoint.size;
    this.#checkpointedAt = Date.now();
    this.#options.onCheckpoint?.(head);
  }

  /** Leaf hashes of the committed entries from … to-1, read back from the audit topic (a witness feed's fallback). */
  async readLeaves(from: number, to: number): Promise<Uint8Array[]> {
    const leaves: Uint8Array[] = [];
    await readAuditTopic(this.#kafka, (entry) => {
      if (entry.seq >= from && entry.seq < to) leaves.push(leafHash(entry.hash));
    }, { namespace: this.#options.namespace });
    if (leaves.length !== to - from) throw new Error(`the audit topic does not hold entries ${from}–${to - 1}`);
    return leaves;
  }

  /** Entries chained so far (the tree size); valid once active. */
  get size(): number {
    return this.#frontier.size;
  }

  async #seal(head: ChainHead, event: LedgerEvent): Promise<StoredLine> {
    const entry: LedgerEntry = {
      seq: head.seq + 1, prevHash: head.seq < 0 ? GENESIS_HASH : head.hash, type: event.type, requestId: event.requestId,
      time: (this.#options.now?.() ?? new Date()).toISOString(), eventDigest: event.eventDigest, policyRevision: event.policyRevision ?? null, summary: event.summary,
    };
    return sealEntry(entry, this.#options.signer);
  }

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#turn.then(run);
    this.#turn = next.catch(() => undefined);
    return next;
  }

  #fatal(err: unknown): void {
    if (this.#role === 'stopped') return;
    this.#role = 'stopped';
    clearInterval(this.#headTimer);
    this.#log.error({ err }, 'ledger writer stopped: it may no longer append');
    this.#options.onFatal?.(err);
  }
}

function isFenced(err: unknown): boolean {
  const type = (err as { type?: string } | undefined)?.type ?? '';
  return ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'].includes(type)
    || /fenced|epoch/i.test((err as Error | undefined)?.message ?? '');
}
