/** The one line splitter: bytes or text in, whole lines out, the last one even without a newline. */
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';

/**
 * A Writable that hands each line to `onLine` (without its `\n`) and, when it ends, what is left after
 * the last newline. Bytes are decoded as UTF-8 across chunks (a character cut in two stays whole).
 * `onLine` must not throw (it runs inside whatever writes to the stream).
 */
export function lineWriter(onLine: (line: string) => void): Writable {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _enc, done) {
      buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        onLine(line);
      }
      done();
    },
    final(done) {
      const rest = buffer + decoder.end();
      buffer = '';
      if (rest) onLine(rest);
      done();
    },
  });
}
