import { sign as githubSign } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import twilio from 'twilio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connectReceiver,
  createReceiver,
  expectWebhook,
  sameForEveryAttempt,
} from '../../src/index.js'
import type { Receiver } from '../../src/index.js'
import { interceptWebhooks } from '../../src/msw.js'
import '../../src/vitest.js'

// Senders signed by the providers' official libraries; hookwright's assertions must accept them.

let receiver: Receiver
beforeAll(async () => {
  receiver = await createReceiver({ control: true })
})
afterAll(() => receiver.close())

async function post(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body })
  await res.arrayBuffer()
}

describe('assertions on deliveries signed by official libraries', () => {
  it('GitHub (@octokit/webhooks-methods): expect(delivery).toHaveValidSignature("github", secret)', async () => {
    const secret = 'gh_assert_secret'
    const ep = receiver.endpoint()
    const body = JSON.stringify({ action: 'opened', number: 7 })
    await post(
      ep.url,
      { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(secret, body) },
      body,
    )
    const [delivery] = await expectWebhook(ep)
      .withJson({ action: 'opened' })
      .withValidSignature({ scheme: 'github', secret })
    expect(delivery).toHaveValidSignature('github', secret)
    expect(delivery).not.toHaveValidSignature('github', 'not_the_secret')
  })

  it('Standard Webhooks (standardwebhooks): retries keep one webhook-id', async () => {
    const secret = `whsec_${Buffer.from('standard-webhooks-assert-key!').toString('base64')}`
    const official = new Webhook(secret)
    const ep = receiver.endpoint({ respond: [500, 200] })
    const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 500 } })
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = new Date()
      await post(
        ep.url,
        {
          'content-type': 'application/json',
          'webhook-id': 'msg_2kq',
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': official.sign('msg_2kq', now, body),
        },
        body,
      )
    }
    const attempts = await expectWebhook(ep)
      .toArrive({ times: 2 })
      .withHeader('webhook-id', sameForEveryAttempt)
      .withJson({ data: { amount: 500 } })
      .withValidSignature({ scheme: 'standardWebhooks', secret })
    expect(attempts.map((d) => d.response.status)).toEqual([500, 200])
  })

  it('Twilio (twilio): the URL it signs is rebuilt from the endpoint', async () => {
    const authToken = 'twilio_assert_auth_token'
    const ep = receiver.endpoint()
    const url = `${ep.url}?channel=sms`
    const params = { Body: 'hello', From: '+15550100' }
    await post(
      url,
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, params),
      },
      new URLSearchParams(params).toString(),
    )
    await expectWebhook(ep).withValidSignature({ scheme: 'twilio', secret: authToken })
    const error = await Promise.resolve(
      expectWebhook(ep)
        .withValidSignature({ scheme: 'twilio', secret: 'wrong' })
        .toArrive({ within: 50 }),
    ).catch((e: Error) => e)
    expect(String(error)).toContain('signature (twilio): bad_signature')
  })

  it('a remote receiver (connectReceiver) is a source like any other', async () => {
    const remote = await connectReceiver(receiver.url)
    try {
      const ep = await remote.endpoint()
      const body = JSON.stringify({ type: 'ping' })
      await post(ep.url, { 'content-type': 'application/json' }, body)
      const [d] = await expectWebhook(ep).withJson({ type: 'ping' }).withMethod('POST')
      expect(d?.path).toBe(ep.path)
      expect(ep).toHaveReceivedWebhookTimes(1)
      const message = await Promise.resolve(
        expectWebhook(ep).withJson({ type: 'pong' }).toArrive({ within: 50 }),
      ).catch((e: Error) => e.message)
      expect(message).toContain('type: expected "pong", got "ping"')
    } finally {
      await remote.close()
    }
  })

  it('an msw interceptor is a source like any other', async () => {
    // Loopback, so that a failed interception could not reach the network either.
    const hooks = interceptWebhooks({ origin: 'http://127.0.0.1:9', includeLocal: true })
    try {
      await post('http://127.0.0.1:9/orders', { 'content-type': 'application/json' }, '{"id":7}')
      await expectWebhook(hooks).withPath('/orders').withJson({ id: 7 })
      expect(hooks).toHaveReceivedWebhook({ path: '/orders', count: 1 })
    } finally {
      await hooks.close()
    }
  })
})
