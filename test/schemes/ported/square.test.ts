import { WebhooksHelper } from 'square'
import { describe, expect, it } from 'vitest'
import { HookwrightError, square } from '../../../src/index.js'

/**
 * Ported from square/square-nodejs-sdk `tests/integration/webhooks.test.ts`: its vectors for
 * `WebhooksHelper.verifySignature`, checked by hookwright's `square` scheme and by the installed
 * `square` SDK, which must both give the source test's answer.
 */
const SOURCE = 'square/square-nodejs-sdk tests/integration/webhooks.test.ts'

const requestBody =
  '{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}'
const signatureHeader = 'GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4='
const signatureKey = 'Ibxx_5AKakO-3qeNVR61Dw'
const notificationUrl = 'https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9'

const formatted = [
  '{',
  '    "merchant_id": "MLEFBHHSJGVHD",',
  '    "type": "webhooks.test_notification",',
  '    "event_id": "ac3ac95b-f97d-458c-a6e6-18981597e05f",',
  '    "created_at": "2022-07-13T20:30:59.037339943Z",',
  '    "data": {',
  '      "type": "webhooks",',
  '      "id": "bc368e64-01aa-407e-b46e-3231809b1129"',
  '    }',
  '}',
].join('\n')

const base = { requestBody, signatureHeader, signatureKey, notificationUrl }
const cases = [
  { test: 'test signature validation pass', ...base, accept: true },
  {
    test: 'test signature unescaped chars validation pass',
    requestBody: '{"data":{"type":"webhooks","id":"fake_id"}}',
    signatureHeader: 'W3FlCNk5IA3ZQ2LHTWoajvzfaDu/OwY2tNHIHC3IUOA=',
    signatureKey: 'signature-key',
    notificationUrl: 'https://webhook.site/webhooks',
    accept: true,
  },
  {
    test: 'test signature with escaped characters',
    requestBody: '{"data":{"type":"webhooks","id":">id<"}}',
    signatureHeader: 'Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=',
    signatureKey: 'signature-key',
    notificationUrl: 'https://webhook.site/webhooks',
    accept: true,
  },
  {
    test: 'test signature validation fails on notification url mismatch',
    ...base,
    notificationUrl: 'https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9',
    accept: false,
  },
  {
    test: 'test signature validation fails on invalid signature key',
    ...base,
    signatureKey: 'MCmhFRxGX82xMwg5FsaoQA',
    accept: false,
  },
  {
    test: 'test signature validation fails on invalida signature header',
    ...base,
    signatureHeader: '1z2n3DEJJiUPKcPzQo1ftvbxGdw=',
    accept: false,
  },
  {
    test: 'test signature validation fails on request body mismatch',
    ...base,
    requestBody: requestBody.replace('2022-07-13', '2022-06-13'),
    accept: false,
  },
  {
    test: 'test signature validation fails on request body formatted',
    ...base,
    requestBody: formatted,
    accept: false,
  },
]

describe(`ported: ${SOURCE}`, () => {
  it.each(cases)('$test', async (c) => {
    const result = square.verify({
      headers: { 'x-square-hmacsha256-signature': c.signatureHeader },
      body: c.requestBody,
      secret: c.signatureKey,
      url: c.notificationUrl,
    })
    expect(result.ok).toBe(c.accept)
    if (!result.ok) expect(result.reason).toBe('bad_signature')
    expect(await WebhooksHelper.verifySignature(c)).toBe(c.accept)
  })

  it('throws an error on empty signature key', async () => {
    const headers = { 'x-square-hmacsha256-signature': signatureHeader }
    const error = (() => {
      try {
        square.verify({ headers, body: requestBody, secret: '', url: notificationUrl })
      } catch (e) {
        return e as HookwrightError
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(HookwrightError)
    expect(error?.code).toBe('HOOKWRIGHT_INVALID_OPTION')
    await expect(WebhooksHelper.verifySignature({ ...base, signatureKey: '' })).rejects.toThrow(
      'signatureKey is null or empty',
    )
  })

  it('throws error on empty notification url', async () => {
    const headers = { 'x-square-hmacsha256-signature': signatureHeader }
    expect(() =>
      square.verify({ headers, body: requestBody, secret: signatureKey, url: '' }),
    ).toThrow(/url/)
    await expect(WebhooksHelper.verifySignature({ ...base, notificationUrl: '' })).rejects.toThrow(
      'notificationUrl is null or empty',
    )
  })
})
