/** One server-sent event. */
export interface StreamEvent {
  event: string
  data: string
  id: string | undefined
}

/**
 * A server-sent-events parser (the parts of the format the receiver uses, and comments) that
 * looks at each character of its input once, however the stream is cut into chunks: a large
 * delivery arriving in many small chunks costs time in proportion to its size.
 */
export class EventStreamParser {
  /** Characters searched so far, for tests: at most about the length of the input. */
  scanned = 0
  /** The current line's text from earlier chunks. */
  #partial: string[] = []
  /** The previous chunk ended with "\r", so a "\n" at the start of this one ends nothing. */
  #afterCr = false
  #event = ''
  #data: string[] = []
  #id: string | undefined

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): StreamEvent[] {
    const events: StreamEvent[] = []
    if (text === '') return events
    let pos = 0
    if (this.#afterCr && text.charCodeAt(0) === 10) pos = 1
    this.#afterCr = false
    // The next "\n" and the next "\r" are each searched once and kept until passed, so no
    // character is searched twice (text without any "\r" is searched for one just once).
    let lf = -2
    let cr = -2
    while (pos < text.length) {
      if (lf !== -1 && lf < pos) lf = this.#find(text, '\n', pos)
      if (cr !== -1 && cr < pos) cr = this.#find(text, '\r', pos)
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf
      if (end === -1) break
      this.#partial.push(text.slice(pos, end))
      const line = this.#partial.length === 1 ? this.#partial[0]! : this.#partial.join('')
      this.#partial = []
      pos = end + 1
      if (end === cr) {
        if (pos === text.length) this.#afterCr = true
        else if (text.charCodeAt(pos) === 10) pos++
      }
      this.#line(line, events)
    }
    if (pos < text.length) this.#partial.push(text.slice(pos))
    return events
  }

  #find(text: string, char: string, from: number): number {
    const at = text.indexOf(char, from)
    this.scanned += (at === -1 ? text.length : at + 1) - from
    return at
  }

  #line(line: string, events: StreamEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0 || this.#event !== '') {
        events.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id })
      }
      this.#event = ''
      this.#data = []
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.#event = value
    else if (field === 'data') this.#data.push(value)
    else if (field === 'id') this.#id = value
  }
}

/** The events of a byte stream of server-sent events. */
export async function* readEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder()
  const parser = new EventStreamParser()
  for await (const chunk of body) {
    yield* parser.push(decoder.decode(chunk, { stream: true }))
  }
}
