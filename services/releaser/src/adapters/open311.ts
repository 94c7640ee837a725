import { isPlainObject } from '@firewall/core';
import type { FetchOptions, FetchQuery, RecordSystemAdapter, SourceRecord } from '../adapter.js';
import { AdapterError } from '../errors.js';

export interface Open311Options {
  /** The GeoReport v2 endpoint root, e.g. `https://311.example.gov/open311/v2` (no trailing slash needed). */
  readonly baseUrl: string;
  readonly jurisdictionId?: string;
  /** The catalog system this client serves (default service_requests). */
  readonly system?: string;
  /** How many ids one `requests.json?service_request_id=` call carries (default 50). */
  readonly idsPerCall?: number;
  /** For tests: another fetch implementation. */
  readonly fetch?: typeof fetch;
}

/**
 * An Open311 GeoReport v2 client for 311 service requests (read side only):
 *   one named request      GET {base}/requests/{id}.json
 *   several named requests GET {base}/requests.json?service_request_id=a,b,c
 *   ATTRIBUTE / ALL        GET {base}/requests.json  (the server's default window), first `count` records
 * GeoReport fields are mapped onto the catalog's (service_request_id → request_id, address → location_address,
 * lat/long → latitude/longitude, requested_datetime → created_at, updated_datetime of a closed request →
 * closed_at, service_code → service_type). GeoReport v2 publishes no caller identity, so caller_* are absent.
 */
export function createOpen311Adapter(options: Open311Options): RecordSystemAdapter {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const idsPerCall = options.idsPerCall ?? 50;
  const system = options.system ?? 'service_requests';

  async function get(path: string, params: Record<string, string>, signal: AbortSignal, notFoundIsEmpty: boolean): Promise<unknown[]> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries({ ...params, ...(options.jurisdictionId ? { jurisdiction_id: options.jurisdictionId } : {}) })) url.searchParams.set(k, v);
    const res = await doFetch(url, { signal, headers: { accept: 'application/json' } });
    if (notFoundIsEmpty && res.status === 404) return [];
    if (!res.ok) throw new AdapterError('PF_ADAPTER_FAILED', `The Open311 server answered HTTP ${res.status}.`, { details: [system, String(res.status)] });
    const body: unknown = await res.json();
    if (!Array.isArray(body)) throw new AdapterError('PF_ADAPTER_FAILED', 'The Open311 server did not answer with a list of service requests.', { details: [system] });
    return body;
  }

  return {
    system,
    async fetch(query: FetchQuery, { signal }: FetchOptions): Promise<SourceRecord[]> {
      let raw: unknown[];
      if (query.selection === 'NAMED') {
        const ids = query.subjectIds.slice(0, query.count);
        if (ids.length === 0) return [];
        if (ids.length === 1) raw = await get(`/requests/${encodeURIComponent(ids[0]!)}.json`, {}, signal, true);
        else {
          raw = [];
          for (let i = 0; i < ids.length; i += idsPerCall) {
            raw.push(...(await get('/requests.json', { service_request_id: ids.slice(i, i + idsPerCall).join(',') }, signal, false)));
          }
        }
        // A server may ignore the filter: keep only what was named.
        const named = new Set(ids);
        return raw.map(fromGeoReport).filter((r) => named.has(String(r.request_id)));
      }
      raw = await get('/requests.json', {}, signal, false);
      return raw.map(fromGeoReport).slice(0, query.selection === 'AGGREGATE' ? undefined : query.count);
    },
  };
}

/** A GeoReport v2 service request as a source record in the catalog's names (the GeoReport names kept too). */
export function fromGeoReport(item: unknown): SourceRecord {
  if (!isPlainObject(item)) throw new AdapterError('PF_ADAPTER_FAILED', 'An Open311 service request is not an object.');
  const closed = item.status === 'closed';
  return {
    ...item,
    request_id: item.service_request_id ?? null,
    service_type: item.service_code ?? item.service_name ?? null,
    description: item.description ?? null,
    status: item.status ?? null,
    location_address: item.address ?? null,
    latitude: item.lat ?? null,
    longitude: item.long ?? null,
    created_at: item.requested_datetime ?? null,
    closed_at: closed ? (item.updated_datetime ?? null) : null,
    media_url: item.media_url ?? null,
  };
}

/** The inverse mapping, for Open311-shaped test servers and demos: a catalog-shaped 311 record as GeoReport v2. */
export function toGeoReport(record: SourceRecord): Record<string, unknown> {
  return {
    service_request_id: record.request_id, status: record.status, status_notes: null, service_name: String(record.service_type ?? '').replace(/_/g, ' ').toLowerCase(),
    service_code: record.service_type, description: record.description, agency_responsible: 'Fixture 311', service_notice: null,
    requested_datetime: record.created_at, updated_datetime: record.closed_at ?? record.created_at, expected_datetime: null,
    address: record.location_address, address_id: null, zipcode: null, lat: record.latitude, long: record.longitude, media_url: record.media_url ?? null,
  };
}
