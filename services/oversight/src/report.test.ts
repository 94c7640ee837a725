import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLedgerFolder } from './ledger-source.js';
import { OversightIndex } from './oversight-index.js';
import { renderReport } from './render.js';
import { buildReport, type ReportRow } from './report.js';
import { decision, policyData, systems, tempDir, writeLedger } from './test-support.js';
import { createVocabulary } from './vocabulary.js';

const catalog = new Map([
  ['R1', { title: 'No city data for civil immigration enforcement', sources: ['Minneapolis Code §19.10'] }],
  ['R3', { title: 'Administrative immigration documents are no authority', sources: ['Illinois TRUST Act'] }],
]);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeLedger(dir, [
    { at: '2026-11-03T10:00:00Z', times: 12, summary: decision('ICE_ERO', 'municipal_id', 'ADMIN_WARRANT_I200', 'DENY', ['R1', 'R3', 'R25']) },
    { at: '2026-11-04T10:00:00Z', times: 3, summary: decision('FBI', 'summons', 'GRAND_JURY_SUBPOENA', 'REVIEW', ['R6', 'R16', 'R25']) },
    { at: '2026-11-05T10:00:00Z', times: 15, summary: decision('CITY_CLERK', 'service_requests', 'INTERNAL_ASSIGNMENT', 'ALLOW_REDACTED', ['R15', 'R18', 'R25']) },
    // a requester-chosen code that happens to be personal, and an unregistered agency: never published
    { at: '2026-11-06T10:00:00Z', summary: decision('ZED_QUIXOTE_AGENCY', 'summons', 'ZED_QUIXOTE_1987_03_14', 'DENY', ['R26', 'R25']) },
    // the same request chained twice counts once; dry runs never count
    { at: '2026-11-07T10:00:00Z', requestId: 'dup-1', summary: decision('MN_COURT', 'summons', 'COURT_RULE', 'ALLOW_REDACTED', ['R19', 'R25']) },
    { at: '2026-11-07T10:00:01Z', requestId: 'dup-1', summary: decision('MN_COURT', 'summons', 'COURT_RULE', 'ALLOW_REDACTED', ['R19', 'R25']) },
    { at: '2026-11-08T10:00:00Z', type: 'DRY_RUN', times: 4, summary: decision('ICE_ERO', 'municipal_id', 'NONE', 'DENY', ['R1', 'R25']) },
    { at: '2026-11-09T10:00:00Z', type: 'REJECTED_INPUT', times: 2, summary: { reason: 'PF_REQ_SCHEMA' } },
    { at: '2026-11-09T10:00:00Z', type: 'DEAD_LETTER', summary: { reason: 'PF_BUS_UNDECODABLE' } },
    // another month
    { at: '2026-12-01T00:00:00Z', times: 2, summary: decision('ICE_ERO', 'municipal_id', 'NONE', 'DENY', ['R1', 'R25']) },
  ]);
});
afterEach(() => cleanup());

async function report(period = '2026-11') {
  const { entries, head, lastCheckpoint } = await readLedgerFolder(dir);
  const index = new OversightIndex(createVocabulary({ policyData, systems }));
  index.add(entries);
  return buildReport(index, period, { ruleCatalog: catalog, source: { headHash: head.headHash, checkpoint: lastCheckpoint } });
}

const row = (rows: readonly ReportRow[], key: string) => rows.find((r) => r.key === key)!;

describe('transparency report from the ledger', () => {
  it('when a month is reported, then each request counts once by outcome, dry runs excluded, small counts shown as "<10"', async () => {
    const r = await report();
    // exact: DENY 13 (12 + 1), REVIEW 3, ALLOW_REDACTED 16 (15 + one request chained twice), ALLOW 0; 32 in all
    expect(r.totals.cells.REVIEW).toBe('<10');
    expect(r.totals.cells.ALLOW).toBe(0);
    expect([13, 'suppressed']).toContain(r.totals.cells.DENY);
    expect([16, 'suppressed']).toContain(r.totals.cells.ALLOW_REDACTED);
    expect([32, 'suppressed']).toContain(r.totals.total);
    expect(r.period).toBe('2026-11');
    expect(r.from).toBe('2026-11-01T00:00:00.000Z');
    expect(r.to).toBe('2026-11-30T23:59:59.999Z');
  });

  it('when a small cell shares a row or column with shown numbers, then no line leaves exactly one number hidden', async () => {
    const r = await report();
    for (const table of [...r.tables, ...r.council.tables].filter((t) => t.totals)) {
      const rows = [...table.rows, table.totals!];
      const alone = (line: unknown[]) => line.filter((v) => typeof v !== 'number').join() === '<10';
      for (const x of rows) expect(alone([...Object.values(x.cells), x.total])).toBe(false);
      for (const d of ['DENY', 'REVIEW', 'ALLOW_REDACTED', 'ALLOW'] as const) expect(alone(rows.map((x) => x.cells[d]))).toBe(false);
    }
    const byClass = r.tables.find((t) => t.id === 'byAgencyClass')!;
    expect(row(byClass.rows, 'federal_criminal').cells.REVIEW).toBe('<10');
    expect(row(byClass.rows, 'unknown').cells.DENY).toBe('<10');
    expect([15, 'suppressed']).toContain(row(byClass.rows, 'city_department').cells.ALLOW_REDACTED);
  });

  it('when a basis type or agency is not in the vocabulary, then it is reported as "other" / "unregistered", never by its text', async () => {
    const r = await report();
    const text = ['json', 'csv', 'html'].map((f) => renderReport(r, f as 'json')).join('\n');
    for (const secret of ['ZED_QUIXOTE', 'dup-1', 'req-']) expect(text).not.toContain(secret);
    expect(row(r.tables.find((t) => t.id === 'byBasisType')!.rows, 'other').total).toBe('<10');
  });

  it('when rules are cited, then the rule table lists each with its title and sources, R25 left out', async () => {
    const r = await report();
    const rules = r.tables.find((t) => t.id === 'byRule')!;
    expect(rules.rows.map((x) => x.key)).toEqual(['R1', 'R3', 'R6', 'R15', 'R16', 'R18', 'R19', 'R26']);
    expect(row(rules.rows, 'R1')).toMatchObject({ label: 'No city data for civil immigration enforcement', sources: ['Minneapolis Code §19.10'], total: 12 });
    expect(row(rules.rows, 'R6').label).toBe('Rule R6');
  });

  it('when federal agencies asked, then the council section lists them by class and basis with outcomes', async () => {
    const r = await report();
    const [byClass, byBasis] = r.council.tables;
    expect(byClass!.rows.map((x) => x.key)).toEqual(['enforcement', 'federal_criminal', 'immigration_benefits', 'prevention']);
    expect(row(byClass!.rows, 'federal_criminal').total).toBe('<10');
    expect(byBasis!.rows.map((x) => x.key)).toEqual(['ADMIN_WARRANT_I200', 'GRAND_JURY_SUBPOENA']);
    expect(byClass!.totals!.total).not.toBe(15);
  });

  it('when refusals and dead letters are in the month, then they are counted by reason, apart from decisions', async () => {
    const r = await report();
    expect(r.rejectedInputs.rows).toEqual([{ reason: 'PF_REQ_SCHEMA', value: '<10' }]);
    expect(r.deadLetters.rows).toEqual([{ reason: 'PF_BUS_UNDECODABLE', value: '<10' }]);
  });

  it('when rendered as CSV, then every line has five fields and the totals match the JSON', async () => {
    const r = await report();
    const lines = renderReport(r, 'csv').trim().split('\r\n');
    expect(lines[0]).toBe('table,row,label,outcome,value');
    expect(lines).toContain(`totals,total,All requests,total,${r.totals.total}`);
    expect(lines.every((l) => l.split(',').length >= 5)).toBe(true);
    expect(renderReport(r, 'html')).toContain(`data-figure="total">${r.totals.total}<`);
  });

  it('when another month is asked, then only its entries count', async () => {
    const r = await report('2026-12');
    expect(r.totals.total).toBe('<10');
    expect(r.source.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.source.checkpoint?.size).toBeGreaterThan(0);
  });
});
