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
