import type { Delivery } from '../delivery.js'
import type { AnyScheme } from '../schemes/types.js'

/**
 * One step of an endpoint's response script; step N answers attempt N and the last step
 * repeats. A number is a status; `'reset'` destroys the socket; `'hang'` never answers.
 */
export type RespondStep =
  | number
  | 'reset'
  | 'hang'
  | {
      status?: number
      body?: string | object
      headers?: Record<string, string>
      /** Hold the answer back this long. */
      delayMs?: number
      /** Sets `Retry-After` (seconds, or an HTTP date string). */
      retryAfter?: number | string
      action?: 'reset' | 'hang'
    }

/** How an endpoint checks signatures: failures answer 401 and are recorded with their reason. */
export interface EndpointVerify {
  scheme: string | AnyScheme
  secret?: string
  secrets?: readonly string[]
  tolerance?: number
}

export interface EndpointOptions {
  verify?: EndpointVerify
  /** Default 200. */
  respond?: RespondStep | readonly RespondStep[]
  /** Allowed methods (others answer 405). Default: any. */
  methods?: readonly string[]
  /** Bodies over this answer 413. Default 10 MiB. */
  maxBodyBytes?: number
  /** A label for messages and the inspector. */
  name?: string
}

export type DeliveryMatcher = (delivery: Delivery) => boolean

export interface WaitForOptions {
  /** How many matching deliveries to wait for (default 1). Earlier deliveries count. */
  count?: number
  /** Milliseconds (default 5000). Real time: fake timers do not stop it. */
  timeout?: number
  match?: DeliveryMatcher
}

/**
 * Anything that holds deliveries and can be awaited: an endpoint, a receiver, a remote
 * receiver, an msw interceptor. Assertions read only this.
 */
export interface DeliverySource {
  /** A label for messages: the endpoint URL, `receiver http://127.0.0.1:4400`, … */
  readonly label: string
  /** Every delivery kept, oldest first. */
  readonly deliveries: readonly Delivery[]
  /**
   * Resolves with the first `count` matching deliveries (in arrival order) once they have
   * arrived, or rejects with `HOOKWRIGHT_TIMEOUT` listing what did arrive.
   */
  waitFor(options?: WaitForOptions): Promise<Delivery[]>
}

export interface Endpoint extends DeliverySource {
  readonly id: string
  /** `/h/<id>` */
  readonly path: string
  /** Absolute URL to give the sender. */
  readonly url: string
  readonly options: EndpointOptions
  /** Forget this endpoint's deliveries and restart its attempt count and response script. */
  clear(): void
  /** Stop answering on this path (later requests are recorded as 404 to an unknown path). */
  close(): Promise<void>
}
