// Fetch handlers the checkReceiver tests wrap around the correct app of test/apps.
import type { CaseResult } from '../../src/index.js'
import type { FetchReceiver } from '../apps/fetch-receiver.js'

export type Handler = (request: Request) => Promise<Response>

/** Never answers. */
export const hang: Handler = () => new Promise<Response>(() => {})

/** The results of a report by case name. */
export const byName = (results: readonly CaseResult[]) =>
  Object.fromEntries(results.map((r) => [r.name, r]))

/** The correct app; a duplicate gets the answer `duplicate` gives instead of 200. */
export const onDuplicate =
  (app: FetchReceiver, duplicate: Handler): Handler =>
  async (request) => {
    const res = await app.fetch(request)
    const body = (await res
      .clone()
      .json()
      .catch(() => undefined)) as { duplicate?: boolean } | undefined
    return body?.duplicate ? duplicate(request) : res
  }
