import { createHash } from 'node:crypto';
import { pageScript } from './page-script.js';

const pageStyle = `
:root { font-family: system-ui, sans-serif; line-height: 1.4; color: #1b1b1b; background: #f6f6f4; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 3rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5rem; border-bottom: 2px solid #1b1b1b; }
header h1 { margin: 0.5rem 0; font-size: 1.6rem; }
#session { margin-left: auto; }
.case { background: #fff; border: 1px solid #c8c8c4; border-radius: 6px; padding: 0.5rem 1.25rem 1rem; margin: 1rem 0; }
.case[data-status="RESOLVED"] { border-color: #2e7d32; }
.case h3 { margin: 0.5rem 0; }
.case h4 { margin: 1rem 0 0.25rem; font-size: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.25rem 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.sources { font-size: 0.9rem; color: #444; }
fieldset { border: 1px solid #c8c8c4; margin: 0.75rem 0; }
textarea { display: block; width: 100%; box-sizing: border-box; margin: 0.25rem 0 0.75rem; }
button { font: inherit; padding: 0.3rem 1rem; cursor: pointer; }
.problem, #error { color: #b00020; }
.resolved { background: #e8f5e9; padding: 0.25rem 0.75rem; border-radius: 4px; margin-top: 1rem; }
.verdict { font-weight: 600; }
.verification { font-weight: 600; padding: 0.25rem 0.5rem; border-left: 4px solid #2e7d32; }
.verification[data-verification="UNVERIFIED"], .verification[data-verification="NOT_RECEIVED"] { border-color: #b00020; background: #fdecea; }
.findings label { margin-right: 0.5rem; }
.redecision { font-weight: 600; }
`;

const pageBody = `<header>
  <h1>Review desk</h1>
  <p>Requests the policy held for a city attorney decision.</p>
  <div id="session" hidden><span id="whoami"></span> <button type="button" id="refresh">Refresh</button> <button type="button" id="signout">Sign out</button></div>
</header>
<main>
  <p id="status" role="status"></p>
  <p id="error" role="alert"></p>
  <section id="signin" hidden>
    <h2>Sign in</h2>
    <p>Paste a reviewer token from the city attorney's data-practices office (role CITY_ATTORNEY or DATA_PRACTICES_REVIEWER).
    It is used once, to open a 30-minute session on this page.</p>
    <form id="signin-form">
      <label for="token">Reviewer token</label>
      <textarea id="token" name="token" rows="4" required autocomplete="off" spellcheck="false"></textarea>
      <button type="submit">Sign in</button>
    </form>
  </section>
  <section id="cases" hidden>
    <h2>Open cases (<span id="count">0</span>)</h2>
    <p id="empty" hidden>No held requests are waiting.</p>
    <div id="case-list"></div>
  </section>
</main>`;

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's Content-Security-Policy: only this script and this style run; the page talks only to its own origin. */
export const pageCsp = [
  "default-src 'none'",
  `script-src ${hashOf(pageScript)}`,
  `style-src ${hashOf(pageStyle)}`,
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** GET /review: self-contained HTML (no external assets). */
export const reviewPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review desk — Sanctuary firewall</title>
<style>${pageStyle}</style>
</head>
<body>
${pageBody}
<script>${pageScript}</script>
</body>
</html>
`;
