/** A number for a message: `digits` significant digits, no trailing zeros (`1.5e-7`, `0.3`, `12`); a non-finite one as it is. */
export function significant(x: number, digits = 6): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : String(x);
}

/** How long a value echoed in a message may be (`got ...`), in characters, before its middle is left out. */
export const ECHO_LIMIT = 80;

/** Characters a terminal would act on rather than show: C0 controls but tab, DEL, C1 controls, line and paragraph separators, bidirectional overrides. */
const UNSHOWABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Text from the input as a message shows it: every character a terminal
 * would act on escaped (`\u0007`, `\u001b`; a newline too), and, when the
 * result is longer than `max` characters, its middle left out, saying how
 * much: `aaaa…(199,900 more characters)…aaaa`. Never splits a character
 * or an escape.
 */
export function echoed(text: string, max = ECHO_LIMIT): string {
  const pieces: string[] = [];
  let length = 0;
  for (const ch of text) {
    const shown = UNSHOWABLE.test(ch) ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    pieces.push(shown);
    length += shown.length;
  }
  if (length <= max) return pieces.join('');
  // head and tail of about (max − the marker) / 2 each
  const keep = Math.max(8, Math.floor((max - 30) / 2));
  let head = 0;
  for (let used = 0; head < pieces.length && used + pieces[head].length <= keep; head++) used += pieces[head].length;
  let tail = pieces.length;
  for (let used = 0; tail > head && used + pieces[tail - 1].length <= keep; tail--) used += pieces[tail - 1].length;
  const left = tail - head;
  return `${pieces.slice(0, head).join('')}…(${left.toLocaleString('en-US')} more characters)…${pieces.slice(tail).join('')}`;
}

/** Characters XML 1.0 does not allow (C0 controls but tab, newline and return; U+FFFE, U+FFFF) and UTF-16 halves without their pair. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text an XML document (an SVG) can hold: every character XML does not allow replaced by U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '\ufffd');
}
