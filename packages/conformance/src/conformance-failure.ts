/** A conformance check that did not hold: says which check, which fixture and by how much. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

/** Throws a ConformanceFailure when `ok` is false. */
export function check(ok: boolean, message: () => string): void {
  if (!ok) throw new ConformanceFailure(message());
}
