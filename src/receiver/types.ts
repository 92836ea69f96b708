import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Delivery } from '../delivery.js'
import type { SchemeInput } from '../schemes/registry.js'

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
  scheme: SchemeInput
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
  /**
   * Bodies over this answer 413; a compressed body is never decoded past it either. Default
   * 10 MiB; at most 256 MiB (larger throws `HOOKWRIGHT_INVALID_OPTION`).
   */
  maxBodyBytes?: number
  /** A label for messages and the inspector. */
  name?: string
}

export type DeliveryMatcher = (delivery: Delivery) => boolean

export interface WaitForOptions {
  /** How many matching deliveries to wait for (default 1). Earlier deliveries count. */
  count?: number
  /**
   * Milliseconds. Default: 80% of the running vitest or jest test's timeout (4,000 ms for the
   * runners' default 5 s; 4,000 ms outside a runner), so this timeout's message comes before
   * the runner's. Real time: fake timers do not stop it.
   */
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

export interface ReceiverOptions {
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Default 127.0.0.1. Bind other interfaces only on purpose. */
  host?: string
  /**
   * Serve HTTPS with this key and certificate (PEM), for senders that refuse plain HTTP.
   * `url` then starts with `https://`; give the sender the certificate as a trusted CA.
   */
  tls?: { key: string | Uint8Array; cert: string | Uint8Array }
  /**
   * Host names (besides localhost, 127.0.0.1 and [::1]) that may reach the control API, the
   * event stream and the inspector under `/_hookwright/`. A receiver bound to a loopback
   * address refuses any other `Host` there with 403, so a web page whose name is rebound to
   * 127.0.0.1 (DNS rebinding) reads nothing; callbacks (`/h/…`) take any Host. `".name"` allows
   * the name and its subdomains; `"name:port"` one port only. Given on another interface, the
   * same check applies (with the bound address allowed too). Default: none.
   */
  allowedHosts?: readonly string[]
  /**
   * Milliseconds a sender has from connecting (or from the previous answer on a kept-alive
   * connection) to the end of its request headers; past it, 408 and the connection closes.
   * Default 10,000.
   */
  headersTimeout?: number
  /**
   * Milliseconds a sender has from connecting to the end of its request body; past it, 408,
   * recorded as a delivery with error `request_timeout`. Scripted delays and hangs come after
   * the body and do not count. Default 30,000 (at least `headersTimeout`).
   */
  requestTimeout?: number
  /** Milliseconds an idle kept-alive connection stays open after an answer. Default 5,000. */
  keepAliveTimeout?: number
  /**
   * Open connections at most. Past it, the oldest idle connection (fresh, between requests,
   * or still sending headers) is answered 408 and closed to make room; if every connection is
   * carrying a request, the new one is answered 503 with `Retry-After: 1`. Default 1,000, or
   * the file-descriptor limit less 100 where that is lower (Linux).
   */
  maxConnections?: number
  /** Keep at most this many deliveries (oldest dropped first). Default 10,000. */
  maxDeliveries?: number
  /**
   * The receiver's one memory budget: bodies, header names and values, paths and queries of
   * the deliveries it keeps, and the bodies still arriving, at most this many bytes in all. Each
   * delivery also counts 512 bytes for the objects that hold it, so the count stays within 20%
   * of the memory really held (docs/performance.md).
   * Past it the oldest deliveries are dropped (`dropped` counts them); a body that cannot fit
   * even then is answered 413. Endpoints' `deliveries` are views of the same deliveries.
   * Default 256 MiB.
   */
  maxBytes?: number
  /**
   * Drop deliveries received longer ago than this (counted in `dropped`). Default: kept
   * whatever their age, within the other bounds.
   */
  maxAgeMs?: number
  /**
   * Called with each delivery before its answer is written, to keep it somewhere lasting (the
   * CLI's `--save`). If it throws, the sender is answered 503 (`{"error":"save_failed"}`) and
   * the delivery is recorded with `error: "save_failed"`; the receiver keeps serving.
   */
  save?: (delivery: Delivery) => void
  /** Serve the JSON control API and event stream under `/_hookwright/`; a token guards it. */
  control?: boolean | { token?: string }
  /**
   * Extra handlers that own a path prefix (the control API and the inspector page are such
   * routes). Requests under a route's prefix are handled by it and not recorded as deliveries.
   */
  routes?: readonly ReceiverRoute[]
}

/** A handler that owns every path under `prefix` on a receiver. */
export interface ReceiverRoute {
  /** Starts and ends with "/", e.g. `/_hookwright/`. */
  prefix: string
  handle(req: IncomingMessage, res: ServerResponse, receiver: Receiver): void | Promise<void>
  /** Called when the receiver closes (end open event streams here). */
  close?(): void | Promise<void>
}

/**
 * A running receiver: an HTTP server that records every request, including requests to
 * unknown paths (as 404), and mints endpoints.
 */
export interface Receiver extends DeliverySource {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly host: string
  readonly port: number
  /** How many deliveries the bounds (count, bytes, age) have dropped so far. */
  readonly dropped: number
  /** Mint a unique endpoint (`/h/<id>`). */
  endpoint(options?: EndpointOptions): Endpoint
  /** Look up an endpoint this receiver minted (open ones only). */
  getEndpoint(id: string): Endpoint | undefined
  /**
   * Called for every delivery once its response is decided and before the response is written,
   * so a listener that stores the delivery synchronously (the CLI's `--save`) loses nothing that
   * the sender saw answered.
   */
  on(event: 'delivery', listener: (delivery: Delivery) => void): this
  off(event: 'delivery', listener: (delivery: Delivery) => void): this
  /** Forget every delivery (endpoints stay open). */
  clear(): void
  /** Answer or end in-flight requests, close every socket and timer. */
  close(): Promise<void>
}
