import type { ReasonTable, ReportRow, ReportTable, TransparencyReport } from './report.js';
import type { Published } from './suppression.js';
import { decisionHelp, decisions, type DecisionCode } from './vocabulary.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const SMALL_TITLE = 'Fewer than 10: the exact number is not shown, so no one can be singled out.';
export const SUPPRESSED_TITLE = '10 or more, hidden so that a small number in the same row or column cannot be worked out by subtraction.';

/** A published number as a table cell: numbers right-aligned, "<10" and "suppressed" with their explanation on hover. */
export function cell(value: Published, attrs = ''): string {
  if (value === '<10') return `<td class="num small" title="${esc(SMALL_TITLE)}"${attrs}>&lt;10</td>`;
  if (value === 'suppressed') return `<td class="num suppressed" title="${esc(SUPPRESSED_TITLE)}"${attrs}>suppressed</td>`;
  return `<td class="num"${attrs}>${value.toLocaleString('en-US')}</td>`;
}

const decisionHeader = (label: string, d: DecisionCode) => `<th scope="col" class="num ${d.toLowerCase()}" title="${esc(decisionHelp[d])}">${esc(label)}</th>`;

export function renderTable(table: ReportTable, labels: Readonly<Record<DecisionCode, string>>): string {
  const head = `<tr><th scope="col">${esc(table.rowHeading)}</th>${decisions.map((d) => decisionHeader(labels[d], d)).join('')}<th scope="col" class="num">Total</th></tr>`;
  const body = table.rows.map((r) => rowHtml(r, table.id === 'byRule')).join('');
  const foot = table.totals ? `<tfoot>${rowHtml(table.totals, false, 'total')}</tfoot>` : '';
  return `<table data-table="${esc(table.id)}"><caption>${esc(table.title)}</caption><thead>${head}</thead><tbody>${body}</tbody>${foot}</table>`;
}

function rowHtml(row: ReportRow, isRule: boolean, cls = ''): string {
  const label = isRule ? ruleLabel(row) : esc(row.label);
  const cells = decisions.map((d) => cell(row.cells[d], ` data-cell="${esc(row.key)}|${d}"`)).join('');
  return `<tr${cls ? ` class="${cls}"` : ''} data-row="${esc(row.key)}"><th scope="row">${label}</th>${cells}${cell(row.total, ` data-cell="${esc(row.key)}|total"`)}</tr>`;
}

/** The rule's id and title; its legal sources on hover (title) and on click (details). */
export function ruleLabel(row: Pick<ReportRow, 'key' | 'label' | 'sources'>): string {
  const sources = row.sources ?? [];
  const hover = sources.length ? sources.join('\n') : 'No legal source recorded for this rule.';
  const list = sources.length ? `<ul class="sources">${sources.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : '<p class="sources">No legal source recorded.</p>';
  return `<details class="rule" title="${esc(hover)}"><summary><span class="rule-id">${esc(row.key)}</span> ${esc(row.label)}</summary>${list}</details>`;
}

export function renderReasons(table: ReasonTable, id: string): string {
  const rows = table.rows.length
    ? table.rows.map((r) => `<tr data-row="${esc(r.reason)}"><th scope="row"><code>${esc(r.reason)}</code></th>${cell(r.value, ` data-cell="${esc(r.reason)}"`)}</tr>`).join('')
    : '<tr><th scope="row">None</th><td class="num">0</td></tr>';
  return `<table data-table="${esc(id)}"><caption>${esc(table.title)}</caption><thead><tr><th scope="col">Reason</th><th scope="col" class="num">Count</th></tr></thead><tbody>${rows}</tbody><tfoot><tr class="total"><th scope="row">Total</th>${cell(table.total, ' data-cell="total"')}</tr></tfoot></table>`;
}

export function renderNotes(report: Pick<TransparencyReport, 'method'>): string {
  return `<ul class="notes">${report.method.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
}

export const baseCss = `
:root { --deny: #b3261e; --review: #a56300; --partial: #1f5fa8; --allow: #2e7d32; --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0; background: #fafafa; font-size: 16px; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; } h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
p.lead { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.25rem; background: #fff; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.small, td.suppressed { color: var(--muted); font-style: italic; cursor: help; }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
th.deny { color: var(--deny); } th.review { color: var(--review); } th.allow_redacted { color: var(--partial); } th.allow { color: var(--allow); }
details.rule summary { cursor: pointer; } .rule-id { font-weight: 700; }
ul.sources { margin: .25rem 0 .25rem 1rem; color: var(--muted); font-size: .9rem; }
ul.notes { color: var(--muted); font-size: .92rem; }
code { font-size: .9rem; }
`;
