import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook'
import { describe, expect, it } from 'vitest'
import { sendgrid } from '../../../src/index.js'

/**
 * Ported from sendgrid/sendgrid-nodejs `packages/eventwebhook/src/eventwebhook.spec.js`: its
 * published P-256 vector, checked by hookwright's `sendgrid` scheme and by the installed
 * @sendgrid/eventwebhook, which must both give the source test's answer.
 */
const SOURCE = 'sendgrid/sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js'

const PUBLIC_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA=='
const SIGNATURE =
  'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0='
const TIMESTAMP = '1588788367'
const PAYLOAD = JSON.stringify({
  category: 'example_payload',
  event: 'test_event',
  message_id: 'message_id',
})

const cases = [
  {
    test: 'should verify a valid signature',
    key: PUBLIC_KEY,
    payload: PAYLOAD,
    signature: SIGNATURE,
    timestamp: TIMESTAMP,
    expect: 'ok',
  },
  {
    test: 'should reject for invalid key',
    key: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==',
    payload: PAYLOAD,
    signature: SIGNATURE,
    timestamp: TIMESTAMP,
    expect: 'bad_signature',
  },
  {
    test: 'should reject for bad payload',
    key: PUBLIC_KEY,
    payload: 'payload',
    signature: SIGNATURE,
    timestamp: TIMESTAMP,
    expect: 'bad_signature',
  },
  {
    test: 'should reject for bad signature',
    key: PUBLIC_KEY,
    payload: PAYLOAD,
    signature:
      'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=',
    timestamp: TIMESTAMP,
    expect: 'bad_signature',
  },
  // The library refuses it as a bad signature; hookwright says why: it is not a Unix time.
  {
    test: 'should reject for bad timestamp',
    key: PUBLIC_KEY,
    payload: PAYLOAD,
    signature: SIGNATURE,
    timestamp: 'timestamp',
    expect: 'malformed_header',
  },
]

describe(`ported: ${SOURCE}`, () => {
  it.each(cases)('#verifySignature() $test', (c) => {
    const result = sendgrid.verify({
      headers: {
        [EventWebhookHeader.SIGNATURE()]: c.signature,
        [EventWebhookHeader.TIMESTAMP()]: c.timestamp,
      },
      body: c.payload,
      secret: c.key,
    })
    expect(result.ok ? 'ok' : result.reason).toBe(c.expect)
    const ew = new EventWebhook()
    const official = ew.verifySignature(
      ew.convertPublicKeyToECDSA(c.key),
      c.payload,
      c.signature,
      c.timestamp,
    )
    expect(official).toBe(c.expect === 'ok')
  })

  it('EventWebhookHeader: the signature and timestamp headers are the ones hookwright reads', () => {
    expect(EventWebhookHeader.SIGNATURE()).toBe('X-Twilio-Email-Event-Webhook-Signature')
    expect(EventWebhookHeader.TIMESTAMP()).toBe('X-Twilio-Email-Event-Webhook-Timestamp')
    expect(sendgrid.headers).toEqual([
      EventWebhookHeader.SIGNATURE().toLowerCase(),
      EventWebhookHeader.TIMESTAMP().toLowerCase(),
    ])
  })
})
