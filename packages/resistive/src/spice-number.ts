/** Powers of ten of the SI suffixes of SPICE numbers (case-insensitive). */
const DECADE: Record<string, number> = { t: 12, g: 9, meg: 6, k: 3, m: -3, u: -6, n: -9, p: -12, f: -15 };

/** mantissa, exponent, suffix (`meg` and `mil` tried before `m`), trailing unit letters. */
const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:e([+-]?\d+))?(meg|mil|[tgkmunpf])?([a-z]*)$/i;

/**
 * A SPICE number: a decimal with optional exponent, an optional SI suffix
 * (`f p n u m k meg g t`, and `mil` = 25.4e-6), then any unit letters, which
 * SPICE ignores (`1kohm` = 1000, `10uF` = 1e-5, `2V` = 2). Decimal suffixes
 * shift the exponent, so `4.7u` is exactly the double nearest 4.7e-6.
 * Returns undefined when the text is not a finite number.
 */
export function parseSpiceNumber(text: string): number | undefined {
  const m = NUMBER.exec(text);
  if (!m) return undefined;
  const [, mantissa, exponent, suffix] = m;
  let exp = exponent ? Number(exponent) : 0;
  let value: number;
  const s = suffix?.toLowerCase();
  if (s === 'mil') {
    value = Number(`${mantissa}e${exp}`) * 25.4e-6;
  } else {
    if (s) exp += DECADE[s];
    value = Number(`${mantissa}e${exp}`);
  }
  return Number.isFinite(value) ? value : undefined;
}
