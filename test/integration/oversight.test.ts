/**
 * Oversight end to end: the visible conformance scenarios driven through the real path (HTTP gateway, signed
 * bundle, decider, ledger files) with personal data in the requests; then the metrics, the dashboard, the
 * report (API and CLI, every format) and a recount straight from the ledger files must agree on every number,
 * and none of them may contain the personal values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policiesDir } from '@firewall/core';
import { reportCommand, type TransparencyReport } from '@firewall/oversight';
import {
  parseMetrics, personal, probes, publishPoison, recountLedger, startOversightFirewall, visibleScenarios, withPersonalData, type OversightFirewall,
} from '../helpers/oversight.js';

let fw: OversightFirewall;
let month: string;
let recount: ReturnType<typeof recountLedger>;
let report: TransparencyReport;

beforeAll(async () => {
  fw = await startOversightFirewall();
  month = new Date().toISOString().slice(0, 7);
  const statuses = await fw.driveScenarios(10);
  expect(Object.values(statuses).every((s) => [200, 202, 403].includes(s))).toBe(true);
  // Small cells: a basis type no one registered (code-shaped personal data), three times.
  const s01 = visibleScenarios().find((s) => s.id === 'S01')!;
  for (let i = 0; i < 3; i++) expect(await fw.send('ICE_ERO', { ...withPersonalData(s01.request), legalBasis: { type: personal.basisType } })).toBe(403);
  // Not counted as decisions: a dry run, refusals before the policy, an undecodable message.
  expect(await fw.send('CITY_IT', { ...withPersonalData(s01.request), requester: { agency: 'ICE_ERO', verified: true } }, { role: 'CITY_IT', path: '/v1/decisions:evaluate' })).toBe(200);
  expect(await fw.send('ICE_ERO', { ...withPersonalData(s01.request), system: 'no_such_system' })).toBe(400);
  expect(await fw.send('ICE_ERO', withPersonalData(s01.request), { token: null })).toBe(401);
  await publishPoison(fw.bus);
  await fw.settle();
  recount = recountLedger(fw.ledgerDir, month);
  report = JSON.parse((await fw.get(`/v1/oversight/report?period=${month}&format=json`)).text) as TransparencyReport;
}, 180_000);

afterAll(async () => {
  await fw?.close();
});

/** The publication rule: 0 is 0, 1–9 is "<10", 10 or more is the number or "suppressed". */
function expectPublished(id: string, published: unknown): void {
  const exact = recount.counts.get(id) ?? 0;
  if (exact === 0) expect(published, id).toBe(0);
  else if (exact < 10) expect(published, id).toBe('<10');
  else expect([exact, 'suppressed'], id).toContain(published);
}

function publishedCells(r: TransparencyReport): [string, unknown][] {
  const out: [string, unknown][] = [];
  const row = (id: string, x: { cells: Record<string, unknown>; total: unknown }) => {
    out.push([id, x.total]);
    for (const [d, v] of Object.entries(x.cells)) out.push([`${id}|${d}`, v]);
  };
  row('T', r.totals);
  const prefix: Record<string, string> = { byAgencyClass: 'class', bySystem: 'system', byBasisType: 'basis', byRule: 'rule', federalByAgencyClass: 'class', federalByBasisType: 'fedbasis' };
  for (const t of [...r.tables, ...r.council.tables]) {
    for (const x of t.rows) row(`${prefix[t.id]}|${x.key}`, x);
    if (t.totals) row(t.id.startsWith('federal') ? 'fed' : 'T', t.totals);
  }
  for (const [id, t] of [['rej', r.rejectedInputs], ['dlq', r.deadLetters]] as const) {
    out.push([id, t.total]);
    for (const x of t.rows) out.push([`${id}|${x.reason}`, x.value]);
  }
  return out;
}

describe('oversight numbers agree with the ledger', () => {
  it('the metrics equal an independent recount of the ledger, series by series', async () => {
    const m = parseMetrics((await fw.get('/metrics', { operator: true })).text);
    const decisions = [...m].filter(([k]) => k.startsWith('firewall_decisions_total|')).map(([k, v]) => {
      const l = Object.fromEntries([...k.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      return [`decision|${l.decision}|${l.agency_class}|${l.system}|${l.basis_type}`, v] as const;
    });
    const expected = [...recount.metrics].filter(([k]) => k.startsWith('decision|'));
    expect(new Map(decisions)).toEqual(new Map(expected));
    const rules = [...m].filter(([k]) => k.startsWith('firewall_decision_rules_total|')).map(([k, v]) => [k.replace(/^.*decision="(\w+)",rule="(\w+)"$/, 'rule|$1|$2'), v] as const);
    expect(new Map(rules)).toEqual(new Map([...recount.metrics].filter(([k]) => k.startsWith('rule|'))));
    const rejected = [...m].filter(([k]) => k.startsWith('firewall_rejected_inputs_total|')).map(([k, v]) => [k.replace(/^.*reason="(\w+)"$/, 'rej|$1'), v] as const);
    expect(new Map(rejected)).toEqual(new Map([...recount.metrics].filter(([k]) => k.startsWith('rej|'))));
    const letters = [...m].filter(([k]) => k.startsWith('firewall_dead_letters_total|')).reduce((s, [, v]) => s + v, 0);
    expect(letters).toBe(recount.metrics.get('dlq'));
    expect(letters).toBeGreaterThanOrEqual(3);
    expect(m.get('firewall_review_backlog|')).toBe(recount.pendingReviews);
    expect(m.get('firewall_ledger_entries|')).toBe(recount.entries);
    expect(m.get('firewall_dry_runs_total|decision="DENY"')).toBe(1);
    expect(m.get('firewall_policy_evaluation_seconds_count|')).toBe(visibleScenarios().length * 10 + 3 + 1);
    expect(m.get('firewall_decision_latency_seconds_count|decision="DENY"')).toBe(recount.counts.get('T|DENY'));
    expect([...m].filter(([k]) => k.startsWith('firewall_consumer_lag_messages|')).every(([, v]) => v === 0)).toBe(true);
  });

  it('every number of the report is the recount, published: 0, "<10" for 1–9, the count or "suppressed" from 10', () => {
    const cells = publishedCells(report);
    for (const [id, published] of cells) expectPublished(id, published);
    // every counted row is in the report
    for (const id of recount.counts.keys()) expect(cells.some(([c]) => c === id), id).toBe(true);
    const shown = cells.filter(([, v]) => typeof v === 'number' && v >= 10);
    const small = cells.filter(([, v]) => v === '<10');
    console.info(`oversight report ${month}: ${recount.counts.get('T')} decisions; ${cells.length} published numbers: ${shown.length} shown of 10 or more, ${small.length} "<10", ${cells.filter(([, v]) => v === 'suppressed').length} suppressed, ${cells.filter(([, v]) => v === 0).length} zero`);
    expect(small.length).toBeGreaterThan(0);
    expect(shown.length).toBeGreaterThan(20);
    expect(recount.counts.get('T')).toBe(visibleScenarios().length * 10 + 3);
  });

  it('the CLI report (json, csv, html) is the API report, byte for byte', async () => {
    const read = (f: string) => JSON.parse(readFileSync(join(policiesDir, f, 'data.json'), 'utf8')) as unknown;
    const policyData = { agencies: read('agencies'), thresholds: read('thresholds') };
    // Both name the newest signed tree head: sign it now, so the 5-second timer has nothing to sign in between.
    await fw.firewall.ledger!.ledger.checkpoint();
    for (const format of ['json', 'csv', 'html'] as const) {
      const api = (await fw.get(`/v1/oversight/report?period=${month}&format=${format}`)).text;
      const cli = await reportCommand({ ledgerDir: fw.ledgerDir, period: month, format, policyData, ruleCatalog: fw.oversight.store.ruleCatalog });
      expect(cli, format).toBe(api);
    }
  });

  it('the dashboard and its JSON show the report\'s figures', async () => {
    const page = await fw.get('/oversight');
    expect(page.status).toBe(200);
    const figure = (key: string) => [...page.text.matchAll(/data-figure="([^"]+)">([^<]*)</g)].find((x) => x[1] === key)?.[2]?.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
    const text = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
    expect(figure('total')).toBe(text(report.totals.total));
    for (const d of ['DENY', 'REVIEW', 'ALLOW_REDACTED', 'ALLOW'] as const) expect(figure(d), d).toBe(text(report.totals.cells[d]));
    const summary = JSON.parse((await fw.get(`/v1/oversight/summary?from=${month}-01&to=${month}-28`)).text) as { totals: unknown; tables: unknown[] };
    expect(summary.totals).toEqual(report.totals);
    expect(summary.tables.map((t) => (t as { rows: unknown[] }).rows)).toEqual(report.tables.map((t) => t.rows));
    expect(page.text).toContain(report.tables.find((t) => t.id === 'byRule')!.rows.find((r) => r.key === 'R1')!.label);
  });
});

describe('no personal data in any oversight output', () => {
  it('metrics, dashboard, summary and every report format hold none of the requests\' personal values or identifiers', async () => {
    const outputs: Record<string, string> = {
      metrics: (await fw.get('/metrics', { operator: true })).text,
      dashboard: (await fw.get('/oversight')).text,
      summary: (await fw.get(`/v1/oversight/summary?from=${month}&to=${month}`)).text,
    };
    for (const format of ['json', 'csv', 'html']) outputs[`report.${format}`] = (await fw.get(`/v1/oversight/report?period=${month}&format=${format}`)).text;
    // the requests really carried them, and the ledger folder (codes only) carries none but the code-shaped basis
    expect(probes()).toContain(personal.subjectId(0));
    for (const [name, text] of Object.entries(outputs)) {
      for (const probe of probes()) expect(text.includes(probe), `${name} contains ${probe}`).toBe(false);
    }
    // metric labels: closed vocabularies only, never an agency code
    const labelValues = [...outputs.metrics!.matchAll(/="([^"]*)"/g)].map((x) => x[1]!);
    for (const agency of visibleScenarios().map((s) => s.request.requester.agency)) expect(labelValues).not.toContain(agency);
    expect(report.tables.find((t) => t.id === 'byBasisType')!.rows.find((r) => r.key === 'other')!.total).toBe('<10');
  });
});
