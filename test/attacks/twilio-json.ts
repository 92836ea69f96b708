import { twilio, type AnyScheme } from '../../src/index.js'

/**
 * Twilio sending JSON bodies (`twilio.sign`'s `format: 'json'`) as a custom scheme: it signs the
 * URL with `bodySHA256` appended, so the URL a request goes to differs from the one given.
 */
export const twilioJson: AnyScheme = {
  ...twilio,
  sign: (options) =>
    twilio.sign({ ...(options as Parameters<typeof twilio.sign>[0]), format: 'json' }),
}
