/**
 * /openapi.json against the composed app that serves it (the embedded firewall on the in-process bus): every route
 * is documented and every documented operation is served; each operation documents the refusals of the edge
 * pieces it is built from; every documented refusal is a status the shared table can give; and the answers a peer
 * fuzzer once found undocumented are documented now. The fuzzer itself is `npm run fuzz:api` (scripts/api-fuzz.sh).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, avroCodec, createLogger, loadCatalog } from '@firewall/core';
import { loadAgencyRegistry, statusByCode } from '@firewall/http';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { reviewerAgency } from '@firewall/review';
import { verifyLedgerFolder, type CheckpointLine, type Jwks } from '@firewall/ledger';
import { ensureDevAgencies, mintDevToken } from './dev-keys.js';
import { startFirewall, type RunningFirewall } from './firewall.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pf-openapi-'));
let firewall: RunningFirewall;
let bus: MemoryBus;

beforeAll(async () => {
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, Object.keys((evaluator.bundle.data as { agencies: object }).agencies));
  bus = new MemoryBus();
  firewall = await startFirewall({
    bus, codec: avroCodec, catalog: loadCatalog(), evaluator, registry: loadAgencyRegistry(registryPath), logger: createLogger({ service: 'test', level: 'silent' }),
    dataDir, ledgerDir: join(dataDir, 'ledger'), ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 10_000,
  });
}, 60_000);

afterAll(async () => {
  await firewall?.close();
  await bus?.close();
});

interface Layer { route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown; name: string }[] }; handle: { stack?: Layer[] } }
interface Route { path: string; method: string; handlers: { handle: unknown; name: string }[] }

/** Every route mounted on the app, through its routers, with the handlers it runs. */
function routesOf(app: express.Express): Route[] {
  const walk = (stack: Layer[]): Route[] => stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/(?<!\\):(\w+)/g, '{$1}').replaceAll('\\', '');
      return Object.keys(layer.route.methods).map((method) => ({ path, method, handlers: layer.route!.stack }));
    }
    return layer.handle?.stack ? walk(layer.handle.stack) : [];
  });
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
}

type Operation = { responses: Record<string, unknown> };
const operation = (path: string, method: string) => (firewall.openApi.paths[path] as Record<string, Operation> | undefined)?.[method];
const documented = (path: string, method: string) => Object.keys(operation(path, method)?.responses ?? {}).map(Number);
const token = (agency: string, role?: string) => mintDevToken(dataDir, agency, role ? { role } : {});
const attorney = () => token(reviewerAgency, 'CITY_ATTORNEY');

describe('/openapi.json and the app that serves it', () => {
  it('documents every route the app serves, and serves every operation it documents', () => {
    const served = routesOf(firewall.app).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    const listed = Object.entries(firewall.openApi.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.length).toBeGreaterThan(15);
    expect([...new Set(served)].sort()).toEqual([...new Set(listed)].sort());
  });

  it('documents, for each operation, the refusals of the edge pieces its route runs', () => {
    const { edge } = firewall;
    for (const route of routesOf(firewall.app)) {
      const runs = (handle: unknown) => route.handlers.some((h) => h.handle === handle);
      const statuses = documented(route.path, route.method);
      const where = `${route.method.toUpperCase()} ${route.path}`;
      if (runs(edge.stamp)) expect(statuses, `${where}: PF_RATE_LIMITED`).toContain(statusByCode.PF_RATE_LIMITED);
      if (runs(edge.authenticate)) {
        for (const code of ['PF_AUTH_MISSING', 'PF_AUTH_ROLE_NOT_GRANTED', 'PF_AUTH_REPLAY_UNAVAILABLE', 'PF_RATE_LIMITED']) {
          expect(statuses, `${where}: ${code}`).toContain(statusByCode[code]);
        }
      }
      if (route.handlers.some((h) => h.name === 'jsonParser')) {
        for (const code of ['PF_REQ_NOT_JSON', 'PF_REQ_TOO_LARGE', 'PF_REQ_BAD_ENCODING']) expect(statuses, `${where}: ${code}`).toContain(statusByCode[code]);
      }
    }
  });

  it('documents only refusals the shared status table can give, each with the Error schema', () => {
    const tableStatuses = new Set(Object.values(statusByCode));
    for (const [path, item] of Object.entries(firewall.openApi.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400 || (path === '/readyz' && status === '503')) continue;
          expect(tableStatuses, `${method} ${path} ${status}`).toContain(Number(status));
          expect(JSON.stringify(response), `${method} ${path} ${status}`).toContain('#/components/schemas/Error');
        }
      }
    }
  });

  it('answers the calls a peer fuzzer found undocumented with documented statuses', async () => {
    const answers: [string, string, request.Response][] = [
      ['/v1/audit/entries', 'get', await request(firewall.app).get('/v1/audit/entries?limit=null').set('authorization', `Bearer ${await attorney()}`)],
      ['/v1/reviews', 'get', await request(firewall.app).get('/v1/reviews?status=AAA').set('authorization', `Bearer ${await attorney()}`)],
      ['/v1/audit/subject-hash', 'post', await request(firewall.app).post('/v1/audit/subject-hash').set('authorization', `Bearer ${await attorney()}`)],
      ['/v1/reviews/{id}/resolution', 'post', await request(firewall.app).post('/v1/reviews/no-such-case/resolution').set('x-firewall-review', '1')
        .set('authorization', `Bearer ${await attorney()}`).send({ outcome: 'DENY', note: 'no' })],
    ];
    expect(answers.map(([, , res]) => res.status)).toEqual([400, 400, 400, 404]);
    for (const [path, method, res] of answers) expect(documented(path, method), `${method} ${path}`).toContain(res.status);
  });

  it('refuses with 400 a resolution the schema calls invalid, and takes one at its bounds', async () => {
    const held = await request(firewall.app).post('/v1/requests').set('authorization', `Bearer ${await token('FBI')}`).send({
      purpose: { code: 'CRIMINAL_INVESTIGATION' }, legalBasis: { type: 'GRAND_JURY_SUBPOENA' }, system: 'summons', fields: ['full_name', 'date_of_birth'], subjects: { count: 1, selection: 'NAMED' },
    });
    expect(held.status).toBe(202);
    await bus.settled();
    const resolve = async (body: unknown) => request(firewall.app).post(`/v1/reviews/${held.body.requestId as string}/resolution`)
      .set('x-firewall-review', '1').set('authorization', `Bearer ${await attorney()}`).send(body as object);
    const invalid = [
      { outcome: 'DENY', note: ' \t\r\n' }, // blank
      { outcome: 'DENY', note: '😀'.repeat(4001) }, // 4,001 characters (8,002 UTF-16 units)
      { outcome: 'DENY', note: 'x', fields: ['full_name'] }, // a DENY lists no fields
      { outcome: 'ALLOW', note: 'x', fields: ['full_name', 'full_name'] }, // not unique
      { outcome: 'ALLOW', note: 'x' }, // an ALLOW names fields
      { outcome: 'deny', note: 'x' },
      { outcome: 'DENY', note: 'x', extra: true },
    ];
    for (const body of invalid) expect((await resolve(body)).status, JSON.stringify(body).slice(0, 80)).toBe(400);
    // 4,000 astral characters are within maxLength (code points), however the JSON escapes them.
    const atBound = await resolve({ outcome: 'ALLOW', note: '😀'.repeat(4000), fields: ['date_of_birth'] });
    expect(atBound.status).toBe(200);
    expect(documented('/v1/reviews/{id}/resolution', 'post')).toEqual(expect.arrayContaining([200, 400]));
  });

  it('serves the newest signed tree head to anyone (no token), as documented, and it verifies the ledger', async () => {
    const sent = await request(firewall.app).post('/v1/requests').set('authorization', `Bearer ${await token('MPD')}`)
      .send({ purpose: { code: 'CODE_ENFORCEMENT' }, system: 'parking', fields: ['plate_read'] });
    expect(sent.status).toBeLessThan(500);
    await bus.settled();
    const signed = await firewall.ledger!.ledger.checkpoint();
    const res = await request(firewall.app).get('/v1/audit/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body as object).sort()).toEqual(['checkpoint', 'jws']);
    expect((res.body as { checkpoint: { size: number } }).checkpoint.size).toBe(signed?.checkpoint.size ?? firewall.ledger!.ledger.size);
    expect(documented('/v1/audit/checkpoint', 'get')).toEqual([200, 404]);
    const jwks = (await request(firewall.app).get('/v1/audit/jwks.json')).body as Jwks;
    expect(await verifyLedgerFolder(join(dataDir, 'ledger'), { jwks, checkpoint: [res.body as CheckpointLine] })).toMatchObject({ ok: true, witnessed: 1 });
  });

  it('answers 405 with Allow for a method a documented path does not have, and 204 to OPTIONS', async () => {
    const trace = await request(firewall.app).trace('/healthz');
    expect(trace.status).toBe(405);
    expect(trace.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(trace.body.code).toBe('PF_METHOD_NOT_ALLOWED');
    const put = await request(firewall.app).put('/v1/reviews/session');
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('POST, GET, DELETE, HEAD, OPTIONS');
    expect((await request(firewall.app).delete('/v1/reviews/some-case')).headers.allow).toBe('GET, HEAD, OPTIONS');
    expect((await request(firewall.app).get('/no/such/path')).status).toBe(404);
  });
});
