/** A number for a message: `digits` significant digits, no trailing zeros (`1.5e-7`, `0.3`, `12`); a non-finite one as it is. */
export function significant(x: number, digits = 6): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : String(x);
}
