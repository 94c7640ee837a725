import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceRecord } from '../adapter.js';
import { toGeoReport } from './open311.js';

export interface Open311ServerOptions {
  /** Catalog-shaped 311 records (e.g. fictionalRecords('service_requests')), served as GeoReport v2. */
  readonly records: readonly SourceRecord[];
  /** Per requested id: answer late (`slow`, after slowMs) or with HTTP 500 (`error`). */
  readonly behaviour?: (id: string) => 'slow' | 'error' | undefined;
  readonly slowMs?: number;
}

export interface Open311Server {
  /** The GeoReport v2 root, e.g. http://127.0.0.1:PORT/open311/v2 */
  readonly baseUrl: string;
  /** Paths asked so far (with their query strings). */
  readonly calls: readonly string[];
  close(): Promise<void>;
}

/**
 * A small Open311 GeoReport v2 server on 127.0.0.1 (read endpoints only), for tests and demos of the Open311
 * adapter without a city's 311 system: GET /open311/v2/requests.json[?service_request_id=a,b] and
 * GET /open311/v2/requests/{id}.json (404 with a GeoReport error list for an unknown id).
 */
export async function startOpen311Server(options: Open311ServerOptions): Promise<Open311Server> {
  const byId = new Map(options.records.map((r) => [String(r.request_id), toGeoReport(r)]));
  const calls: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    calls.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const one = /^\/open311\/v2\/requests\/([^/]+)\.json$/.exec(url.pathname);
    const ids = one ? [decodeURIComponent(one[1]!)] : url.searchParams.get('service_request_id')?.split(',').filter(Boolean);
    if (req.method !== 'GET' || (!one && url.pathname !== '/open311/v2/requests.json')) return send(404, [{ code: 404, description: 'not found' }]);
    const behaviours = (ids ?? []).map((id) => options.behaviour?.(id));
    const answer = () => {
      if (behaviours.includes('error')) return send(500, [{ code: 500, description: 'internal error' }]);
      if (!ids) return send(200, [...byId.values()].slice(0, 1000));
      const found = ids.flatMap((id) => byId.get(id) ?? []);
      if (one && found.length === 0) return send(404, [{ code: 404, description: 'service request not found' }]);
      return send(200, found);
    };
    if (behaviours.includes('slow')) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, options.slowMs ?? 10_000);
      timers.add(timer);
    } else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/open311/v2`,
    calls,
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
