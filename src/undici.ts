/**
 * undici, loaded the first time a request is sent: importing it costs about 120 ms, and only
 * the sender and the remote client need it, so `import 'hookwright'` does not pay for it.
 */
let loading: Promise<typeof import('undici')> | undefined

export function loadUndici(): Promise<typeof import('undici')> {
  return (loading ??= import('undici'))
}
