// Kafka helpers for integration tests (STYLE §2.6). Run them in the "integration" project, whose global
// setup provides the broker list (`inject('kafkaBrokers')`).
//
// Every create* helper registers its own cleanup with onTestFinished the moment the resource exists, so call
// them inside a test (or beforeEach), not in beforeAll. Cleanups run in reverse order of registration: a topic
// is deleted before the admin that created it disconnects.
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type IHeaders,
  type ITopicConfig,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import { inject, onTestFinished } from 'vitest';
import type {} from '../setup/provided-context.js';

const logLevels = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

/**
 * kafkajs logs (and retries by itself) coordinator-loading errors on first use; they are noise in test output.
 * KAFKAJS_LOG_LEVEL=error|warn|info|debug turns its logging on.
 */
function testLogLevel(): logLevel {
  const name = (process.env['KAFKAJS_LOG_LEVEL'] ?? 'nothing').toLowerCase();
  return name in logLevels ? logLevels[name as keyof typeof logLevels] : logLevel.NOTHING;
}

/** A unique name such as `test-3f0c…`, for topics, groups, client and transactional ids. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** The bootstrap brokers provided by test/setup/kafka-global-setup.ts. */
export function testBrokers(): string[] {
  const brokers = inject('kafkaBrokers');
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw new Error('no Kafka brokers were provided: run this file in the "integration" vitest project');
  }
  return brokers;
}

/** A kafkajs client for the broker under test (clients are cheap; connections belong to admins etc.). */
export function testKafka(clientId = uniqueName('client')): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: testLogLevel() });
}

/** A connected admin client, disconnected when the test finishes. */
export async function createAdmin(kafka: Kafka = testKafka()): Promise<Admin> {
  const admin = kafka.admin();
  onTestFinished(async () => {
    await admin.disconnect();
  });
  await admin.connect();
  return admin;
}

export interface TestTopicOptions {
  /** Number of partitions (default 1). */
  readonly partitions?: number;
  /** Name prefix (default "test"); the rest of the name is a random UUID. */
  readonly prefix?: string;
  /** Topic configs, e.g. [{ name: 'cleanup.policy', value: 'compact' }]. */
  readonly configEntries?: ITopicConfig['configEntries'];
}

/**
 * Creates a topic with a random name and waits for its partition leaders; deletes it when the test finishes.
 * Returns the topic name.
 */
export async function createTestTopic(admin: Admin, options: TestTopicOptions = {}): Promise<string> {
  const topic = uniqueName(options.prefix ?? 'test');
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: options.partitions ?? 1,
        replicationFactor: 1,
        ...(options.configEntries ? { configEntries: options.configEntries } : {}),
      },
    ],
  });
  if (!created) throw new Error(`topic ${topic} already existed`);
  onTestFinished(async () => {
    await admin.deleteTopics({ topics: [topic] });
  });
  return topic;
}

/** A connected producer (idempotent unless the config says otherwise), disconnected when the test finishes. */
export async function createProducer(kafka: Kafka = testKafka(), config: ProducerConfig = {}): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, ...config });
  onTestFinished(async () => {
    await producer.disconnect();
  });
  await producer.connect();
  return producer;
}

/**
 * A connected consumer in a new random group (unless config.groupId is given), disconnected when the test
 * finishes. kafkajs consumers read committed data only (read_committed) unless readUncommitted is set.
 * maxWaitTimeInMs defaults to 100 (kafkajs: 5000): disconnect waits for the fetch in flight, and a 5 s
 * long poll per consumer would dominate a test's cleanup.
 */
export async function createConsumer(
  kafka: Kafka = testKafka(),
  config: Partial<ConsumerConfig> = {},
): Promise<Consumer> {
  const consumer = kafka.consumer({
    maxWaitTimeInMs: 100,
    ...config,
    groupId: config.groupId ?? uniqueName('group'),
  });
  onTestFinished(async () => {
    await consumer.disconnect();
  });
  await consumer.connect();
  return consumer;
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: IHeaders;
}

/**
 * Subscribes the consumer to the topics and starts it; returns a live array that fills as messages arrive
 * (values and keys decoded as UTF-8). Combine with waitFor: `await waitFor(() => received.length === 3)`.
 */
export async function collectMessages(
  consumer: Consumer,
  topics: string | string[],
  { fromBeginning = true }: { readonly fromBeginning?: boolean } = {},
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  await consumer.subscribe({ topics: Array.isArray(topics) ? topics : [topics], fromBeginning });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      received.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? null,
        headers: message.headers ?? {},
      });
    },
  });
  return received;
}

export interface WaitForOptions {
  /** Give up after this many milliseconds (default 15 000). */
  readonly timeoutMs?: number;
  /** Pause between two checks (default 25 ms). */
  readonly intervalMs?: number;
  /** Describes the awaited condition in the timeout error. */
  readonly message?: string;
}

/**
 * Polls `condition` until it returns a value other than false, null or undefined, and returns that value.
 * A condition that throws (e.g. an `expect`) counts as not met yet; on timeout the last error is rethrown
 * with the timeout as context, so a failing assertion shows its own diff.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 25, message = 'condition' }: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== false && value !== null && value !== undefined) {
        return value as Exclude<T, false | null | undefined>;
      }
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor: ${message} not met within ${timeoutMs} ms${reason}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
