// Must NOT compile: each line below is a mistake the declarations have to catch.
import type { Endpoint } from 'hookwright'
import 'hookwright/jest'

declare const ep: Endpoint

expect(ep).toHaveReceivedWebhook({ jsn: { type: 'invoice.paid' } })
expect(ep).toHaveRecievedWebhook()
expect(ep).toHaveReceivedWebhookTimes('3')
