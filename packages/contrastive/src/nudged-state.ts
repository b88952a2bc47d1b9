import type { Substrate } from '@multimech/core';
import { MultimechError } from '@multimech/core';

/** The nudged-state types are core's contract (a substrate may supply its own solver: `Substrate.nudgedSolver`). */
export type { NudgedSolver, NudgedState } from '@multimech/core';

/** Refuses clamp values of the wrong count, or not finite, naming the output. */
export function checkClampValues(substrate: Substrate, outputs: ArrayLike<number>): void {
  const ports = substrate.boundary.outputs;
  if (outputs.length !== ports.length) throw new MultimechError(`expected ${ports.length} clamped output values, got ${outputs.length}`);
  for (let j = 0; j < ports.length; j++) {
    if (!Number.isFinite(outputs[j])) throw new MultimechError(`clamped value of output '${ports[j].name}' is not finite (${outputs[j]})`);
  }
}
