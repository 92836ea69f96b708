import { describe, expect, it } from 'vitest'
import {
  badDeliveries,
  checkReceiver,
  createReceiver,
  expectWebhook,
  getScheme,
  sendWebhook,
  signedFixture,
} from '../../src/index.js'
import { typecheck } from '../fixtures/typecheck.js'

// A scheme name is checked twice: by the types (a registry name or a scheme value), and at run
// time for JavaScript callers, with a "did you mean".
describe('scheme parameters', () => {
  it('are typed as a registry name or a scheme value everywhere', () => {
    const header = `
import { badDeliveries, checkReceiver, createReceiver, expectWebhook, hmac, sendWebhook, signedFixture } from '../../src/index.js'
declare const receiver: Awaited<ReturnType<typeof createReceiver>>
const payload = { type: 'x' }
const secret = 'whsec_x'
const custom = hmac.with({ header: 'x-signature', algorithm: 'sha256', encoding: 'hex' })
`
    const calls = (scheme: string) => ({
      badDeliveries: `badDeliveries(${scheme}, { payload, secret })`,
      checkReceiver: `void checkReceiver('http://127.0.0.1:9/', { scheme: ${scheme}, secret, payload })`,
      endpoint: `receiver.endpoint({ verify: { scheme: ${scheme}, secret } })`,
      withValidSignature: `void expectWebhook(receiver).withValidSignature({ scheme: ${scheme}, secret })`,
      sendWebhook: `void sendWebhook('http://127.0.0.1:9/', { scheme: ${scheme}, secret, payload })`,
      signedFixture: `signedFixture('stripe/invoice.paid', { secret, scheme: ${scheme} })`,
    })
    const good = { ...calls(`'standardWebhooks'`), ...prefixed('custom', calls('custom')) }
    const bad = {
      ...prefixed('Stripe', calls(`'Stripe'`)),
      ...prefixed('Svix', calls(`'Svix'`)),
      ...prefixed('standard-webhooks', calls(`'standard-webhooks'`)),
    }
    const result = typecheck(header, { ...good, ...bad })
    expect(result['(header)']).toEqual([])
    for (const name of Object.keys(good)) expect(result[name], name).toEqual([])
    for (const name of Object.keys(bad)) {
      expect(result[name], name).toEqual([
        expect.stringMatching(/is not assignable to (parameter of )?type '(SchemeInput|.*)'/),
      ])
    }
  })

  it.each([
    ['Stripe', 'Did you mean "stripe"?'],
    ['standard-webhooks', 'Did you mean "standardWebhooks"?'],
    ['Svix', 'Did you mean "svix"?'],
    ['clerk', 'Did you mean "svix" (Clerk sends its webhooks through Svix)?'],
    ['githbu', 'Did you mean "github"?'],
  ])('%s at run time: "%s"', async (name, hint) => {
    const scheme = name as never
    const message = new RegExp(
      `^Unknown scheme "${name}"\\. ${hint.replace(/[.()?]/g, '\\$&')} Known schemes: stripe, github, `,
    )
    const secret = 'whsec_x'
    const payload = { type: 'x' }
    expect(() => getScheme(scheme)).toThrow(message)
    expect(() => badDeliveries(scheme, { payload, secret })).toThrow(message)
    await expect(checkReceiver('http://127.0.0.1:9/', { scheme, secret, payload })).rejects.toThrow(
      message,
    )
    await expect(sendWebhook('http://127.0.0.1:9/', { scheme, secret, payload })).rejects.toThrow(
      message,
    )
    expect(() => signedFixture('stripe/invoice.paid', { secret, scheme })).toThrow(message)
    const receiver = await createReceiver()
    try {
      expect(() => receiver.endpoint({ verify: { scheme, secret } })).toThrow(message)
      expect(() => expectWebhook(receiver).withValidSignature({ scheme, secret })).toThrow(message)
    } finally {
      await receiver.close()
    }
  })

  it('suggests nothing for a name far from every scheme', () => {
    expect(() => getScheme('nothing-like-it' as never)).toThrow(
      /^Unknown scheme "nothing-like-it"\. Known schemes: /,
    )
  })
})

function prefixed(prefix: string, sections: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(sections).map(([k, v]) => [`${prefix} ${k}`, v]))
}
