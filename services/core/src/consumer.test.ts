import { describe, expect, it } from 'vitest';
import { avroCodec } from './codec.js';
import { consume } from './consumer.js';
import { createLogger } from './logger.js';
import { MemoryBus } from './memory-bus.js';
import { topics } from './topics.js';
import type { DeadLetter, RecordRequest } from './generated/messages.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const request: RecordRequest = {
  requestId: 'r1', receivedAt: '2026-12-01T15:00:00Z', requester: { agency: 'MPD', role: null, verified: true },
  purpose: { code: 'CODE_ENFORCEMENT', text: null }, legalBasis: null, channel: null, system: 'parking', fields: ['plate_read'], subjects: null, attestations: null,
};

describe('consume', () => {
  it('when a message does not decode, then it goes whole to the DLQ and the consumer keeps running', async () => {
    const bus = new MemoryBus();
    const handled: string[] = [];
    const letters: DeadLetter[] = [];
    await consume({ bus, codec: avroCodec, logger, topic: topics.requests, group: 'g', handle: async (r) => void handled.push(r.requestId) });
    await consume({ bus, codec: avroCodec, logger, topic: topics.deadLetters, group: 'd', handle: async (l) => void letters.push(l) });
    const garbage = Buffer.from('not avro at all');
    await bus.publish(topics.requests, 'bad', garbage);
    await bus.publish(topics.requests, 'r1', await avroCodec.encode(topics.requests, request));
    await bus.settled();
    expect(handled).toEqual(['r1']);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ sourceTopic: topics.requests, code: 'PF_BUS_UNDECODABLE', key: 'bad', consumer: 'g' });
    expect(Buffer.compare(letters[0]!.payload, garbage)).toBe(0);
  });

  it('when a handler fails, then the message is dead-lettered with the failure code, not lost', async () => {
    const bus = new MemoryBus();
    const letters: DeadLetter[] = [];
    await consume({ bus, codec: avroCodec, logger, topic: topics.requests, group: 'g', handle: async () => { throw new Error('boom'); } });
    await consume({ bus, codec: avroCodec, logger, topic: topics.deadLetters, group: 'd', handle: async (l) => void letters.push(l) });
    await bus.publish(topics.requests, 'r1', await avroCodec.encode(topics.requests, request));
    await bus.settled();
    expect(letters.map((l) => l.code)).toEqual(['PF_BUS_HANDLER_FAILED']);
  });

  it('round-trips every topic message through its Avro schema', async () => {
    const decoded = await avroCodec.decode(topics.requests, await avroCodec.encode(topics.requests, request));
    expect({ ...decoded }).toMatchObject({ requestId: 'r1', fields: ['plate_read'] });
  });
});

describe('consume on the dead-letter topic', () => {
  it('when a dead letter\'s handler fails, then it is not dead-lettered again (no letter of a letter)', async () => {
    const bus = new MemoryBus();
    let attempts = 0;
    await consume({ bus, codec: avroCodec, logger, topic: topics.deadLetters, group: 'firewall-ledger.firewall.dlq.v1', handle: async () => { attempts++; throw new Error('disk full'); } });
    const letter = await avroCodec.encode(topics.deadLetters, {
      sourceTopic: topics.requests, partition: 0, offset: '0', key: 'k', code: 'PF_BUS_UNDECODABLE', consumer: 'g', payload: Buffer.from('x'), deadLetteredAt: '2026-12-01T15:00:00Z',
    });
    await bus.publish(topics.deadLetters, 'k', letter);
    await bus.settled();
    expect(attempts).toBe(1);
    expect(bus.retained(topics.deadLetters)).toBe(1); // the one letter (within the window), nothing published after it
  });
});

describe('MemoryBus', () => {
  const value = Buffer.from('m');
  it('when every group has handled a message, then only the window is kept', async () => {
    const bus = new MemoryBus({ window: 10 });
    const seen: string[] = [];
    await bus.subscribe({ topic: topics.requests, group: 'a', handler: async (m) => void seen.push(m.offset) });
    for (let i = 0; i < 5_000; i++) await bus.publish(topics.requests, 'k', value);
    await bus.settled();
    expect(seen).toHaveLength(5_000);
    expect(bus.retained(topics.requests)).toBeLessThanOrEqual(10);
    // A later subscriber from the beginning sees the window, then everything after it.
    const late: string[] = [];
    await bus.subscribe({ topic: topics.requests, group: 'late', fromBeginning: true, handler: async (m) => void late.push(m.offset) });
    await bus.publish(topics.requests, 'k', value);
    await bus.settled();
    expect(late).toEqual([...Array.from({ length: 10 }, (_, i) => String(4_990 + i)), '5000']);
  });

  it('when a group stalls, then publishing fails with PF_BUS_FULL past the backlog bound, and resumes once it catches up', async () => {
    const bus = new MemoryBus({ window: 0, maxBacklog: 100 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    await bus.subscribe({ topic: topics.requests, group: 'slow', handler: async () => { await gate; handled++; } });
    // The first message is in the handler; 100 more wait behind it.
    for (let i = 0; i < 101; i++) await bus.publish(topics.requests, 'k', value);
    await expect(bus.publish(topics.requests, 'k', value)).rejects.toMatchObject({ code: 'PF_BUS_FULL' });
    release();
    await bus.settled();
    expect(handled).toBe(101);
    expect(bus.retained(topics.requests)).toBe(0);
    await bus.publish(topics.requests, 'k', value);
    await bus.settled();
    expect(handled).toBe(102);
  });
});
