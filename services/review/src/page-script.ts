/**
 * The reviewer page's script: vanilla JS, no external assets, served inline under a hash-pinned CSP. Everything
 * from a case reaches the DOM through textContent (purpose texts and court names are the requester's words).
 * No backticks or template placeholders inside: this is plain text embedded as is.
 */
export const pageScript = String.raw`'use strict';
const HEADER = 'x-firewall-review';
const $ = (id) => document.getElementById(id);
const statusLine = $('status');
const errorLine = $('error');

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key === 'for' || key === 'role' || key.startsWith('data-') || key.startsWith('aria-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function api(method, path, options = {}) {
  const headers = { [HEADER]: '1', accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = 'Bearer ' + options.token;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  return { status: res.status, data };
}

function showProblem(target, data, fallback) {
  target.textContent = data && data.error ? data.error + (data.code ? ' (' + data.code + ')' : '') : fallback;
}

function showSignIn(message) {
  $('signin').hidden = false;
  $('cases').hidden = true;
  $('session').hidden = true;
  statusLine.textContent = message || '';
}

function facts(pairs) {
  const dl = el('dl');
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    dl.append(el('dt', { text: label }), el('dd', { text: String(value) }));
  }
  return dl;
}

function legalDocument(c) {
  const r = c.request;
  const basis = r && r.legalBasis;
  const doc = c.legalDocument;
  const verification = el('p', { class: 'verification', 'data-verification': doc.status, text: doc.text });
  if (!basis) return el('div', {}, [verification, r ? null : el('p', { text: 'Basis type ' + c.decision.context.basisType + '.' })]);
  const judge = basis.judgeSigned === null ? 'not shown' : basis.judgeSigned ? 'yes' : 'no';
  return el('div', {}, [verification, facts([['Type', basis.type], ['Court', basis.court], ['Signed by a judge', judge], ['Expires', basis.expires],
    ['Named subjects', basis.namedSubjects], ['Listed fields', basis.listedFields ? basis.listedFields.join(', ') : null],
    ['Criminal predicate', basis.criminalPredicate], ['Verified by', basis.verifiedBy]])]);
}

const FACTS = ['court', 'judgeSigned', 'verified', 'expires', 'namedSubjects', 'listedFields', 'criminalPredicate'];

function redecisionText(d) {
  const head = 'Re-decision with these findings: ' + d.decision + ' (policy revision ' + d.policy.revision + '; rules ' + d.decisive.join(', ') + ').';
  if (d.decision === 'DENY') return head + ' Only a DENY can be recorded.';
  if (d.allowable === null) return head + ' The policy still leaves it to a reviewer: your choice of requested fields stands.';
  return head + ' An ALLOW may release only: ' + d.allowable.join(', ') + '.';
}

function triState(id, label) {
  const select = el('select', { id }, [el('option', { value: '', text: 'not checked' }), el('option', { value: 'true', text: 'yes' }), el('option', { value: 'false', text: 'no' })]);
  return { node: el('div', {}, [el('label', { for: id, text: label + ' ' }), select]), read: () => (select.value === '' ? undefined : select.value === 'true') };
}

function findingsPart(c, id) {
  const enable = el('input', { type: 'checkbox', id: id('fx') });
  const text = (suffix, label, type) => {
    const input = el('input', { type: type || 'text', id: id('fx-' + suffix), maxLength: 200 });
    return { input, node: el('div', {}, [el('label', { for: id('fx-' + suffix), text: label + ' ' }), input]) };
  };
  const court = text('court', 'Court');
  const expires = text('expires', 'Expires', 'date');
  const named = text('named', 'Number of people named', 'number');
  const predicate = text('predicate', 'Criminal statute');
  const judge = triState(id('fx-judge'), 'Signed by a judge');
  const verified = triState(id('fx-verified'), 'Subject authorization verified');
  const listed = el('fieldset', {}, [el('legend', { text: 'Fields the document lists (of those requested)' }),
    ...c.requestedFields.map((f) => el('div', {}, [el('input', { type: 'checkbox', name: 'listed', value: f, id: id('fx-l-' + f) }), el('label', { for: id('fx-l-' + f), text: f + ' (listed)' })]))]);
  const result = el('p', { class: 'redecision', role: 'status' });
  const preview = el('button', { type: 'button', text: 'Preview the re-decision' });
  const box = el('fieldset', { class: 'findings', disabled: true }, [el('legend', { text: 'What the paper document shows' }),
    court.node, judge.node, expires.node, named.node, predicate.node, verified.node, listed, preview, result]);
  enable.addEventListener('change', () => { box.disabled = !enable.checked; result.textContent = ''; });
  const read = () => {
    const out = {};
    if (court.input.value.trim()) out.court = court.input.value.trim();
    if (judge.read() !== undefined) out.judgeSigned = judge.read();
    if (verified.read() !== undefined) out.verified = verified.read();
    if (expires.input.value) out.expires = expires.input.value;
    if (named.input.value !== '') out.namedSubjects = Number(named.input.value);
    if (predicate.input.value.trim()) out.criminalPredicate = predicate.input.value.trim();
    const ticked = Array.from(listed.querySelectorAll('input[name=listed]:checked'), (b) => b.value);
    if (ticked.length) out.listedFields = ticked;
    return out;
  };
  preview.addEventListener('click', async () => {
    result.textContent = 'Asking the policy…';
    const { status, data } = await api('POST', '/v1/reviews/' + encodeURIComponent(c.caseId) + '/findings:preview', { body: { findings: read() } });
    if (status === 401) return showSignIn('Your session ended: sign in again.');
    if (status !== 200) return showProblem(result, data, 'The findings were not accepted.');
    result.textContent = redecisionText(data.redecision);
  });
  return {
    node: el('div', {}, [el('div', {}, [enable, el('label', { for: id('fx'), text: 'I checked the paper document: record what it shows (the policy re-decides with it)' })]), box]),
    findings: () => (enable.checked ? read() : undefined),
  };
}

function resolvedNote(res) {
  return el('div', { class: 'resolved', 'data-outcome': res.outcome }, [
    el('p', { class: 'verdict', text: 'Resolved: ' + res.outcome + (res.fields.length ? ' — fields: ' + res.fields.join(', ') : ' — nothing released') }),
    el('p', { text: 'By ' + res.reviewerRole + ' at ' + res.resolvedAt + '. Note signed by the review desk (key ' + res.reviewerKid.slice(0, 12) + '…).' }),
    res.findings ? el('p', { text: 'Verified on the paper: ' + (FACTS.filter((k) => res.findings[k] !== null).join(', ') || 'nothing') + '.' }) : null,
    res.redecision ? el('p', { text: redecisionText(res.redecision) }) : null,
  ]);
}

function resolveForm(c) {
  const id = (suffix) => 'c-' + c.caseId + '-' + suffix;
  const radio = (value, label) => el('div', {}, [
    el('input', { type: 'radio', name: 'outcome', value, id: id('o-' + value), required: true }),
    el('label', { for: id('o-' + value), text: label }),
  ]);
  const fields = el('fieldset', { class: 'fields' }, [
    el('legend', { text: 'Fields to release (only fields the request named)' }),
    ...c.requestedFields.map((f) => el('div', {}, [
      el('input', { type: 'checkbox', name: 'field', value: f, id: id('f-' + f) }),
      el('label', { for: id('f-' + f), text: f }),
    ])),
  ]);
  const findings = findingsPart(c, id);
  const note = el('textarea', { id: id('note'), name: 'note', required: true, maxLength: 4000, rows: 3 });
  const problem = el('p', { class: 'problem', role: 'alert' });
  const button = el('button', { type: 'submit', text: 'Resolve' });
  const form = el('form', { class: 'resolve', 'aria-label': 'Resolve case ' + c.caseId }, [
    el('fieldset', {}, [el('legend', { text: 'Outcome' }), radio('ALLOW', 'Allow the fields ticked below'), radio('DENY', 'Deny: release nothing')]),
    fields, findings.node,
    el('label', { for: id('note'), text: 'Note (signed with the resolution; reasons, the document checked)' }),
    note, button, problem,
  ]);
  form.addEventListener('change', () => { fields.disabled = form.elements.outcome.value === 'DENY'; });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = form.elements.outcome.value;
    const ticked = Array.from(form.querySelectorAll('input[name=field]:checked'), (box) => box.value);
    problem.textContent = '';
    button.disabled = true;
    const { status, data } = await api('POST', '/v1/reviews/' + encodeURIComponent(c.caseId) + '/resolution', {
      body: { outcome, fields: outcome === 'ALLOW' ? ticked : [], note: note.value, findings: findings.findings() },
    });
    button.disabled = false;
    if (status === 401) return showSignIn('Your session ended: sign in again.');
    if (status !== 200) return showProblem(problem, data, 'The resolution was not accepted.');
    form.closest('section').dataset.status = 'RESOLVED';
    form.replaceWith(resolvedNote(data.resolution));
    statusLine.textContent = 'Case ' + c.caseId + ' resolved: ' + data.resolution.outcome + '.';
  });
  return form;
}

function renderCase(c) {
  const r = c.request;
  const ctx = c.decision.context;
  const d = c.decision;
  return el('section', { class: 'case', 'data-case-id': c.caseId, 'data-status': c.status }, [
    el('h3', { text: (r ? r.agency : ctx.agency) + ' · ' + (r ? r.purpose.code : ctx.purpose) + ' · ' + (r ? r.system : ctx.system) }),
    facts([['Case', c.caseId], ['Opened', c.openedAt], ['Received', r && r.receivedAt], ['Requester role', r && r.role],
      ['Purpose', r ? r.purpose.code + (r.purpose.text ? ': ' + r.purpose.text : '') : ctx.purpose],
      ['Subjects', r && r.subjects ? r.subjects.count + ' (' + r.subjects.selection + ')' : ctx.count + ' (' + ctx.selection + ')'],
      ['Fields requested', c.requestedFields.join(', ')], ['Attestations', r && r.attestations.length ? r.attestations.join(', ') : null],
      ['Policy revision', d.policy.revision]]),
    el('h4', { text: 'Legal document' }), legalDocument(c),
    el('h4', { text: 'Rules cited' }),
    el('ul', { class: 'rules' }, d.rules.map((rule) => el('li', { 'data-rule': rule.id }, [
      el('strong', { text: rule.id + ' — ' + rule.title }), el('ul', { class: 'sources' }, rule.sources.map((s) => el('li', { text: s }))),
    ]))),
    el('h4', { text: 'Why it was held' }),
    el('ul', {}, d.reasons.map((x) => el('li', { text: x.rule + ': ' + x.text }))),
    d.alerts.length ? el('h4', { text: 'Alerts' }) : null,
    d.alerts.length ? el('ul', {}, d.alerts.map((a) => el('li', { text: a.code + ' (' + a.rule + ')' + (a.fields.length ? ': ' + a.fields.join(', ') : '') }))) : null,
    el('h4', { text: 'Open questions for the city attorney' }),
    d.openQuestions.length
      ? el('ul', { class: 'questions' }, d.openQuestions.map((q) => el('li', { 'data-question': q.id }, [el('strong', { text: q.id }), ' ', q.text || '(text not loaded)'])))
      : el('p', { text: 'None.' }),
    c.status === 'OPEN' ? resolveForm(c) : resolvedNote(c.resolution),
  ]);
}

async function load() {
  errorLine.textContent = '';
  const { status, data } = await api('GET', '/v1/reviews?status=OPEN');
  if (status === 401) return showSignIn('Sign in with a reviewer token to see held requests.');
  if (status !== 200) return showProblem(errorLine, data, 'Could not load the cases.');
  $('signin').hidden = true;
  $('session').hidden = false;
  $('cases').hidden = false;
  $('case-list').replaceChildren(...data.cases.map(renderCase));
  $('count').textContent = String(data.cases.length);
  $('empty').hidden = data.cases.length > 0;
}

function signedIn(session) {
  $('whoami').textContent = 'Signed in as ' + session.role + ' until ' + new Date(session.expiresAt).toLocaleTimeString() + '.';
  return load();
}

async function start() {
  const { status, data } = await api('GET', '/v1/reviews/session');
  if (status === 200 && data.signedIn) return signedIn(data);
  return showSignIn('Sign in with a reviewer token to see held requests.');
}

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  errorLine.textContent = '';
  const token = $('token').value.trim();
  $('token').value = '';
  const { status, data } = await api('POST', '/v1/reviews/session', { token });
  if (status !== 201) return showProblem(errorLine, data, 'Sign-in failed.');
  await signedIn(data);
});
$('signout').addEventListener('click', async () => {
  await api('DELETE', '/v1/reviews/session');
  showSignIn('Signed out.');
});
$('refresh').addEventListener('click', () => void load());
void start();
`;
