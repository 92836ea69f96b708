import { workerTests } from './shared.js'

// Its own file, so vitest runs it in a worker of its own beside the others.
workerTests('billing')
