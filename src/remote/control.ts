import type { ReceiverRoute } from '../receiver/types.js'

/** The JSON control API and event stream, mounted under `/_hookwright/` by `control: true`. */
export function controlRoute(_options: { token?: string } = {}): ReceiverRoute {
  // Filled in by the remote-control work (issue 3); the receiver wires it for `control: true`.
  return {
    prefix: '/_hookwright/',
    handle(_req, res) {
      res.statusCode = 501
      res.end()
    },
  }
}
