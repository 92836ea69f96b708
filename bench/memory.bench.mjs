// Retained memory per stored delivery: 10,000 deliveries of a 1 KiB Stripe-like event, sent
// over loopback with the headers Stripe sends, kept by a hookwright receiver, beside a bare
// node:http server that keeps only what a test would need (the header object and the body) and
// beside the body size itself. Each server runs in its own `node --expose-gc` child; the figure
// is (heap used + array buffers) after a full GC, minus the same before the deliveries, divided
// by their count. It also shows what the store's byte accounting (what `maxBytes` counts) says
// per delivery, for comparison with the measured figure.
//
// Goal (issue 15): at most 1.3x the body + 1 KiB retained per delivery.
// Run with `npm run bench` (builds first) or `node bench/run.mjs memory`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent, createServer, request } from 'node:http'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 10_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 10
const here = fileURLToPath(import.meta.url)
const SECRET = 'whsec_bench_memory'
/** The `maxBytes` of the accounting probe: room for about a fifth of the run. */
const BUDGET = 2 * 1024 * 1024

/** A Stripe-like event of exactly 1 KiB. */
function stripeEvent(size = 1024) {
  const event = {
    id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    object: 'event',
    api_version: '2023-10-16',
    created: 1_700_000_000,
    type: 'invoice.paid',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: 'in_1NG8Dt2eZvKYlo2C2o0H3X4f',
        object: 'invoice',
        amount_due: 2000,
        amount_paid: 2000,
        currency: 'usd',
        customer: 'cus_9s6XKzkNRiz8i3',
        lines: { data: [{ id: 'il_1', amount: 2000, description: 'Pro plan' }] },
        status: 'paid',
        metadata: { order: 'A-1042', note: '' },
      },
    },
  }
  const filler = size - Buffer.byteLength(JSON.stringify(event))
  event.data.object.metadata.note = 'x'.repeat(filler)
  const text = JSON.stringify(event, null, 0)
  if (Buffer.byteLength(text) !== size) throw new Error(`event is ${text.length} bytes`)
  return text
}

// ---------------------------------------------------------------- child: one server

async function startServer(kind) {
  if (kind.startsWith('hookwright')) {
    const { createReceiver } = await import(process.env.HOOKWRIGHT_DIST ?? '../dist/index.js')
    // `hookwright-budget` reads the store's accounting from outside: with a `maxBytes` budget
    // smaller than the run, the number of deliveries kept says what each one counted.
    const maxBytes = kind === 'hookwright-budget' ? BUDGET : 2 ** 40
    const receiver = await createReceiver({ maxDeliveries: 1_000_000, maxBytes })
    // `hookwright-verify` checks each Stripe signature, so each delivery also keeps its header
    // object and its verification result.
    const ep = receiver.endpoint(
      kind === 'hookwright-verify' ? { verify: { scheme: 'stripe', secret: SECRET } } : {},
    )
    return {
      url: ep.url,
      count: () => receiver.deliveries.length,
      clear: () => receiver.clear(),
    }
  }
  // The least a test harness could keep: node's header object and the body bytes.
  let stored = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      stored.push({ headers: req.headers, body: Buffer.concat(chunks) })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    count: () => stored.length,
    clear: () => {
      stored = []
    },
  }
}

function measure() {
  // Several passes: one GC can leave garbage that a finalizer or weak reference frees later.
  for (let i = 0; i < 4; i++) globalThis.gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

async function serve(kind) {
  if (typeof globalThis.gc !== 'function') throw new Error('run the server with --expose-gc')
  const server = await startServer(kind)
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
  let before = 0
  process.stdin.setEncoding('utf8')
  for await (const chunk of process.stdin) {
    for (const command of chunk.split('\n').filter(Boolean)) {
      if (command === 'mark') {
        server.clear()
        before = measure()
        process.stdout.write('{}\n')
      } else if (command === 'report') {
        const after = measure()
        const count = server.count()
        process.stdout.write(`${JSON.stringify({ count, retained: after - before })}\n`)
      }
    }
  }
  process.exit(0)
}

// ---------------------------------------------------------------- parent

async function sendAll(url, body, headers, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  let next = 0
  const one = () =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`)),
        )
      })
      req.on('error', reject)
      req.end(body)
    })
  const worker = async () => {
    while (next < count) {
      next++
      await one()
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, worker))
  agent.destroy()
}

async function run(kind, body, headers) {
  const child = spawn(process.execPath, ['--expose-gc', here, 'serve', kind], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  child.stdout.setEncoding('utf8')
  const lines = child.stdout[Symbol.asyncIterator]()
  const read = async () => JSON.parse((await lines.next()).value)
  const ask = async (command) => {
    child.stdin.write(`${command}\n`)
    return read()
  }
  const { url } = await read()
  // A warm-up pass, so code, pools and caches made by the first requests are not counted.
  await sendAll(url, body, headers, 1000)
  const results = []
  for (let round = 0; round < ROUNDS; round++) {
    await ask('mark')
    await sendAll(url, body, headers, COUNT)
    const result = await ask('report')
    if (result.count !== COUNT && kind !== 'hookwright-budget') {
      throw new Error(`${kind} kept ${result.count} of ${COUNT}`)
    }
    results.push(result)
  }
  child.stdin.end()
  await once(child, 'exit')
  // Garbage only ever adds to a figure: the least of the rounds is the retained memory.
  return results.reduce((a, b) => (b.retained < a.retained ? b : a))
}

async function main() {
  const { schemes } = await import(process.env.HOOKWRIGHT_DIST ?? '../dist/index.js')
  const body = stripeEvent()
  const signed = schemes.stripe.sign({ payload: body, secret: SECRET })
  // The headers Stripe's webhook deliveries carry.
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-cache',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    accept: '*/*; q=0.5, application/xml',
    'stripe-signature': signed.headers['stripe-signature'],
    'content-length': String(Buffer.byteLength(body)),
  }
  const size = Buffer.byteLength(body)
  const limit = 1.3 * size + 1024
  const rows = []
  const figures = {}
  const names = {
    hookwright: 'hookwright receiver',
    'hookwright-verify': 'hookwright receiver, verifying Stripe',
    bare: 'bare node:http (headers + body)',
  }
  // What the store counts per delivery: its budget over how many it kept within it.
  const probe = await run('hookwright-budget', body, headers)
  const accounted = BUDGET / probe.count
  for (const kind of ['hookwright', 'hookwright-verify', 'bare']) {
    const r = await run(kind, body, headers)
    const retained = r.retained / COUNT
    figures[kind] = retained
    const ours = kind !== 'bare'
    rows.push({
      server: names[kind],
      'retained B/delivery': Math.round(retained),
      'x body': `${(retained / size).toFixed(2)}x`,
      'maxBytes counts B/delivery': ours ? Math.round(accounted) : '-',
      'counted/retained': ours ? `${(accounted / retained).toFixed(2)}x` : '-',
    })
  }
  console.log(
    `node ${process.version}; ${COUNT} deliveries of ${size} B bodies over ${CONNECTIONS} ` +
      `connections; heap + array buffers after GC, least of ${ROUNDS} rounds; load average ` +
      `${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}.`,
  )
  console.table(rows)
  const misses = []
  for (const kind of ['hookwright', 'hookwright-verify']) {
    const retained = figures[kind]
    if (retained > limit) {
      misses.push(`${names[kind]}: ${Math.round(retained)} B > 1.3 x ${size} + 1024 = ${limit} B`)
    }
    const off = Math.abs(accounted / retained - 1)
    if (off > 0.2) {
      misses.push(
        `${names[kind]}: maxBytes counts ${Math.round(accounted)} B, ${(off * 100).toFixed(0)}% off the ${Math.round(retained)} B retained`,
      )
    }
  }
  console.log(
    misses.length === 0
      ? `Goals met: at most 1.3 x ${size} + 1024 = ${limit} B retained per delivery, and maxBytes's count within 20% of it.`
      : `Goals missed:\n  ${misses.join('\n  ')}`,
  )
  if (misses.length > 0) process.exitCode = 1
}

if (process.argv[2] === 'serve') await serve(process.argv[3])
else await main()
