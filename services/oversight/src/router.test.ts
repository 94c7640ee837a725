import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, createLogger } from '@firewall/core';
import { MemoryReplayGuard, createAuthenticator, createEdge } from '@firewall/http';
import { createOversightRouter, monthParam } from './router.js';
import { decision, policyData, systems, tempDir, writeLedger } from './test-support.js';

let dir: string;
let cleanup: () => Promise<void>;
let app: express.Express;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeLedger(dir, [
    { at: '2026-10-15T10:00:00Z', times: 11, summary: decision('CITY_CLERK', 'municipal_id', 'INTERNAL_ASSIGNMENT', 'ALLOW', ['R18', 'R25']) },
    { at: '2026-11-03T10:00:00Z', times: 20, summary: decision('ICE_ERO', 'municipal_id', 'ADMIN_WARRANT_I200', 'DENY', ['R1', 'R3', 'R25']) },
    { at: '2026-11-04T10:00:00Z', times: 10, summary: decision('FBI', 'summons', 'GRAND_JURY_SUBPOENA', 'REVIEW', ['R6', 'R16', 'R25']) },
    { at: '2026-12-05T10:00:00Z', times: 2, summary: decision('CITY_CLERK', 'municipal_id', 'INTERNAL_ASSIGNMENT', 'ALLOW', ['R18', 'R25']) },
  ]);
  const ruleCatalog = new Map([['R1', { title: 'No city data for civil immigration enforcement', sources: ['Minneapolis Code of Ordinances §19.10'] }]]);
  app = express();
  app.use(createOversightRouter({ ledgerDir: dir, policyData, systems, ruleCatalog, now: () => new Date('2026-11-20T00:00:00Z') }));
  // Refusals are answered by the shared edge's error middleware, as in the firewall.
  const edge = createEdge({ auth: createAuthenticator({ agencies: {} }, { replay: new MemoryReplayGuard() }), bus: new MemoryBus(), codec: avroCodec, logger: createLogger({ service: 'test', level: 'silent' }) });
  app.use(edge.errors);
});
afterAll(() => cleanup());

describe('oversight HTTP surface', () => {
  it('GET /oversight renders the current month with its key figures, rule titles and sources, no scripts', async () => {
    const res = await request(app).get('/oversight');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('data-figure="DENY">20<');
    expect(res.text).toContain('data-figure="REVIEW">10<');
    expect(res.text).toContain('data-figure="ALLOW">0<');
    expect(res.text).toContain('No city data for civil immigration enforcement');
    expect(res.text).toContain('title="Minneapolis Code of Ordinances §19.10"');
    expect(res.text).toContain('data-figure="backlog">10<');
    expect(res.text).not.toContain('<script');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('GET /v1/oversight/summary widens dates to months and adds up monthly published figures', async () => {
    const res = await request(app).get('/v1/oversight/summary?from=2026-10-02&to=2026-12-31');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2026-10', to: '2026-12', months: ['2026-10', '2026-11', '2026-12'] });
    expect(res.body.totals.cells).toMatchObject({ DENY: 20, REVIEW: 10, ALLOW: { atLeast: 12 } });
    expect(res.body.trend).toHaveLength(12);
    expect(res.body.trend.at(-3)).toMatchObject({ month: '2026-10', total: 11 });
  });

  it('GET /v1/oversight/report serves json, csv and html of the same numbers', async () => {
    const json = await request(app).get('/v1/oversight/report?period=2026-11&format=json');
    expect(json.body.totals.cells.DENY).toBe(20);
    const csv = await request(app).get('/v1/oversight/report?period=2026-11&format=csv');
    expect(csv.type).toBe('text/csv');
    expect(csv.text).toContain('totals,total,All requests,DENY,20');
    const html = await request(app).get('/v1/oversight/report?period=2026-11&format=html');
    expect(html.text).toContain('data-figure="DENY">20<');
  });

  it('when the period or format is malformed, then 400 with a code', async () => {
    for (const url of ['/v1/oversight/report?period=2026-13', '/v1/oversight/report?period=2026-11&format=pdf', '/v1/oversight/summary?from=yesterday', '/oversight?from=2026-12&to=2026-01']) {
      const res = await request(app).get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.code).toBe('PF_OVERSIGHT_BAD_QUERY');
    }
    expect([monthParam('2026-02-30'), monthParam('2026-02-28'), monthParam(undefined)]).toEqual(['2026-02', '2026-02', undefined]);
  });

  it('when the ledger grows, then the next request sees the new entries', async () => {
    await writeLedger(dir, [{ at: '2026-11-06T10:00:00Z', times: 10, summary: decision('ICE_ERO', 'municipal_id', 'ADMIN_WARRANT_I200', 'DENY', ['R1', 'R25']) }]);
    const res = await request(app).get('/v1/oversight/report?period=2026-11');
    expect(res.body.totals.cells.DENY).toBe(30);
  });
});
