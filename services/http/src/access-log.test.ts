import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, consume, createLogger, topics, type AccessEvent, type Bus } from '@firewall/core';
import { createAccessLog, type AccessRecord } from './access-log.js';

const hash = 'ab'.repeat(32);

function setup(bus: Bus = new MemoryBus()) {
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'debug', destination: new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }) });
  const log = createAccessLog({ bus, codec: avroCodec, logger, now: () => new Date('2026-03-04T05:06:07.000Z') });
  return { bus, log, lines };
}

async function published(bus: MemoryBus): Promise<AccessEvent[]> {
  const seen: AccessEvent[] = [];
  const sub = await consume({ bus, codec: avroCodec, logger: createLogger({ service: 'test', level: 'silent' }), topic: topics.access, group: `watch-${Math.random()}`, fromBeginning: true, handle: async (e) => void seen.push(e) });
  await bus.settled();
  await sub.close();
  return seen;
}

const search: AccessRecord = { agency: 'CITY_DATA_PRACTICES', role: 'CITY_ATTORNEY', action: 'AUDIT_SEARCH', outcome: 'GRANTED', status: 200, filters: ['agency', 'subjectHash'], subjectHash: hash, resultCount: 3 };

describe('createAccessLog', () => {
  it('when an access is recorded, then one AccessEvent with a fresh id and the clock time is on firewall.access.v1', async () => {
    const bus = new MemoryBus();
    const { log } = setup(bus);
    await log.record(search);
    await log.record({ action: 'REVIEW_SIGN_IN', outcome: 'REFUSED', status: 401, code: 'PF_AUTH_INVALID' });
    const events = await published(bus);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      ...search, accessId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), at: '2026-03-04T05:06:07.000Z',
      code: null, requestId: null,
    });
    expect(events[1]).toMatchObject({ agency: null, role: null, action: 'REVIEW_SIGN_IN', outcome: 'REFUSED', status: 401, code: 'PF_AUTH_INVALID', filters: [], subjectHash: null, resultCount: null });
    expect(events[0]!.accessId).not.toBe(events[1]!.accessId);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a subject identifier instead of its hash', { subjectHash: 'MID-4417-9921' }, 'subjectHash'],
    ['a name as the agency', { agency: 'Maria Lopez' }, 'agency'],
    ['a filter value instead of a filter name', { filters: ['agency', 'ICE ERO denied'] }, 'filters'],
    ['an unknown action', { action: 'AUDIT_EXPORT_ALL' }, 'action'],
    ['a grant with a refusal code', { code: 'PF_AUTH_FORBIDDEN' }, 'code'],
    ['a grant answered 403', { status: 403 }, 'status'],
    ['a refusal without its code', { outcome: 'REFUSED', status: 403 }, 'code'],
    ['a field the schema does not have', { subjectId: 'MID-4417-9921' }, 'subjectId'],
    ['free text as the request id', { requestId: 'case of Maria Lopez' }, 'requestId'],
    ['a negative count', { resultCount: -1 }, 'resultCount'],
  ])('when the event carries %s, then nothing is published and it throws PF_ACCESS_UNRECORDED naming the field, not the value', async (_what, change, field) => {
    const bus = new MemoryBus();
    const { log, lines } = setup(bus);
    const err = await log.record({ ...search, ...change } as AccessRecord).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'PF_ACCESS_UNRECORDED', details: [field] });
    expect(await published(bus)).toEqual([]);
    const value = Object.values(change)[0];
    const text = JSON.stringify(value);
    expect(`${(err as Error).message} ${lines.join('')}`).not.toContain(typeof value === 'string' ? value : text);
  });

  it('when the bus refuses the event, then it throws PF_ACCESS_UNRECORDED (retriable, with the cause) so the answer is refused', async () => {
    const bus = new MemoryBus();
    await bus.close();
    const { log } = setup(bus);
    const err = await log.record(search).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'PF_ACCESS_UNRECORDED', retriable: true, cause: expect.objectContaining({ code: 'PF_BUS_CLOSED' }) });
  });
});
