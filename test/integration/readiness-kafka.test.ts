/**
 * Readiness of the Kafka transport against the real broker: the broker answers (probe), and a consumer that
 * crashes fails the 'consumers' check until it rejoins its group.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus, createLogger, topics } from '@firewall/core';
import { testBrokers, waitFor } from '../helpers/kafka.js';

const logger = createLogger({ service: 'it', level: 'silent' });
const buses: KafkaBus[] = [];
afterAll(async () => {
  for (const bus of buses) await bus.close();
}, 60_000);

describe('KafkaBus readiness', () => {
  it('when the broker answers, then the kafka check is ok; a consumer crash fails the consumers check until it rejoins', async () => {
    const bus = await KafkaBus.connect({ brokers: testBrokers(), clientId: 'it-ready', logger, namespace: `rd-${randomUUID().slice(0, 8)}`, probeMs: 0 });
    buses.push(bus);
    expect(await bus.probe()).toBe(true);
    expect(bus.health.map((h) => h.status)).toEqual([{ name: 'kafka', ok: true }, { name: 'consumers', ok: true }]);
    let calls = 0;
    const seen: string[] = [];
    const sub = await bus.subscribe({
      topic: topics.requests, group: 'crashy', fromBeginning: true,
      handler: async (m) => {
        // A handler error that escapes the consumer wrapper (a programmer error), past kafkajs's own retries
        // (5 by default), crashes the kafkajs consumer; it restarts and rejoins.
        if (calls++ < 7) throw new Error('escaped');
        seen.push(m.key ?? '');
      },
    });
    await sub.ready;
    const states: boolean[] = [];
    bus.health[1]!.onChange((s) => states.push(s.ok));
    await bus.publish(topics.requests, 'k1', Buffer.from('x'));
    await waitFor(async () => seen.includes('k1'), { message: 'the message handled after the restart', timeoutMs: 90_000 });
    expect(states).toEqual([false, true]);
    expect(bus.health[1]!.status.ok).toBe(true);
  }, 120_000);
});
