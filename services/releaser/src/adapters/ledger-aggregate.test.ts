import { describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, createLogger, topics } from '@firewall/core';
import { fakeAuditEntry } from '../test-support.js';
import { createLedgerAggregateAdapter, followLedgerAggregates } from './ledger-aggregate.js';

const signal = new AbortController().signal;
const entry = (summary: object, time = '2026-11-03T10:00:00Z', type = 'DECISION') => ({ ...fakeAuditEntry(type, 'r', '0'.repeat(64)), summary: JSON.stringify(summary), time });

describe('ledger aggregate adapter (the audit system)', () => {
  it('counts DECISION entries by agency, decision, month and system; a decision counts once per cited rule', async () => {
    const adapter = createLedgerAggregateAdapter();
    adapter.observe(entry({ agency: 'ICE_ERO', decision: 'DENY', system: 'summons', rules: ['R1', 'R3'] }));
    adapter.observe(entry({ agency: 'ICE_ERO', decision: 'DENY', system: 'summons', rules: ['R3', 'R1'] }));
    adapter.observe(entry({ agency: 'ICE_ERO', decision: 'DENY', system: 'summons', rules: ['R1'] }, '2026-12-01T00:00:00Z'));
    adapter.observe(entry({ agency: 'X' }, '2026-11-03T10:00:00Z', 'DRY_RUN'));
    adapter.observe({ ...entry({}), summary: 'not json' });
    expect(adapter.decisions).toBe(3);
    const q = (fields: string[]) => ({ fields, subjectIds: [], selection: 'AGGREGATE', count: 0 });
    expect(await adapter.aggregate!(q(['agency', 'month']), { signal })).toEqual([
      { values: { agency: 'ICE_ERO', month: '2026-11' }, count: 2 }, { values: { agency: 'ICE_ERO', month: '2026-12' }, count: 1 },
    ]);
    expect(await adapter.aggregate!(q(['rule']), { signal })).toEqual([{ values: { rule: 'R1' }, count: 3 }, { values: { rule: 'R3' }, count: 2 }]);
    expect(await adapter.fetch(q(['agency']), { signal })).toEqual([]);
  });

  it('is fed from firewall.audit.v1, from the oldest entry', async () => {
    const bus = new MemoryBus();
    await bus.publish(topics.audit, 'r', await avroCodec.encode(topics.audit, entry({ agency: 'FBI', decision: 'REVIEW', system: 'summons', rules: [] })));
    const { adapter, subscription } = await followLedgerAggregates({ bus, codec: avroCodec, logger: createLogger({ service: 't', level: 'silent' }) });
    await bus.settled();
    expect(adapter.decisions).toBe(1);
    await subscription.close();
  });
});
