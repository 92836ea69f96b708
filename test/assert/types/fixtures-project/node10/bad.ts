// Must not compile: the same mistakes as the other projects, found under node10 resolution too.
import type { Endpoint } from 'hookwright'
import 'hookwright/jest'

declare const ep: Endpoint

expect(ep).toHaveReceivedWebhook({ jsn: { type: 'invoice.paid' } })
expect(ep).toHaveRecievedWebhook()
expect(ep).toHaveReceivedWebhookTimes('2')
