// The `hookwright` bin: a thin entry; the commands live in ./commands and run in-process in tests.
import { processIO } from './io.js'
import { main } from './run.js'

process.exitCode = await main(process.argv.slice(2), processIO())
