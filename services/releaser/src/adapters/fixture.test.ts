import { describe, expect, it } from 'vitest';
import { createFixtureAdapter } from './fixture.js';
import { fictionalRecords } from './fictional.js';

const signal = new AbortController().signal;
const query = { fields: ['full_name'], subjectIds: [] as string[], selection: 'NAMED', count: 1 };

describe('fixture adapter', () => {
  const adapter = createFixtureAdapter('summons');

  it('returns the named subjects in the order named, unknown ids yielding nothing', async () => {
    const records = await adapter.fetch({ ...query, subjectIds: ['CIT-500003', 'CIT-NOPE', 'CIT-500001'], count: 3 }, { signal });
    expect(records.map((r) => r.citation_id)).toEqual(['CIT-500003', 'CIT-500001']);
  });

  it('caps named and attribute selections at count, and hands AGGREGATE every record', async () => {
    expect(await adapter.fetch({ ...query, subjectIds: ['CIT-500001', 'CIT-500002'], count: 1 }, { signal })).toHaveLength(1);
    expect(await adapter.fetch({ ...query, selection: 'ATTRIBUTE', count: 5 }, { signal })).toHaveLength(5);
    expect(await adapter.fetch({ ...query, selection: 'AGGREGATE', count: 0 }, { signal })).toHaveLength(fictionalRecords('summons').length);
  });

  it('returns copies: changing a fetched record changes nothing at the source', async () => {
    const [first] = await adapter.fetch({ ...query, subjectIds: ['CIT-500001'] }, { signal });
    first!.full_name = 'changed';
    const [again] = await adapter.fetch({ ...query, subjectIds: ['CIT-500001'] }, { signal });
    expect(again!.full_name).not.toBe('changed');
  });

  it('refuses to start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(adapter.fetch(query, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
