// Small helpers for calling the official libraries as referees (agreement and oracle tests).

/** The referee's answer, with a throw read as "refused". */
export const falseOnThrow = async (fn: () => Promise<boolean> | boolean): Promise<boolean> => {
  try {
    return await fn()
  } catch {
    return false
  }
}

/** A form body as twilio-node's validateRequest takes its params (repeated keys as arrays). */
export const formParams = (body: string): Record<string, string | string[]> => {
  const params: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(body)) {
    const prev = params[key]
    params[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value]
  }
  return params
}
