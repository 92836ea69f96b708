import { createHash } from 'node:crypto'
import { inspectorScript } from './script.js'

const style = `
:root { color-scheme: light dark; --fg: #1d232a; --muted: #6a737d; --line: #d8dee4; --bg: #f6f8fa;
  --card: #fff; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --line: #30363d;
  --bg: #0d1117; --card: #161b22; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #4493f8; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 17px; margin: 0 auto 0 0; } h1 span { color: var(--muted); font-weight: 400; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 12px 0 4px; }
code, pre, textarea, .path, .method, table { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.callback { padding: 12px 20px; border-bottom: 1px solid var(--line); display: grid; gap: 6px; }
.callback code { padding: 2px 6px; border-radius: 4px; background: var(--card); border: 1px solid var(--line); overflow-wrap: anywhere; }
main { padding: 12px 20px; display: grid; gap: 10px; }
#empty { padding: 0 20px; }
.muted { color: var(--muted); }
button { font: inherit; padding: 3px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--accent); }
.delivery { background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
summary { display: flex; align-items: center; gap: 10px; padding: 8px 12px; cursor: pointer; list-style-position: inside; }
.method { font-weight: 700; } .path { overflow-wrap: anywhere; flex: 1; } .size, time { color: var(--muted); white-space: nowrap; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; padding: 0 12px; border-top: 1px solid var(--line); }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
pre.body { margin: 0; padding: 8px; max-height: 420px; overflow: auto; background: var(--bg); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 2px 6px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 500; width: 34%; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--line); margin-top: 12px; }
.replay { display: flex; gap: 6px; align-items: center; margin-left: auto; }
.replay-url { width: 260px; font: inherit; padding: 3px 6px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
.result { color: var(--muted); }
.curl { display: block; width: calc(100% - 24px); margin: 0 12px 12px; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 6px; }
`

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/**
 * The Content-Security-Policy the page is served with: only its own inline script and style (by
 * hash), requests only to its own origin, no plugins, frames, forms or base-URL tricks.
 */
export const inspectorCsp = [
  "default-src 'none'",
  `script-src ${sha256(inspectorScript)}`,
  `style-src ${sha256(style)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Where the page finds its callback, its own routes and the event stream. */
export interface InspectorPageData {
  prefix: string
  endpoint: string
  callbackUrl: string
  eventsPath: string
  /** The scheme the callback checks signatures with, if any. */
  verify?: string
}

/** The whole inspector page for one callback: one self-contained HTML document. */
export function inspectorPage(data: InspectorPageData): string {
  const meta = Object.entries({
    'hookwright-prefix': data.prefix,
    'hookwright-endpoint': data.endpoint,
    'hookwright-callback': data.callbackUrl,
    'hookwright-events': data.eventsPath,
    'hookwright-verify': data.verify ?? '',
  })
    .map(([name, content]) => `<meta name="${name}" content="${escapeAttribute(content)}">`)
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hookwright inspector</title>
<link rel="icon" href="data:,">
${meta}
<style>${style}</style>
</head>
<body>
<header>
<h1>hookwright <span>inspector</span></h1>
<span id="count" class="muted">0 deliveries</span>
<span id="state" class="badge warn">connecting…</span>
<button id="new" type="button">New callback</button>
</header>
<section class="callback">
<div>Callback URL <code id="callback"></code> <button id="copy-callback" type="button">Copy</button></div>
<div class="muted">Try it: <code id="curl-try"></code></div>
</section>
<main id="deliveries" aria-live="polite"></main>
<p id="empty" class="muted">Waiting for the first delivery… point your sender at the callback URL. Deliveries appear here newest first, in every open tab.</p>
<script>${inspectorScript}</script>
</body>
</html>
`
}
