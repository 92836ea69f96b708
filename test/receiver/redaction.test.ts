import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectReceiver, createReceiver, type Receiver } from '../../src/index.js'

const secret = 'whsec_do_not_print_me'
let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver({ control: true })
})
afterAll(() => receiver.close())

describe('an endpoint logged or serialised', () => {
  it('shows no secret in util.inspect, console.log or JSON.stringify', async () => {
    const ep = receiver.endpoint({
      verify: { scheme: 'stripe', secret },
      name: 'billing',
      respond: [500, 200],
    })
    const multi = receiver.endpoint({ verify: { scheme: 'github', secrets: [secret, 'old_one'] } })
    const remote = await connectReceiver(receiver.url)
    try {
      const far = await remote.endpoint({ verify: { scheme: 'stripe', secret } })
      for (const shown of [
        inspect(ep),
        inspect(ep, { depth: 10 }),
        JSON.stringify(ep),
        inspect(multi, { depth: 10 }),
        JSON.stringify(multi),
        inspect(far, { depth: 10 }),
        JSON.stringify(far),
        inspect({ ep, far }, { depth: 10 }),
      ]) {
        expect(shown).not.toContain(secret)
        expect(shown).not.toContain('old_one')
        expect(shown).toContain('[redacted]')
      }
      // What is shown is still useful: which endpoint, which scheme, what it answers.
      expect(JSON.parse(JSON.stringify(ep))).toMatchObject({
        id: ep.id,
        url: ep.url,
        options: { name: 'billing', respond: [500, 200], verify: { scheme: 'stripe' } },
      })
      expect(inspect(far)).toContain(far.url)
      // The options themselves stay as given, for code that reads them.
      expect(ep.options.verify?.secret).toBe(secret)
    } finally {
      await remote.close()
    }
  })
})
