import { describe, expect, it } from 'vitest'
import { badDeliveries, getScheme, schemeNames, type BadDelivery } from '../../src/index.js'

/**
 * Every scheme's bad deliveries, as a table a reader can check against the provider's docs: the
 * case, whether a receiver must accept it, how its headers differ from the valid delivery's,
 * whether its body does, and the reason hookwright's verifier gives. So a case cannot change
 * kind unnoticed: an empty signature stays a header that is present (`''` or its bare prefix),
 * a missing one stays absent, a relabelled version keeps the very signature.
 *
 * Header values: `ABSENT` (the header is not sent), a string (exactly this), a RegExp (a new
 * signature of this form, not the valid one), or a function of the valid value (the same
 * signature, rewritten). Verifiers read a present but empty header as missing
 * (`missing_header`); a bare prefix (`sha256=`) is a signature that does not match.
 */
const NOW = 1_700_000_000
const ID = 'msg_1'
const payload = { id: 'evt_1', object: 'event', type: 'invoice.paid', amount: 1200 }
const url = 'https://example.com/hooks/provider?account=7'
const TOKEN = 'tok_0123456789abcdef'

const ABSENT = null
type HeaderChange = typeof ABSENT | string | RegExp | ((valid: string) => string)
type Row = [
  name: string,
  expect: BadDelivery['expect'],
  headers: Record<string, HeaderChange>,
  body: 'same' | 'changed' | 'empty',
  reason: BadDelivery['reason'],
]

const re = (source: string) => new RegExp(`^${source}$`)
const hex = (n: number) => `[0-9a-f]{${n}}`
/** Base64 of a 32-byte (44 characters) or 20-byte (28 characters) MAC: one `=` of padding. */
const b64 = (n: number) => `[A-Za-z0-9+/]{${n - 1}}=`
const HEX64 = re(hex(64))
const HEX128 = re(hex(128))
const B6428 = re(b64(28))
const B6444 = re(b64(44))
/** A DER-encoded ECDSA P-256 signature in base64: 70 to 72 bytes. */
const ECDSA = /^[A-Za-z0-9+/]{92,96}={0,2}$/

// prettier-ignore
const tables: Record<string, Row[]> = {
  stripe: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'stripe-signature': re(`t=${NOW},v1=${hex(64)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'stripe-signature': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'stripe-signature': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'stripe-signature': `t=${NOW},v1=` }, 'same', 'malformed_header'],
    ['timestamp-too-old', 'reject', { 'stripe-signature': re(`t=${NOW - 305},v1=${hex(64)}`) }, 'same', 'timestamp_too_old'],
    ['timestamp-just-inside', 'accept', { 'stripe-signature': re(`t=${NOW - 295},v1=${hex(64)}`) }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'stripe-signature': re(`t=${NOW},v1=${hex(64)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'stripe-signature': re(`t=${NOW},v1=${hex(64)}`) }, 'changed', undefined],
    ['wrong-version', 'reject', { 'stripe-signature': (v) => v.replace('v1=', 'v0=') }, 'same', 'unsupported_version'],
    ['other-algorithm', 'reject', { 'stripe-signature': re(`t=${NOW},v1=${hex(40)}`) }, 'same', 'bad_signature'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'stripe-signature': re(`t=${NOW},v1=${hex(64)}`) }, 'changed', undefined],
    ['oversized-body', 'reject', { 'stripe-signature': re(`t=${NOW},v1=${hex(64)}`) }, 'changed', undefined],
  ],
  github: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-hub-signature-256': re(`sha256=${hex(64)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-hub-signature-256': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-hub-signature-256': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'x-hub-signature-256': 'sha256=' }, 'same', 'bad_signature'],
    ['replayed-message-id', 'reject', { 'x-hub-signature-256': re(`sha256=${hex(64)}`), 'x-github-delivery': 'msg_1_replay' }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-hub-signature-256': re(`sha256=${hex(64)}`), 'x-github-delivery': 'msg_1_pretty' }, 'changed', undefined],
    ['other-algorithm', 'reject', { 'x-hub-signature-256': re(`sha1=${hex(40)}`) }, 'same', 'unsupported_version'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-hub-signature-256': re(`sha256=${hex(64)}`), 'x-github-delivery': 'msg_1_oversized' }, 'changed', undefined],
  ],
  standardWebhooks: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'webhook-signature': re(`v1,${b64(44)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'webhook-signature': ABSENT }, 'same', 'missing_header'],
    ['missing-header-webhook-id', 'reject', { 'webhook-id': ABSENT }, 'same', 'missing_header'],
    ['missing-header-webhook-timestamp', 'reject', { 'webhook-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'webhook-signature': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'webhook-signature': 'v1,' }, 'same', 'bad_signature'],
    ['timestamp-too-old', 'reject', { 'webhook-timestamp': `${NOW - 305}`, 'webhook-signature': re(`v1,${b64(44)}`) }, 'same', 'timestamp_too_old'],
    ['timestamp-in-future', 'reject', { 'webhook-timestamp': `${NOW + 305}`, 'webhook-signature': re(`v1,${b64(44)}`) }, 'same', 'timestamp_in_future'],
    ['timestamp-just-inside', 'accept', { 'webhook-id': 'msg_1_inside', 'webhook-timestamp': `${NOW - 295}`, 'webhook-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'webhook-id': 'msg_1_replay', 'webhook-signature': re(`v1,${b64(44)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'webhook-id': 'msg_1_pretty', 'webhook-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
    ['wrong-version', 'reject', { 'webhook-signature': (v) => v.replace('v1,', 'v2,') }, 'same', 'unsupported_version'],
    ['other-algorithm', 'reject', { 'webhook-signature': re(`v1,${b64(28)}`) }, 'same', 'bad_signature'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'webhook-id': 'msg_1_retry', 'webhook-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
    ['oversized-body', 'reject', { 'webhook-id': 'msg_1_oversized', 'webhook-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
  ],
  svix: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'svix-signature': re(`v1,${b64(44)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'svix-signature': ABSENT }, 'same', 'missing_header'],
    ['missing-header-svix-id', 'reject', { 'svix-id': ABSENT }, 'same', 'missing_header'],
    ['missing-header-svix-timestamp', 'reject', { 'svix-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'svix-signature': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'svix-signature': 'v1,' }, 'same', 'bad_signature'],
    ['timestamp-too-old', 'reject', { 'svix-timestamp': `${NOW - 305}`, 'svix-signature': re(`v1,${b64(44)}`) }, 'same', 'timestamp_too_old'],
    ['timestamp-in-future', 'reject', { 'svix-timestamp': `${NOW + 305}`, 'svix-signature': re(`v1,${b64(44)}`) }, 'same', 'timestamp_in_future'],
    ['timestamp-just-inside', 'accept', { 'svix-id': 'msg_1_inside', 'svix-timestamp': `${NOW - 295}`, 'svix-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'svix-id': 'msg_1_replay', 'svix-signature': re(`v1,${b64(44)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'svix-id': 'msg_1_pretty', 'svix-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
    ['wrong-version', 'reject', { 'svix-signature': (v) => v.replace('v1,', 'v2,') }, 'same', 'unsupported_version'],
    ['other-algorithm', 'reject', { 'svix-signature': re(`v1,${b64(28)}`) }, 'same', 'bad_signature'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'svix-id': 'msg_1_retry', 'svix-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
    ['oversized-body', 'reject', { 'svix-id': 'msg_1_oversized', 'svix-signature': re(`v1,${b64(44)}`) }, 'changed', undefined],
  ],
  shopify: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-shopify-hmac-sha256': B6444 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-shopify-hmac-sha256': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-shopify-hmac-sha256': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-shopify-hmac-sha256': '' }, 'same', 'missing_header'],
    ['replayed-message-id', 'reject', { 'x-shopify-hmac-sha256': B6444, 'x-shopify-webhook-id': 'msg_1_replay' }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-shopify-hmac-sha256': B6444, 'x-shopify-webhook-id': 'msg_1_pretty' }, 'changed', undefined],
    ['other-algorithm', 'reject', { 'x-shopify-hmac-sha256': B6428 }, 'same', 'bad_signature'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-shopify-hmac-sha256': B6444, 'x-shopify-webhook-id': 'msg_1_oversized' }, 'changed', undefined],
  ],
  slack: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-slack-signature': re(`v0=${hex(64)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-slack-signature': ABSENT }, 'same', 'missing_header'],
    ['missing-header-x-slack-request-timestamp', 'reject', { 'x-slack-request-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-slack-signature': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'x-slack-signature': 'v0=' }, 'same', 'bad_signature'],
    ['timestamp-too-old', 'reject', { 'x-slack-signature': re(`v0=${hex(64)}`), 'x-slack-request-timestamp': `${NOW - 305}` }, 'same', 'timestamp_too_old'],
    ['timestamp-in-future', 'reject', { 'x-slack-signature': re(`v0=${hex(64)}`), 'x-slack-request-timestamp': `${NOW + 305}` }, 'same', 'timestamp_in_future'],
    ['timestamp-just-inside', 'accept', { 'x-slack-signature': re(`v0=${hex(64)}`), 'x-slack-request-timestamp': `${NOW - 295}` }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'x-slack-signature': re(`v0=${hex(64)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-slack-signature': re(`v0=${hex(64)}`) }, 'changed', undefined],
    ['wrong-version', 'reject', { 'x-slack-signature': (v) => v.replace('v0=', 'v1=') }, 'same', 'unsupported_version'],
    ['other-algorithm', 'reject', { 'x-slack-signature': re(`v0=${hex(40)}`) }, 'same', 'bad_signature'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'x-slack-signature': re(`v0=${hex(64)}`) }, 'changed', undefined],
    ['oversized-body', 'reject', { 'x-slack-signature': re(`v0=${hex(64)}`) }, 'changed', undefined],
  ],
  twilio: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-twilio-signature': B6428 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-twilio-signature': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-twilio-signature': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-twilio-signature': '' }, 'same', 'missing_header'],
    ['replayed-message-id', 'reject', { 'x-twilio-signature': B6428 }, 'changed', 'replayed'],
    ['other-algorithm', 'reject', { 'x-twilio-signature': B6444 }, 'same', 'bad_signature'],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-twilio-signature': B6428 }, 'changed', undefined],
  ],
  token: [
    ['valid', 'accept', {}, 'same', undefined],
    ['missing-token', 'reject', { 'x-webhook-token': ABSENT }, 'same', 'missing_header'],
    ['empty-token', 'reject', { 'x-webhook-token': '' }, 'same', 'missing_header'],
    ['wrong-token', 'reject', { 'x-webhook-token': 'tok_0123456789abcdea' }, 'same', 'bad_signature'],
    ['token-too-short', 'reject', { 'x-webhook-token': 'tok_0123456789abcde' }, 'same', 'bad_signature'],
    ['token-too-long', 'reject', { 'x-webhook-token': 'tok_0123456789abcdefx' }, 'same', 'bad_signature'],
    ['oversized-body', 'reject', {}, 'changed', undefined],
  ],
  gitlab: [
    ['valid', 'accept', {}, 'same', undefined],
    ['missing-token', 'reject', { 'x-gitlab-token': ABSENT }, 'same', 'missing_header'],
    ['empty-token', 'reject', { 'x-gitlab-token': '' }, 'same', 'missing_header'],
    ['wrong-token', 'reject', { 'x-gitlab-token': 'tok_0123456789abcdea' }, 'same', 'bad_signature'],
    ['token-too-short', 'reject', { 'x-gitlab-token': 'tok_0123456789abcde' }, 'same', 'bad_signature'],
    ['token-too-long', 'reject', { 'x-gitlab-token': 'tok_0123456789abcdefx' }, 'same', 'bad_signature'],
    ['oversized-body', 'reject', {}, 'changed', undefined],
  ],
  hmac: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-webhook-signature': HEX64 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-webhook-signature': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-webhook-signature': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-webhook-signature': '' }, 'same', 'missing_header'],
    ['replayed-message-id', 'reject', { 'x-webhook-signature': HEX64 }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-webhook-signature': HEX64 }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-webhook-signature': HEX64 }, 'changed', undefined],
  ],
  discord: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-signature-ed25519': HEX128 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-signature-ed25519': ABSENT }, 'same', 'missing_header'],
    ['missing-header-x-signature-timestamp', 'reject', { 'x-signature-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-signature-ed25519': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-signature-ed25519': '' }, 'same', 'missing_header'],
    ['replayed-message-id', 'reject', { 'x-signature-ed25519': HEX128 }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-signature-ed25519': HEX128 }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-signature-ed25519': HEX128 }, 'changed', undefined],
  ],
  sendgrid: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-twilio-email-event-webhook-signature': ECDSA }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-twilio-email-event-webhook-signature': ABSENT }, 'same', 'missing_header'],
    ['missing-header-x-twilio-email-event-webhook-timestamp', 'reject', { 'x-twilio-email-event-webhook-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-twilio-email-event-webhook-signature': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-twilio-email-event-webhook-signature': '' }, 'same', 'missing_header'],
    ['replayed-message-id', 'reject', { 'x-twilio-email-event-webhook-signature': ECDSA }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-twilio-email-event-webhook-signature': ECDSA }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-twilio-email-event-webhook-signature': ECDSA }, 'changed', undefined],
  ],
  paddle: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'paddle-signature': re(`ts=${NOW};h1=${hex(64)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'paddle-signature': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'paddle-signature': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'paddle-signature': `ts=${NOW};h1=` }, 'same', 'malformed_header'],
    ['timestamp-too-old', 'reject', { 'paddle-signature': re(`ts=${NOW - 6};h1=${hex(64)}`) }, 'same', 'timestamp_too_old'],
    ['timestamp-just-inside', 'accept', { 'paddle-signature': re(`ts=${NOW - 4};h1=${hex(64)}`) }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'paddle-signature': re(`ts=${NOW};h1=${hex(64)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'paddle-signature': re(`ts=${NOW};h1=${hex(64)}`) }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'paddle-signature': re(`ts=${NOW};h1=${hex(64)}`) }, 'changed', undefined],
    ['oversized-body', 'reject', { 'paddle-signature': re(`ts=${NOW};h1=${hex(64)}`) }, 'changed', undefined],
  ],
  square: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-square-hmacsha256-signature': B6444 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-square-hmacsha256-signature': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-square-hmacsha256-signature': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-square-hmacsha256-signature': '' }, 'same', 'missing_header'],
    ['replayed-message-id', 'reject', { 'x-square-hmacsha256-signature': B6444 }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-square-hmacsha256-signature': B6444 }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-square-hmacsha256-signature': B6444 }, 'changed', undefined],
  ],
  zoom: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-zm-signature': re(`v0=${hex(64)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-zm-signature': ABSENT }, 'same', 'missing_header'],
    ['missing-header-x-zm-request-timestamp', 'reject', { 'x-zm-request-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-zm-signature': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'x-zm-signature': 'v0=' }, 'same', 'bad_signature'],
    ['timestamp-too-old', 'reject', { 'x-zm-signature': re(`v0=${hex(64)}`), 'x-zm-request-timestamp': `${NOW - 305}` }, 'same', 'timestamp_too_old'],
    ['timestamp-in-future', 'reject', { 'x-zm-signature': re(`v0=${hex(64)}`), 'x-zm-request-timestamp': `${NOW + 305}` }, 'same', 'timestamp_in_future'],
    ['timestamp-just-inside', 'accept', { 'x-zm-signature': re(`v0=${hex(64)}`), 'x-zm-request-timestamp': `${NOW - 295}` }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'x-zm-signature': re(`v0=${hex(64)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-zm-signature': re(`v0=${hex(64)}`) }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'x-zm-signature': re(`v0=${hex(64)}`) }, 'changed', undefined],
    ['oversized-body', 'reject', { 'x-zm-signature': re(`v0=${hex(64)}`) }, 'changed', undefined],
  ],
  meta: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-hub-signature-256': re(`sha256=${hex(64)}`) }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-hub-signature-256': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-hub-signature-256': 'not-a-signature' }, 'same', 'malformed_header'],
    ['empty-signature', 'reject', { 'x-hub-signature-256': 'sha256=' }, 'same', 'bad_signature'],
    ['replayed-message-id', 'reject', { 'x-hub-signature-256': re(`sha256=${hex(64)}`) }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-hub-signature-256': re(`sha256=${hex(64)}`) }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['oversized-body', 'reject', { 'x-hub-signature-256': re(`sha256=${hex(64)}`) }, 'changed', undefined],
  ],
  linear: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'linear-signature': HEX64 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'linear-signature': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'linear-signature': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'linear-signature': '' }, 'same', 'missing_header'],
    ['timestamp-too-old', 'reject', { 'linear-signature': HEX64, 'linear-timestamp': `${(NOW - 65) * 1000}` }, 'changed', 'timestamp_too_old'],
    ['timestamp-in-future', 'reject', { 'linear-signature': HEX64, 'linear-timestamp': `${(NOW + 65) * 1000}` }, 'changed', 'timestamp_in_future'],
    ['timestamp-just-inside', 'accept', { 'linear-signature': HEX64, 'linear-timestamp': `${(NOW - 55) * 1000}` }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'linear-signature': HEX64 }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'linear-signature': HEX64 }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'linear-signature': HEX64 }, 'changed', undefined],
    ['oversized-body', 'reject', { 'linear-signature': HEX64 }, 'changed', undefined],
  ],
  hubspot: [
    ['valid', 'accept', {}, 'same', undefined],
    ['tampered-body', 'reject', {}, 'changed', 'bad_signature'],
    ['wrong-secret', 'reject', { 'x-hubspot-signature-v3': B6444 }, 'same', 'bad_signature'],
    ['missing-signature-header', 'reject', { 'x-hubspot-signature-v3': ABSENT }, 'same', 'missing_header'],
    ['missing-header-x-hubspot-request-timestamp', 'reject', { 'x-hubspot-request-timestamp': ABSENT }, 'same', 'missing_header'],
    ['malformed-signature-header', 'reject', { 'x-hubspot-signature-v3': 'not-a-signature' }, 'same', 'bad_signature'],
    ['empty-signature', 'reject', { 'x-hubspot-signature-v3': '' }, 'same', 'missing_header'],
    ['timestamp-too-old', 'reject', { 'x-hubspot-signature-v3': B6444, 'x-hubspot-request-timestamp': `${(NOW - 305) * 1000}` }, 'same', 'timestamp_too_old'],
    ['timestamp-just-inside', 'accept', { 'x-hubspot-signature-v3': B6444, 'x-hubspot-request-timestamp': `${(NOW - 295) * 1000}` }, 'changed', undefined],
    ['replayed-message-id', 'reject', { 'x-hubspot-signature-v3': B6444 }, 'changed', 'replayed'],
    ['json-whitespace-changed', 'reject', {}, 'changed', 'bad_signature'],
    ['json-keys-reordered', 'reject', {}, 'changed', 'bad_signature'],
    ['valid-pretty-json', 'accept', { 'x-hubspot-signature-v3': B6444 }, 'changed', undefined],
    ['empty-body', 'reject', {}, 'empty', 'bad_signature'],
    ['retried-with-new-signature', 'accept', { 'x-hubspot-signature-v3': B6444 }, 'changed', undefined],
    ['oversized-body', 'reject', { 'x-hubspot-signature-v3': B6444 }, 'changed', undefined],
  ],
}

function differences(valid: BadDelivery, c: BadDelivery): string[] {
  const names = new Set([...Object.keys(valid.headers), ...Object.keys(c.headers)])
  return [...names].filter((n) => valid.headers[n] !== c.headers[n]).sort()
}

describe('badDeliveries, scheme by scheme', () => {
  it('has a table for every registered scheme', () => {
    expect(Object.keys(tables).sort()).toEqual([...schemeNames].sort())
  })

  it.each(schemeNames)('%s: the cases, their headers and their reasons', (name) => {
    const rows = tables[name]!
    const keys = getScheme(name).generateSecret()
    const token = name === 'token' || name === 'gitlab'
    const cases = badDeliveries(name, {
      payload,
      secret: token ? TOKEN : keys.signSecret,
      verifySecret: token ? TOKEN : keys.verifySecret,
      url,
      now: NOW,
      id: ID,
      maxBodyBytes: 4096,
    })
    expect(cases.map((c) => c.name)).toEqual(rows.map(([n]) => n))
    const valid = cases[0]!
    for (const [i, [caseName, expected, headers, body, reason]] of rows.entries()) {
      const c = cases[i]!
      const where = `${name} ${caseName}`
      expect({ where, expect: c.expect, reason: c.reason }).toEqual({
        where,
        expect: expected,
        reason,
      })
      expect({ where, changed: differences(valid, c) }).toEqual({
        where,
        changed: Object.keys(headers).sort(),
      })
      for (const [header, want] of Object.entries(headers)) {
        const got = c.headers[header]
        if (want === ABSENT)
          expect({ where, header, sent: header in c.headers }).toEqual({
            where,
            header,
            sent: false,
          })
        else if (typeof want === 'string')
          expect({ where, header, got }).toEqual({ where, header, got: want })
        else if (want instanceof RegExp)
          expect({ where, header, got }).toEqual({
            where,
            header,
            got: expect.stringMatching(want),
          })
        else
          expect({ where, header, got }).toEqual({
            where,
            header,
            got: want(valid.headers[header]!),
          })
      }
      const bodyIs =
        c.body.length === 0
          ? 'empty'
          : Buffer.from(c.body).equals(Buffer.from(valid.body))
            ? 'same'
            : 'changed'
      expect({ where, body: bodyIs }).toEqual({ where, body })
    }
  })
})
