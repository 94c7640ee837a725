import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTimeout } from '../adapter.js';
import { fictionalRecords } from './fictional.js';
import { createOpen311Adapter, fromGeoReport, toGeoReport } from './open311.js';
import { startOpen311Server, type Open311Server } from './open311-server.js';

const records = fictionalRecords('service_requests');
const id = (i: number) => String(records[i]!.request_id);
const signal = new AbortController().signal;
let server: Open311Server;

beforeAll(async () => {
  server = await startOpen311Server({
    records, slowMs: 2_000,
    behaviour: (requested) => (requested === 'SR-SLOW' ? 'slow' : requested === 'SR-BROKEN' ? 'error' : undefined),
  });
});
afterAll(async () => server.close());

describe('Open311 GeoReport v2 client against a local Open311-shaped server', () => {
  it('fetches one named request from /requests/{id}.json and maps it onto the catalog fields', async () => {
    const adapter = createOpen311Adapter({ baseUrl: server.baseUrl });
    const [record, ...rest] = await adapter.fetch({ subjectIds: [id(4)], fields: ['service_type', 'location_address'], selection: 'NAMED', count: 1 }, { signal });
    expect(rest).toEqual([]);
    const source = records[4]!;
    expect(record).toMatchObject({
      request_id: source.request_id, service_type: source.service_type, location_address: source.location_address, status: source.status,
      latitude: source.latitude, longitude: source.longitude, created_at: source.created_at, description: source.description,
    });
    expect(server.calls.at(-1)).toBe(`/open311/v2/requests/${id(4)}.json`);
  });

  it('fetches several named requests with requests.json?service_request_id=a,b in batches, keeping only the named', async () => {
    const adapter = createOpen311Adapter({ baseUrl: `${server.baseUrl}/`, idsPerCall: 2, jurisdictionId: 'fixture.city' });
    const ids = [id(1), id(2), id(3)];
    const fetched = await adapter.fetch({ subjectIds: ids, fields: ['status'], selection: 'NAMED', count: 3 }, { signal });
    expect(fetched.map((r) => r.request_id).sort()).toEqual([...ids].sort());
    const listCalls = server.calls.filter((c) => c.startsWith('/open311/v2/requests.json?')).slice(-2);
    expect(listCalls.map((c) => new URL(c, 'http://x').searchParams.get('service_request_id'))).toEqual([`${ids[0]},${ids[1]}`, ids[2]]);
    expect(listCalls.every((c) => c.includes('jurisdiction_id=fixture.city'))).toBe(true);
  });

  it('answers an unknown single id with no records (GeoReport 404), and attribute selections with the first count', async () => {
    const adapter = createOpen311Adapter({ baseUrl: server.baseUrl });
    expect(await adapter.fetch({ subjectIds: ['SR-UNKNOWN'], fields: ['status'], selection: 'NAMED', count: 1 }, { signal })).toEqual([]);
    expect(await adapter.fetch({ subjectIds: [], fields: ['status'], selection: 'ATTRIBUTE', count: 7 }, { signal })).toHaveLength(7);
    expect(await adapter.fetch({ subjectIds: [], fields: ['status'], selection: 'NAMED', count: 0 }, { signal })).toEqual([]);
  });

  it('turns a server error into PF_ADAPTER_FAILED and a slow server into PF_ADAPTER_TIMEOUT', async () => {
    const adapter = createOpen311Adapter({ baseUrl: server.baseUrl });
    const q = (subject: string) => ({ subjectIds: [subject], fields: ['status'], selection: 'NAMED', count: 1 });
    await expect(withTimeout('service_requests', 1_000, (o) => adapter.fetch(q('SR-BROKEN'), o))).rejects.toMatchObject({ code: 'PF_ADAPTER_FAILED' });
    const started = Date.now();
    await expect(withTimeout('service_requests', 200, (o) => adapter.fetch(q('SR-SLOW'), o))).rejects.toMatchObject({ code: 'PF_ADAPTER_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('refuses an answer that is not a list of service requests', async () => {
    const adapter = createOpen311Adapter({ baseUrl: 'http://127.0.0.1:1/open311/v2', fetch: async () => new Response(JSON.stringify({ not: 'a list' }), { status: 200 }) });
    await expect(withTimeout('service_requests', 1_000, (o) => adapter.fetch({ subjectIds: [], fields: ['status'], selection: 'ALL', count: 5 }, o)))
      .rejects.toMatchObject({ code: 'PF_ADAPTER_FAILED' });
    expect(() => fromGeoReport('nope')).toThrow(/not an object/);
  });

  it('maps closed_at only for closed requests and publishes no caller identity', () => {
    const open = fromGeoReport({ ...toGeoReport(records[0]!), status: 'open', updated_datetime: '2026-01-02T00:00:00Z' });
    expect(open.closed_at).toBeNull();
    const closed = fromGeoReport({ ...toGeoReport(records[0]!), status: 'closed', updated_datetime: '2026-01-02T00:00:00Z' });
    expect(closed.closed_at).toBe('2026-01-02T00:00:00Z');
    expect(closed).not.toHaveProperty('caller_name');
  });
});
