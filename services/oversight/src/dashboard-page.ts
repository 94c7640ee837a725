import { SMALL_TITLE, SUPPRESSED_TITLE, baseCss, esc, ruleLabel } from './html-parts.js';
import type { Published } from './suppression.js';
import { formatFigure, leastOf, type Figure, type FigureRow, type FigureTable, type OversightSummary } from './summary.js';
import { decisions, type DecisionCode } from './vocabulary.js';

/**
 * The oversight dashboard: one self-contained page (no scripts, no external assets), rendered on the server
 * from the same published numbers as the report. The period filter is a plain form; legal sources open on
 * click and show on hover.
 */
export function renderDashboard(summary: OversightSummary): string {
  const labels = Object.fromEntries(summary.decisions.map((d) => [d.key, d.label])) as Record<DecisionCode, string>;
  const period = summary.from === summary.to ? monthName(summary.from) : `${monthName(summary.from)} to ${monthName(summary.to)}`;
  const [byClass, bySystem, byBasis, byRule] = summary.tables as [FigureTable, FigureTable, FigureTable, FigureTable];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>City data firewall: oversight dashboard</title><style>${baseCss}${css}</style></head>
<body><main>
<h1>What the city data firewall blocked, held and released</h1>
<p class="lead">Every request an agency made for city records, and what the firewall decided. Counts only: no names, no identifiers, no personal data. Numbers from 1 to 9 are shown as "&lt;10".</p>
<form class="period" method="get" action="">
  <label>From <input type="month" name="from" value="${esc(summary.from)}"></label>
  <label>To <input type="month" name="to" value="${esc(summary.to)}"></label>
  <button type="submit">Show</button>
  <span class="downloads">Transparency report for ${esc(monthName(summary.to))}:
    ${(['html', 'csv', 'json'] as const).map((f) => `<a href="v1/oversight/report?period=${esc(summary.to)}&amp;format=${f}">${f.toUpperCase()}</a>`).join(' ')}</span>
</form>
<h2 id="period">${esc(period)}</h2>
<section class="cards" aria-label="Key figures">
  ${card('total', 'Requests decided', summary.totals.total, 'Every request that reached a decision in this period.')}
  ${decisions.map((d) => card(d, labels[d], summary.totals.cells[d], summary.decisions.find((x) => x.key === d)!.help, d.toLowerCase())).join('\n  ')}
  ${card('backlog', 'Waiting for legal review now', summary.reviewBacklog.waiting, summary.reviewBacklog.oldestWaitingDays === null ? 'No held request is waiting.' : `The oldest has waited ${summary.reviewBacklog.oldestWaitingDays} day(s).`, 'review')}
  ${card('rejected', 'Refused before a decision', summary.rejectedInputs, 'Malformed or unauthenticated requests; nothing was decided or released.')}
</section>
<h2>Over time</h2>
${trendChart(summary, labels)}
<h2>Rules most often cited</h2>
<p class="hint">Click a rule to see its legal sources.</p>
${topRules(byRule)}
<h2>By requesting agency</h2>
${figureTable(byClass, labels)}
<h2>By city system</h2>
${figureTable(bySystem, labels)}
<h2>${esc(summary.council.title)}</h2>
<p>${esc(summary.council.note)}</p>
${summary.council.tables.map((t) => figureTable(t, labels)).join('\n')}
<details class="more"><summary>By legal basis presented</summary>${figureTable(byBasis, labels)}</details>
<h2>About these numbers</h2>
<ul class="notes">${summary.notes.map((n) => `<li>${esc(n)}</li>`).join('')}
<li>Over several months, a month's hidden numbers stay hidden: the page shows "at least" the sum of what can be shown.</li></ul>
<p class="hint">Ledger entries read: ${esc(summary.source.ledgerEntriesRead)}${summary.source.headHash ? `; last entry hash <code>${esc(summary.source.headHash.slice(0, 16))}…</code>` : ''}.</p>
</main></body></html>
`;
}

function card(key: string, label: string, figure: Figure, help: string, cls = ''): string {
  return `<div class="card ${cls}" title="${esc(help)}"><div class="figure" data-figure="${esc(key)}">${esc(formatFigure(figure))}</div><div class="label">${esc(label)}</div><div class="help">${esc(help)}</div></div>`;
}

function figureCell(figure: Figure, key: string): string {
  const title = figure === '<10' ? SMALL_TITLE : figure === 'suppressed' ? SUPPRESSED_TITLE : typeof figure === 'object' ? 'Some months in this period have numbers too small to show; this is the least the total can be.' : '';
  return `<td class="num${typeof figure === 'number' ? '' : ' small'}" data-cell="${esc(key)}"${title ? ` title="${esc(title)}"` : ''}>${esc(formatFigure(figure))}</td>`;
}

function figureTable(table: FigureTable, labels: Record<DecisionCode, string>): string {
  const head = `<tr><th scope="col">${esc(table.rowHeading)}</th>${decisions.map((d) => `<th scope="col" class="num ${d.toLowerCase()}">${esc(labels[d])}</th>`).join('')}<th scope="col" class="num">Total</th></tr>`;
  const row = (r: FigureRow, cls = '') => `<tr${cls} data-row="${esc(r.key)}"><th scope="row">${esc(r.label)}</th>${decisions.map((d) => figureCell(r.cells[d], `${r.key}|${d}`)).join('')}${figureCell(r.total, `${r.key}|total`)}</tr>`;
  const rows = table.rows.length ? table.rows.map((r) => row(r)).join('') : `<tr><td colspan="${decisions.length + 2}">No requests in this period.</td></tr>`;
  return `<table data-table="${esc(table.id)}"><caption>${esc(table.title)}</caption><thead>${head}</thead><tbody>${rows}</tbody>${table.totals ? `<tfoot>${row(table.totals, ' class="total"')}</tfoot>` : ''}</table>`;
}

/** Horizontal bars, longest first; ordered by what is shown (a hidden number counts as the least it can be). */
function topRules(table: FigureTable): string {
  const rows = [...table.rows].sort((a, b) => leastOf(b.total) - leastOf(a.total)).slice(0, 10);
  if (rows.length === 0) return '<p>No rules were cited in this period.</p>';
  const max = Math.max(...rows.map((r) => leastOf(r.total)), 1);
  return `<ol class="bars" data-table="topRules">${rows.map((r) => `<li data-row="${esc(r.key)}"><div class="bar-label">${ruleLabel(r)}</div>
<div class="bar-track"><div class="bar${typeof r.total === 'number' ? '' : ' hatched'}" style="width:${Math.max(2, (100 * leastOf(r.total)) / max).toFixed(1)}%"></div><span class="bar-value" data-cell="${esc(r.key)}|total">${esc(formatFigure(r.total))}</span></div></li>`).join('')}</ol>`;
}

/** Stacked columns per month: blocked, held, released in part, released in full. */
function trendChart(summary: OversightSummary, labels: Record<DecisionCode, string>): string {
  const height = (p: Published) => (typeof p === 'number' ? p : p === '<10' ? 1 : 10);
  const max = Math.max(...summary.trend.map((m) => decisions.reduce((s, d) => s + height(m.cells[d]), 0)), 1);
  const columns = summary.trend.map((m) => {
    const segments = decisions.map((d) => {
      const v = m.cells[d];
      if (v === 0) return '';
      const tip = `${monthName(m.month)}: ${labels[d]} ${typeof v === 'number' ? v : v === '<10' ? 'fewer than 10' : '10 or more (hidden)'}`;
      return `<div class="seg ${d.toLowerCase()}${typeof v === 'number' ? '' : ' hatched'}" style="height:${((100 * height(v)) / max).toFixed(1)}%" title="${esc(tip)}"></div>`;
    }).join('');
    return `<div class="col" data-month="${esc(m.month)}"><div class="stack">${segments}</div><div class="col-total">${esc(formatFigure(m.total))}</div><div class="col-label">${esc(shortMonth(m.month))}</div></div>`;
  }).join('');
  const legend = decisions.map((d) => `<span><i class="swatch ${d.toLowerCase()}"></i>${esc(labels[d])}</span>`).join('');
  return `<div class="trend" role="img" aria-label="Requests decided per month, by outcome">${columns}</div><div class="legend">${legend}<span><i class="swatch hatched"></i>fewer than 10, or hidden</span></div>`;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const monthName = (month: string) => `${monthNames[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
const shortMonth = (month: string) => `${monthNames[Number(month.slice(5, 7)) - 1]!.slice(0, 3)} ${month.slice(2, 4)}`;

const css = `
form.period { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; background: #fff; padding: .75rem; border: 1px solid var(--line); }
form.period input, form.period button { font: inherit; padding: .25rem .5rem; } .downloads { margin-left: auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; }
.card { background: #fff; border: 1px solid var(--line); border-top: 6px solid var(--ink); padding: .75rem; }
.card.deny { border-top-color: var(--deny); } .card.review { border-top-color: var(--review); } .card.allow_redacted { border-top-color: var(--partial); } .card.allow { border-top-color: var(--allow); }
.card .figure { font-size: 2rem; font-weight: 700; font-variant-numeric: tabular-nums; } .card .label { font-weight: 600; } .card .help { color: var(--muted); font-size: .85rem; }
.trend { display: flex; gap: .5rem; align-items: stretch; height: 220px; background: #fff; border: 1px solid var(--line); padding: .75rem .75rem 0; }
.col { flex: 1; display: flex; flex-direction: column; min-width: 0; } .stack { flex: 1; display: flex; flex-direction: column-reverse; }
.seg { width: 100%; min-height: 3px; } .col-total { text-align: center; font-size: .85rem; font-weight: 600; } .col-label { text-align: center; font-size: .8rem; color: var(--muted); padding-bottom: .25rem; }
.seg.deny, .swatch.deny, .bar { background: var(--deny); } .seg.review, .swatch.review { background: var(--review); }
.seg.allow_redacted, .swatch.allow_redacted { background: var(--partial); } .seg.allow, .swatch.allow { background: var(--allow); }
.hatched, .swatch.hatched { background-image: repeating-linear-gradient(45deg, rgba(255,255,255,.65) 0 4px, transparent 4px 8px); }
.swatch.hatched { background-color: #888; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; font-size: .9rem; margin: .5rem 0; } .swatch { display: inline-block; width: 1rem; height: 1rem; margin-right: .35rem; vertical-align: -2px; }
ol.bars { list-style: none; padding: 0; } ol.bars li { display: grid; grid-template-columns: minmax(200px, 45%) 1fr; gap: .75rem; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.bar-track { display: flex; align-items: center; gap: .5rem; } .bar { height: 1.1rem; background-color: var(--partial); } .bar-value { font-weight: 600; white-space: nowrap; }
.hint { color: var(--muted); font-size: .9rem; } details.more { margin: 1rem 0; } details.more > summary { cursor: pointer; font-weight: 600; }
`;
