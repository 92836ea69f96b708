/**
 * The inspector page's script, as a string the page inlines (its CSP hash is computed from it).
 * Plain ES2020 for the browser: no framework, nothing fetched. Every value that came in a
 * delivery is placed with textContent or as an attribute value, never parsed as HTML.
 */
export const inspectorScript = String.raw`
'use strict'
const $ = (id) => document.getElementById(id)
const meta = (name) => document.querySelector('meta[name="' + name + '"]').getAttribute('content')
const prefix = meta('hookwright-prefix')
const endpointId = meta('hookwright-endpoint')
const callbackUrl = meta('hookwright-callback')
const eventsPath = meta('hookwright-events')
// The token rides in the fragment, which the browser never sends to a server or a log.
const token = new URLSearchParams(location.hash.slice(1)).get('token') || ''
const seen = new Set()
const byId = new Map()
const list = $('deliveries')

function el(tag, props, ...children) {
  const node = document.createElement(tag)
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (key === 'text') node.textContent = value
      else if (key === 'class') node.className = value
      else if (key === 'on') for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn)
      else node.setAttribute(key, value)
    }
  }
  for (const child of children) if (child != null) node.append(child)
  return node
}

function bytesOf(d) {
  const binary = atob(d.rawBody)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

function header(d, name) {
  const v = d.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

function size(n) {
  if (n < 1024) return n + ' B'
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KB'
  return (n / 1048576).toFixed(1) + ' MB'
}

function queryString(query) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) for (const x of [].concat(v)) q.append(k, x)
  const s = q.toString()
  return s ? '?' + s : ''
}

// A preview, not the body: decoding stops here, so a few compressed bytes that inflate to
// gigabytes cost the page no more than this. The raw bytes are offered beside it.
const PREVIEW_BYTES = 1048576

async function decoded(d, bytes) {
  const encoding = (header(d, 'content-encoding') || '').trim().toLowerCase()
  if (!encoding || encoding === 'identity') return { bytes, truncated: false }
  if (!['gzip', 'deflate', 'br'].includes(encoding) || typeof DecompressionStream === 'undefined') return null
  try {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(encoding)).getReader()
    const parts = []
    let size = 0
    let truncated = false
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(value)
      size += value.length
      if (size > PREVIEW_BYTES) {
        truncated = true
        reader.cancel().catch(() => {})
        break
      }
    }
    const out = new Uint8Array(Math.min(size, PREVIEW_BYTES))
    let at = 0
    for (const part of parts) {
      const take = Math.min(part.length, out.length - at)
      out.set(part.subarray(0, take), at)
      at += take
      if (at === out.length) break
    }
    return { bytes: out, truncated }
  } catch {
    return null
  }
}

function hexDump(bytes) {
  const lines = []
  const shown = Math.min(bytes.length, 4096)
  for (let i = 0; i < shown; i += 16) {
    const row = Array.from(bytes.subarray(i, Math.min(i + 16, shown)))
    const hex = row.map((b) => b.toString(16).padStart(2, '0')).join(' ')
    const ascii = row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('')
    lines.push(i.toString(16).padStart(8, '0') + '  ' + hex.padEnd(48) + ' ' + ascii)
  }
  if (bytes.length > shown) lines.push('… ' + (bytes.length - shown) + ' more bytes')
  return lines.join('\n')
}

function table(rows, empty) {
  if (rows.length === 0) return el('p', { class: 'muted', text: empty })
  return el('table', null, ...rows.map(([k, v]) => el('tr', null, el('th', { text: k }), el('td', { text: v }))))
}

function pairs(obj) {
  const rows = []
  for (const [k, v] of Object.entries(obj || {})) for (const x of [].concat(v)) rows.push([k, String(x)])
  return rows
}

async function bodyView(d) {
  const raw = bytesOf(d)
  if (raw.length === 0) return { kind: 'empty', node: el('p', { class: 'muted', text: '(empty body)' }) }
  const result = await decoded(d, raw)
  if (result === null) return { kind: 'hex', node: el('pre', { class: 'body', text: hexDump(raw) }) }
  const { bytes, truncated } = result
  if (truncated) {
    // Only the start is shown (as text, since a cut JSON document does not parse).
    const text = new TextDecoder('utf-8').decode(bytes)
    const note = el('p', { class: 'muted preview-note', text: 'Preview: the first ' + size(bytes.length) + ' of the decoded body, which inflates further. Download the raw body for all of it.' })
    const shown = /[\u0000-\u0008\u000e-\u001f]/.test(text) ? hexDump(bytes) : text
    return { kind: 'preview', node: el('div', null, note, el('pre', { class: 'body', text: shown })) }
  }
  let text
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { kind: 'hex', node: el('pre', { class: 'body', text: hexDump(bytes) }) }
  }
  if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { kind: 'hex', node: el('pre', { class: 'body', text: hexDump(bytes) }) }
  const type = (header(d, 'content-type') || '').toLowerCase()
  try {
    if (type.includes('json') || /^\s*[{[]/.test(text)) {
      return { kind: 'json', node: el('pre', { class: 'body', text: JSON.stringify(JSON.parse(text), null, 2) }) }
    }
  } catch {
    // Not JSON after all: shown as text below.
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return { kind: 'form', node: table(Array.from(new URLSearchParams(text)), '(no fields)') }
  }
  return { kind: 'text', node: el('pre', { class: 'body', text }) }
}

function verification(d) {
  if (!d.verification) return el('span', { class: 'badge muted', text: 'not verified' })
  if (d.verification.ok) return el('span', { class: 'badge ok', text: d.verification.scheme + ' ✓' })
  return el('span', { class: 'badge bad', text: d.verification.reason, title: d.verification.message })
}

function status(d) {
  const r = d.response
  const text = r.action === 'respond' ? String(r.status) : r.action.toUpperCase()
  const cls = r.action !== 'respond' || r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : 'ok'
  return el('span', { class: 'badge ' + cls, text })
}

function shellQuote(s) {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'"
}

const skipHeaders = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect'])

function curlFor(d) {
  const parts = ['curl', '-sS', '-X', d.method, shellQuote(new URL(d.path + queryString(d.query), location.origin).href)]
  for (const [k, v] of pairs(d.headers)) if (!skipHeaders.has(k)) parts.push('-H', shellQuote(k + ': ' + v))
  const bytes = bytesOf(d)
  if (bytes.length === 0) return parts.join(' ')
  let text = null
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {}
  if (text !== null && !text.includes('\u0000')) return parts.concat('--data-raw', shellQuote(text)).join(' ')
  // Bytes that a shell argument cannot carry go through base64.
  return 'printf %s ' + shellQuote(d.rawBody) + ' | base64 -d | ' + parts.concat('--data-binary', '@-').join(' ')
}

function download(name, value) {
  saveBlob(name, new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' }))
}

function saveBlob(name, blob) {
  const url = URL.createObjectURL(blob)
  const a = el('a', { href: url, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

function api(path, body) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = 'Bearer ' + token
  return fetch(prefix + path, { method: 'POST', headers, body: JSON.stringify(body) }).then(async (r) => {
    const json = await r.json().catch(() => ({}))
    if (!r.ok) throw new Error((json.error && json.error.message) || 'HTTP ' + r.status)
    return json
  })
}

function replayForm(d) {
  const input = el('input', { type: 'url', placeholder: 'http://127.0.0.1:3000/webhooks', 'aria-label': 'Replay to URL', class: 'replay-url' })
  const out = el('span', { class: 'result' })
  const form = el('form', { class: 'replay' }, input, el('button', { type: 'submit', text: 'Replay' }), out)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    out.textContent = 'sending…'
    api('replay', { delivery: d.id, to: input.value }).then(
      (r) => (out.textContent = '→ ' + r.status + ' in ' + r.durationMs + ' ms'),
      (e) => (out.textContent = '✗ ' + e.message),
    )
  })
  return form
}

async function render(d) {
  const body = await bodyView(d)
  const time = new Date(d.receivedAt)
  const copied = el('span', { class: 'result' })
  const curlBox = el('textarea', { class: 'curl', readonly: '', rows: '3', 'aria-label': 'curl command', hidden: '' })
  const actions = el(
    'div',
    { class: 'actions' },
    el('button', {
      type: 'button',
      text: 'Copy as curl',
      on: {
        click: () => {
          const command = curlFor(d)
          curlBox.value = command
          curlBox.hidden = false
          navigator.clipboard.writeText(command).then(
            () => (copied.textContent = 'copied'),
            () => (copied.textContent = 'select and copy below'),
          )
        },
      },
    }),
    el('button', { type: 'button', text: 'Download JSON', on: { click: () => download('delivery-' + d.id + '.json', d) } }),
    // The bytes as they arrived (still compressed if they were sent so).
    el('button', { type: 'button', text: 'Download raw body', on: { click: () => saveBlob('delivery-' + d.id + '.body', new Blob([bytesOf(d)], { type: 'application/octet-stream' })) } }),
    el('button', {
      type: 'button',
      text: 'Save as fixture',
      on: {
        click: () =>
          // The server writes it as saveFixture() would: signatures and secrets left out.
          api('fixture', { delivery: d.id }).then(
            (file) => download((file.provider + '-' + file.event).replace(/[^\w.-]+/g, '_') + '.json', file),
            (e) => (copied.textContent = '✗ ' + e.message),
          ),
      },
    }),
    copied,
    replayForm(d),
  )
  const response = d.response
  const summary = el(
    'summary',
    null,
    el('span', { class: 'method', text: d.method }),
    el('span', { class: 'path', text: d.path + queryString(d.query) }),
    status(d),
    verification(d),
    el('span', { class: 'size', text: size(atob(d.rawBody).length) }),
    el('time', { datetime: time.toISOString(), text: time.toLocaleTimeString() + '.' + String(time.getMilliseconds()).padStart(3, '0') }),
  )
  return el(
    'details',
    { class: 'delivery', open: '', 'data-id': d.id, 'data-body': body.kind },
    summary,
    el(
      'div',
      { class: 'grid' },
      el('section', null, el('h3', { text: 'Body (' + body.kind + ')' }), body.node),
      el(
        'section',
        null,
        el('h3', { text: 'Query' }),
        table(pairs(d.query), '(no query)'),
        el('h3', { text: 'Headers' }),
        table(pairs(d.headers), '(no headers)'),
        el('h3', { text: 'Verification' }),
        d.verification ? table(Object.entries(d.verification).map(([k, v]) => [k, String(v)]), '') : el('p', { class: 'muted', text: 'This callback does not check signatures.' }),
        el('h3', { text: 'Response given' }),
        table(
          [['status', String(response.status)], ['action', response.action], ['delay', response.delayMs + ' ms']]
            .concat(pairs(response.headers))
            .concat(d.error ? [['error', d.error]] : []),
          '',
        ),
        el('h3', { text: 'Delivery' }),
        table([['id', d.id], ['attempt', String(d.attempt)], ['received', time.toISOString()]], ''),
      ),
    ),
    actions,
    curlBox,
  )
}

let queue = Promise.resolve()
// The newest delivery opens and the one it replaces folds to its summary line, unless the user
// opened or closed that one by hand.
let lastOpened = null
function add(d) {
  if (seen.has(d.id)) return
  seen.add(d.id)
  byId.set(d.id, d)
  // Rendering awaits decompression; the queue keeps deliveries in arrival order.
  queue = queue.then(async () => {
    const node = await render(d)
    node.querySelector('summary').addEventListener('click', () => (node.dataset.pinned = '1'))
    if (lastOpened && !lastOpened.dataset.pinned) lastOpened.open = false
    lastOpened = node
    list.prepend(node)
    $('empty').hidden = true
    $('count').textContent = seen.size + (seen.size === 1 ? ' delivery' : ' deliveries')
  })
}

function connect() {
  const q = new URLSearchParams({ endpoint: endpointId, replay: '1' })
  if (token) q.set('token', token)
  const source = new EventSource(eventsPath + '?' + q)
  source.addEventListener('delivery', (event) => add(JSON.parse(event.data)))
  source.addEventListener('ready', () => {
    $('state').textContent = 'live'
    $('state').className = 'badge ok'
  })
  source.addEventListener('error', () => {
    // A refused stream (401) closes for good; without a token that is the likely reason.
    const closed = source.readyState === 2
    $('state').textContent = closed ? (token ? 'disconnected' : 'needs the token: add #token=… to the URL') : 'reconnecting…'
    $('state').className = 'badge warn'
  })
}

$('callback').textContent = callbackUrl
const verifies = meta('hookwright-verify')
// A callback that checks signatures answers 401 to a bare curl: offer a signed one instead.
$('curl-try').textContent = verifies
  ? "echo '{\"hello\":\"world\"}' | hookwright sign - --scheme " + verifies + ' --secret … --curl --to ' + callbackUrl + ' | sh'
  : 'curl -sS -X POST ' + callbackUrl + " -H 'content-type: application/json' -d '{\"hello\":\"world\"}'"
$('copy-callback').addEventListener('click', () => navigator.clipboard.writeText(callbackUrl).then(() => ($('copy-callback').textContent = 'Copied')))
$('new').addEventListener('click', () => {
  api('new', {}).then(
    (r) => location.assign(prefix + encodeURIComponent(r.id) + location.hash),
    (e) => ($('state').textContent = e.message),
  )
})
connect()
`
