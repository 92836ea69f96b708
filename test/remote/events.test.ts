import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { EventStreamParser, type StreamEvent } from '../../src/remote/events.js'

/** Feeds `text` to a parser in pieces of `size` characters. */
function parse(text: string, size: number): { events: StreamEvent[]; scanned: number } {
  const parser = new EventStreamParser()
  const events: StreamEvent[] = []
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)))
  return { events, scanned: parser.scanned }
}

describe('the event-stream parser', () => {
  it('parses a 4 MiB event cut into 1,024 chunks, searching each character about once', () => {
    const data = JSON.stringify({ rawBody: 'x'.repeat(4 * 1024 * 1024) })
    const text = `retry: 1000\n\nid: d1\nevent: delivery\ndata: ${data}\n\n: heartbeat\n\n`
    const { events, scanned } = parse(text, 4096)
    expect(events).toEqual([{ event: 'delivery', data, id: 'd1' }])
    // Rescanning what is buffered for every chunk would search ~512 times the input.
    expect(scanned).toBeLessThanOrEqual(2 * text.length)
  })

  it('gives the same events however the stream is cut, with \\n, \\r\\n and \\r line ends', () => {
    const line = fc.stringMatching(/^[a-z{}": ]{0,12}$/)
    const field = fc.oneof(
      line.map((v) => `data: ${v}`),
      line.map((v) => `event:${v}`),
      line.map((v) => `id: ${v}`),
      line.map((v) => `:${v}`),
      fc.constant(''),
    )
    const eol = fc.constantFrom('\n', '\r\n', '\r')
    const stream = fc
      .array(fc.tuple(field, eol), { maxLength: 30 })
      .map((lines) => lines.map(([l, e]) => l + e).join(''))
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 7 }), (text, size) => {
        const whole = parse(text, text.length || 1)
        const cut = parse(text, size)
        expect(cut.events).toEqual(whole.events)
        expect(cut.scanned).toBeLessThanOrEqual(2 * text.length)
      }),
    )
  })

  it('reads the fields as the receiver writes them', () => {
    const { events } = parse(
      'event: ready\r\ndata: {"replayed":0}\r\n\r\ndata: a\rdata: b\r\rid: 7\n\n',
      3,
    )
    expect(events).toEqual([
      { event: 'ready', data: '{"replayed":0}', id: undefined },
      { event: 'message', data: 'a\nb', id: undefined },
    ])
  })
})
