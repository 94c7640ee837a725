// Proves the integration harness against the real broker: the global setup provided a broker that a
// producer and a consumer can use, and transactions behave as the services rely on them to.
import { describe, expect, inject, it } from 'vitest';
import {
  collectMessages,
  createAdmin,
  createConsumer,
  createProducer,
  createTestTopic,
  testKafka,
  uniqueName,
  waitFor,
} from '../helpers/kafka.js';

describe('the Kafka broker under test', () => {
  it('when the global setup ran, then it provides a bootstrap broker list', () => {
    const brokers = inject('kafkaBrokers');
    expect(brokers.length).toBeGreaterThan(0);
    for (const broker of brokers) expect(broker).toMatch(/^[^:,\s]+:\d+$/);
  });

  it('when a message is produced to a fresh topic, then a consumer in a new group receives it', async () => {
    const kafka = testKafka();
    const admin = await createAdmin(kafka);
    const topic = await createTestTopic(admin, { partitions: 3 });
    const producer = await createProducer(kafka);
    const consumer = await createConsumer(kafka);
    const received = await collectMessages(consumer, topic);

    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'request-1', value: 'hello firewall', headers: { 'x-test': 'yes' } }],
    });

    const [message] = await waitFor(() => (received.length === 1 ? received : false), {
      message: 'one message consumed',
    });
    expect(message).toMatchObject({ topic, key: 'request-1', value: 'hello firewall' });
    expect(message?.headers['x-test']?.toString()).toBe('yes');
  });

  it('when one transaction commits and another aborts, then a read_committed consumer sees only the committed messages', async () => {
    const kafka = testKafka();
    const admin = await createAdmin(kafka);
    const topic = await createTestTopic(admin);
    const producer = await createProducer(kafka, {
      transactionalId: uniqueName('tx'),
      maxInFlightRequests: 1,
    });

    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: 'aborted' }] });
    await aborted.abort();

    // A later committed marker: once it is visible, everything before it has been decided.
    const marker = await producer.transaction();
    await marker.send({ topic, messages: [{ value: 'marker' }] });
    await marker.commit();

    const readCommitted = await collectMessages(await createConsumer(kafka), topic);
    const readUncommitted = await collectMessages(await createConsumer(kafka, { readUncommitted: true }), topic);

    await waitFor(() => readCommitted.some((m) => m.value === 'marker'), { message: 'read_committed sees marker' });
    expect(readCommitted.map((m) => m.value)).toEqual(['committed-1', 'committed-2', 'marker']);

    // The aborted record really reached the log: a read_uncommitted consumer sees it.
    await waitFor(() => readUncommitted.some((m) => m.value === 'marker'), {
      message: 'read_uncommitted sees marker',
    });
    expect(readUncommitted.map((m) => m.value)).toEqual(['committed-1', 'committed-2', 'aborted', 'marker']);
  });
});
