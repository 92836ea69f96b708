// What `import 'hookwright'` and `require('hookwright')` cost a fresh process, beside the
// libraries a webhook test suite would otherwise load, measured as whole processes: every vitest
// worker and every jest test file pays this once.
//
// Each contender runs in pairs with a bare `node -e 0`, in rotating order, so load that comes
// and goes on a shared machine hits both halves of a pair alike; the figure is the median of the
// per-pair differences (and of the per-pair ratios).
//
// Goal (issue 15): hookwright's ESM import and CJS require each at most +40 ms over bare node.
// Run with `npm run bench` (builds first) or `node bench/run.mjs import`.
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 15)
const LIMIT_MS = 40
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const esm = (specifier) => ['--input-type=module', '-e', `import ${JSON.stringify(specifier)}`]
const cjs = (specifier) => ['-e', `require(${JSON.stringify(specifier)})`]

// `hookwright` resolves through the package's own exports map (self-reference from the root),
// so this measures dist/ as a user's install loads it.
const contenders = [
  { name: "import 'hookwright'", args: esm('hookwright'), goal: true },
  { name: "require('hookwright')", args: cjs('hookwright'), goal: true },
  { name: "import 'hookwright/schemas' (zod)", args: esm('hookwright/schemas') },
  { name: "import 'standardwebhooks'", args: esm('standardwebhooks') },
  { name: "import '@octokit/webhooks-methods'", args: esm('@octokit/webhooks-methods') },
  { name: "import 'svix'", args: esm('svix') },
  { name: "import 'mockttp'", args: esm('mockttp') },
]
// BENCH_IMPORT_BASELINE=<a built hookwright's dist/index.js> adds an earlier build as a row.
if (process.env.BENCH_IMPORT_BASELINE) {
  const baseline = process.env.BENCH_IMPORT_BASELINE
  contenders.splice(2, 0, { name: `import of ${baseline}`, args: esm(baseline) })
}
const bare = ['-e', '0']

/** Wall time of one whole `node` process, in ms; a failing contender stops the bench. */
function run(args) {
  const start = process.hrtime.bigint()
  const child = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (child.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed (${child.status}): ${child.stderr}`)
  }
  return ms
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// One unmeasured run of each warms the file-system cache.
run(bare)
for (const c of contenders) run(c.args)

const samples = contenders.map(() => ({ bare: [], own: [], extra: [], ratio: [] }))
for (let i = 0; i < RUNS; i++) {
  for (let k = 0; k < contenders.length; k++) {
    const index = (k + i) % contenders.length
    const c = contenders[index]
    const s = samples[index]
    // Alternate which half of the pair goes first.
    let b, own
    if (i % 2 === 0) {
      b = run(bare)
      own = run(c.args)
    } else {
      own = run(c.args)
      b = run(bare)
    }
    s.bare.push(b)
    s.own.push(own)
    s.extra.push(own - b)
    s.ratio.push(own / b)
  }
}

const rows = []
const misses = []
contenders.forEach((c, i) => {
  const s = samples[i]
  const extra = median(s.extra)
  rows.push({
    what: c.name,
    'median ms': median(s.own).toFixed(1),
    'bare node ms': median(s.bare).toFixed(1),
    '+ms over bare': `+${extra.toFixed(1)}`,
    'x bare': `${median(s.ratio).toFixed(2)}x`,
    limit: c.goal ? `+${LIMIT_MS} ms` : '-',
  })
  if (c.goal && extra > LIMIT_MS) misses.push(`${c.name} is +${extra.toFixed(1)} ms`)
})

console.log(
  `node ${process.version}; ${RUNS} pairs (contender, node -e 0) per row; medians of per-pair ` +
    `figures; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')} at the end.`,
)
console.table(rows)
console.log(
  misses.length === 0
    ? `Goal met: import and require of hookwright each within +${LIMIT_MS} ms of bare node.`
    : `Goal missed:\n  ${misses.join('\n  ')}`,
)
if (misses.length > 0) process.exitCode = 1
