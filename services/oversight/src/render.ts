import { baseCss, esc, renderNotes, renderReasons, renderTable } from './html-parts.js';
import type { ReportRow, ReportTable, TransparencyReport } from './report.js';
import type { Published } from './suppression.js';
import { decisionLabels, decisions } from './vocabulary.js';

export const reportFormats = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const contentTypes: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (reportFormats as readonly string[]).includes(value);
}

export function renderReport(report: TransparencyReport, format: ReportFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv': return reportCsv(report);
    case 'html': return reportHtml(report);
  }
}

const csvField = (value: unknown) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Long format, one number per line: `table,row,label,outcome,value`. `value` is a count, "<10" (1 to 9) or
 * "suppressed" (10 or more, hidden to protect a small count); the first lines (table "meta") say what it covers.
 */
export function reportCsv(report: TransparencyReport): string {
  const lines: unknown[][] = [['table', 'row', 'label', 'outcome', 'value']];
  lines.push(['meta', 'period', 'Period (UTC month)', '', report.period]);
  lines.push(['meta', 'ledger_entries_read', 'Ledger entries read', '', report.source.ledgerEntriesRead]);
  lines.push(['meta', 'ledger_last_seq', 'Last ledger position read', '', report.source.lastSeq ?? '']);
  lines.push(['meta', 'ledger_head_hash', 'Hash of the last ledger entry read', '', report.source.headHash ?? '']);
  lines.push(['meta', 'small_cell_threshold', 'Counts below this are shown as <10', '', report.method.smallCellThreshold]);
  const rowLines = (table: string, row: ReportRow) => [
    ...decisions.map((d) => [table, row.key, row.label, d, row.cells[d]]),
    [table, row.key, row.label, 'total', row.total],
  ];
  lines.push(...rowLines('totals', report.totals));
  const tableLines = (t: ReportTable) => [...t.rows.flatMap((r) => rowLines(t.id, r)), ...(t.totals ? rowLines(t.id, t.totals) : [])];
  for (const t of [...report.tables, ...report.council.tables]) lines.push(...tableLines(t));
  for (const [id, t] of [['rejectedInputs', report.rejectedInputs], ['deadLetters', report.deadLetters]] as const) {
    for (const r of t.rows) lines.push([id, r.reason, r.reason, 'count', r.value]);
    lines.push([id, 'total', 'Total', 'count', t.total]);
  }
  return `${lines.map((l) => l.map(csvField).join(',')).join('\r\n')}\r\n`;
}

const figure = (value: Published) => (typeof value === 'number' ? value.toLocaleString('en-US') : value);

/** A standalone, printable page: no scripts, no external assets. */
export function reportHtml(report: TransparencyReport): string {
  const labels = Object.fromEntries(report.decisions.map((d) => [d.key, d.label])) as typeof decisionLabels;
  const headline = decisions.map((d) => `<li><strong data-figure="${d}">${esc(figure(report.totals.cells[d]))}</strong> ${esc(labels[d])}</li>`).join('');
  const src = report.source;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.title)}</title><style>${baseCss}</style></head>
<body><main>
<h1>${esc(report.title)}</h1>
<p class="lead">Requests for city records decided from ${esc(report.from.slice(0, 10))} to ${esc(report.to.slice(0, 10))} (UTC): what the firewall blocked, held for legal review and released. No personal data.</p>
<ul class="headline"><li><strong data-figure="total">${esc(figure(report.totals.total))}</strong> requests decided</li>${headline}</ul>
<h2>Outcomes</h2>
${report.tables.map((t) => renderTable(t, labels)).join('\n')}
<h2>${esc(report.council.title)}</h2>
<p>${esc(report.council.note)}</p>
${report.council.tables.map((t) => renderTable(t, labels)).join('\n')}
<h2>Refused or unprocessable input</h2>
${renderReasons(report.rejectedInputs, 'rejectedInputs')}
${renderReasons(report.deadLetters, 'deadLetters')}
<h2>How these numbers were made</h2>
${renderNotes(report)}
<p class="lead">Computed from ${esc(src.ledgerEntriesRead)} ledger entries (last position ${esc(src.lastSeq ?? 'none')}${src.headHash ? `, entry hash <code>${esc(src.headHash)}</code>` : ''}${src.checkpoint ? `; last signed checkpoint covers ${esc(src.checkpoint.size)} entries, root <code>${esc(src.checkpoint.root)}</code>` : ''}). Policy revisions: ${esc(src.policyRevisions.join(', ') || 'none')}.</p>
</main></body></html>
`;
}
