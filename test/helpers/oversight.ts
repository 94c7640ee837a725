// An embedded firewall (in-process bus, real signed bundle, real ledger files) with oversight mounted the way
// the CLI mounts it, and the traffic of the visible conformance scenarios driven through HTTP.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus, avroCodec, createLogger, loadCatalog, policiesDir, topics } from '@firewall/core';
import { firewallRoles, loadAgencyRegistry } from '@firewall/http';
import { ruleCatalogFromRego, type RunningOversight } from '@firewall/oversight';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { devCredentialVerifier, presentedOverHttp } from './credentials.js';
import { cityItAgency, ensureDevAgencies, mintDevToken } from '../../services/cli/src/dev-keys.js';
import { startFirewall, type RunningFirewall } from '../../services/cli/src/firewall.js';

/** Distinctive personal values sent with the requests: none may appear in any oversight output. */
export const personal = {
  subjectId: (n: number) => `MID-88412-ZQX-${n}`,
  purposeText: 'Zebulon Quixote-Marchetti, born 1987-03-14, 4410 Larkspur Lane',
  court: 'Xanadu Pemberton Circuit Court',
  /** Code-shaped, so the ledger keeps it as a code: the report must still never print it. */
  basisType: 'ZEBULON_QUIXOTE_19870314',
} as const;

export const probes = () => [personal.subjectId(0), personal.subjectId(1), 'MID-88412-ZQX', 'Zebulon', 'Quixote', 'Larkspur', 'Xanadu', 'ZEBULON_QUIXOTE'];

export interface Scenario { readonly id: string; readonly request: Record<string, unknown> & { requester: { agency: string } } }

export function visibleScenarios(): Scenario[] {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'conformance');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario);
}

export interface OversightFirewall {
  readonly dataDir: string;
  readonly ledgerDir: string;
  readonly bus: MemoryBus;
  readonly url: string;
  readonly oversight: RunningOversight;
  readonly firewall: RunningFirewall;
  /** POSTs a request body as `agency`; returns the HTTP status. */
  send(agency: string, body: unknown, options?: { role?: string; path?: string; token?: string | null }): Promise<number>;
  /** Every scenario `times` times, each with the personal probes added. */
  driveScenarios(times: number): Promise<Record<string, number>>;
  settle(): Promise<void>;
  /** GET a path; `operator` sends a token of the firewall's own CITY_IT staff with the OPERATOR role (for /metrics). */
  get(path: string, options?: { operator?: boolean }): Promise<{ status: number; text: string; type: string }>;
  close(): Promise<void>;
}

let sent = 0;

/** With personal data added where a request may carry it (subject ids, purpose text, the court's name). */
export function withPersonalData(request: Scenario['request']): Record<string, unknown> {
  const { receivedAt: _r, ...rest } = request;
  const basis = rest.legalBasis as Record<string, unknown> | undefined;
  const count = (rest.subjects as { count?: number; selection?: string } | undefined);
  const ids = count?.selection === 'AGGREGATE' ? undefined : Array.from({ length: Math.min(count?.count ?? 1, 3) }, () => personal.subjectId(sent++));
  return {
    ...rest,
    purpose: { ...(rest.purpose as object), text: personal.purposeText },
    ...(basis?.court ? { legalBasis: { ...basis, court: personal.court } } : {}),
    ...(ids ? { subjectIds: ids } : {}),
  };
}

export async function startOversightFirewall(): Promise<OversightFirewall> {
  const logger = createLogger({ service: 'it-oversight', level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
  const dataDir = mkdtempSync(join(tmpdir(), 'pf-oversight-it-'));
  const ledgerDir = join(dataDir, 'ledger');
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, Object.keys((evaluator.bundle.data as { agencies: object }).agencies));
  const bus = new MemoryBus();
  const regoDir = join(policiesDir, 'firewall');
  const rego = (readdirSync(regoDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego')).map((f) => readFileSync(join(regoDir, f), 'utf8'));
  // The CLI's own wiring: startFirewall runs oversight beside the ledger and serves /metrics and /oversight.
  const firewall = await startFirewall({
    bus, codec: avroCodec, logger, catalog: loadCatalog(), evaluator, ruleCatalog: ruleCatalogFromRego(rego),
    registry: loadAgencyRegistry(registryPath), dataDir, ledgerDir, ledgerKeyPath: join(dataDir, 'keys', 'ledger.key.pem'), decisionTimeoutMs: 30_000,
    credentials: await devCredentialVerifier(dataDir),
  });
  const oversight = firewall.oversight!;
  const server: Server = firewall.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const send: OversightFirewall['send'] = async (agency, body, options = {}) => {
    const token = options.token === undefined ? await mintDevToken(dataDir, agency, options.role ? { role: options.role } : {}) : options.token;
    const res = await fetch(`${url}${options.path ?? '/v1/requests'}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };
  return {
    dataDir, ledgerDir, bus, url, oversight, firewall, send,
    async driveScenarios(times) {
      const statuses: Record<string, number> = {};
      for (let i = 0; i < times; i++) {
        for (const s of visibleScenarios()) statuses[s.id] = await send(s.request.requester.agency, await presentedOverHttp(dataDir, withPersonalData(s.request)));
      }
      return statuses;
    },
    settle: () => bus.settled(),
    async get(path, options = {}) {
      const headers: Record<string, string> = options.operator ? { authorization: `Bearer ${await mintDevToken(dataDir, cityItAgency, { role: firewallRoles.operator })}` } : {};
      const res = await fetch(`${url}${path}`, { headers });
      return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await firewall.close();
      await bus.close();
    },
  };
}

/** Publishes bytes that decode as nothing on the requests topic: every consumer of it dead-letters them. */
export async function publishPoison(bus: MemoryBus): Promise<void> {
  await bus.publish(topics.requests, 'poison-pill', Buffer.from([0xff, 0x00, 0x13]));
}

/** A recount straight from the ledger files, independent of the oversight code: exact counts by published id. */
export function recountLedger(ledgerDir: string, month: string): { counts: Map<string, number>; metrics: Map<string, number>; entries: number; pendingReviews: number } {
  const agencies = JSON.parse(readFileSync(join(policiesDir, 'agencies', 'data.json'), 'utf8')) as Record<string, { classes: string[] }>;
  const precedence = ['enforcement', 'federal_criminal', 'immigration_benefits', 'prevention', 'foreign_government', 'local_law_enforcement', 'court_prosecutor', 'council_oversight', 'program_partner', 'city_department', 'other'];
  const federal = ['enforcement', 'federal_criminal', 'immigration_benefits', 'prevention'];
  const classOf = (agency: string) => (agencies[agency] ? precedence.find((c) => agencies[agency]!.classes.includes(c)) ?? 'other' : 'unknown');
  const bases = new Set(['NONE', 'JUDICIAL_WARRANT', 'COURT_ORDER', 'JUDICIAL_SUBPOENA', 'GRAND_JURY_SUBPOENA', 'ADMIN_WARRANT_I200', 'ADMIN_WARRANT_I205', 'ADMIN_ORDER_I203', 'CUSTODY_NOTICE_I286', 'NOTICE_TO_APPEAR', 'REMOVAL_ORDER', 'DETAINER_I247A', 'NCIC_IMMIGRATION_HIT', 'ICE_REQUEST_LETTER', 'ADMIN_SUBPOENA', 'LETTER', 'STATUTE_1373', 'PUBLIC_RECORDS_REQUEST', 'SUBJECT_AUTHORIZATION', 'DATA_SHARING_AGREEMENT', 'GRANT_AGREEMENT', 'PROGRAM_AGREEMENT', 'DATA_USE_AGREEMENT', 'INTERNAL_ASSIGNMENT', 'STATE_CRIMINAL_PROCESS', 'CASE_FILE', 'COURT_RULE', 'ORDINANCE_REPORTING_DUTY']);
  const counts = new Map<string, number>();
  const metrics = new Map<string, number>();
  const inc = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const seen = new Set<string>();
  const resolved = new Set<string>();
  const held: string[] = [];
  let entries = 0;
  for (const file of readdirSync(ledgerDir).filter((f) => /^entries-\d{12}\.ndjson$/.test(f)).sort()) {
    for (const line of readFileSync(join(ledgerDir, file), 'utf8').split('\n').filter(Boolean)) {
      entries += 1;
      const { type, requestId, time, summary: s } = (JSON.parse(line) as { entry: { type: string; requestId: string; time: string; summary: Record<string, unknown> } }).entry;
      if (type === 'REVIEW') resolved.add(requestId);
      if (type === 'DEAD_LETTER') { inc(metrics, `dlq`); if (time.startsWith(month)) { inc(counts, 'dlq'); inc(counts, `dlq|${s.reason}`); } }
      if (type === 'REJECTED_INPUT') { inc(metrics, `rej|${s.reason}`); if (time.startsWith(month)) { inc(counts, 'rej'); inc(counts, `rej|${s.reason}`); } }
      if (type !== 'DECISION' || seen.has(requestId)) continue;
      seen.add(requestId);
      const d = s.decision as string;
      const c = classOf(s.agency as string);
      const b = bases.has(s.basisType as string) ? (s.basisType as string) : 'other';
      const rules = [...new Set(s.rules as string[])];
      inc(metrics, `decision|${d}|${c}|${s.system}|${b}`);
      for (const r of rules) inc(metrics, `rule|${d}|${r}`);
      if (d === 'REVIEW') held.push(requestId);
      if (!time.startsWith(month)) continue;
      for (const id of ['T', `T|${d}`, `class|${c}`, `class|${c}|${d}`, `system|${s.system}`, `system|${s.system}|${d}`, `basis|${b}`, `basis|${b}|${d}`]) inc(counts, id);
      if (federal.includes(c)) for (const id of ['fed', `fed|${d}`, `fedbasis|${b}`, `fedbasis|${b}|${d}`]) inc(counts, id);
      for (const r of rules) if (r !== 'R25') for (const id of [`rule|${r}`, `rule|${r}|${d}`]) inc(counts, id);
    }
  }
  return { counts, metrics, entries, pendingReviews: held.filter((id) => !resolved.has(id)).length };
}

/** Parses the Prometheus text format: `name{labels} value` → value, keyed by `name|l1=v1,l2=v2`. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (m) out.set(`${m[1]}|${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}
