// Must NOT compile: each line below is a mistake the declarations have to catch.
import { expect } from 'vitest'
import type { Endpoint } from 'hookwright'
import 'hookwright/vitest'

declare const ep: Endpoint

expect(ep).toHaveReceivedWebhook({ jsn: { type: 'invoice.paid' } })
expect(ep).toHaveRecievedWebhook()
expect(ep).toHaveReceivedWebhookTimes('3')
