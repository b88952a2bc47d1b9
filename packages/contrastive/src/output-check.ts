import type { SectionProblem, Substrate } from '@multimech/core';
import { unit } from './output-subspace';

/**
 * What keeps a contrastive mechanism from nudging or clamping a network as
 * built, as problems at the error section's kind naming both sides: no outputs, or an
 * output that no force at a free dof can move (held by the boundary). The
 * output forces are taken at the equilibrium of the network's own inputs
 * (zero inputs when it has none), where a pair-distance readout has its
 * direction; a network whose equilibrium fails there is left to the run,
 * which reports it.
 */
export function contrastiveOutputProblems(kind: string, substrate: Substrate): SectionProblem[] {
  const ports = substrate.boundary.outputs;
  const where = `error mechanism '${kind}' cannot run on this '${substrate.kind}' network`;
  if (ports.length === 0) return [{ section: 'error', key: 'kind', message: `${where}: it has no outputs to nudge or clamp` }];
  let state: Float64Array;
  try {
    state = substrate.equilibrium(substrate.drive(substrate.defaultInputs ?? new Float64Array(substrate.boundary.inputs.length)));
  } catch {
    return [];
  }
  const held = new Uint8Array(state.length);
  for (const d of substrate.boundary.dirichlet) held[d] = 1;
  const problems: SectionProblem[] = [];
  ports.forEach((port, j) => {
    let force: Float64Array;
    try {
      force = substrate.outputForce(state, unit(ports.length, j));
    } catch {
      return;
    }
    if (force.every((f, i) => f === 0 || held[i] === 1)) {
      problems.push({
        section: 'error',
        key: 'kind',
        message: `${where}: output '${port.name}' is held by the boundary, so no force at the outputs moves it and it cannot be ${kind === 'cl' ? 'clamped' : 'nudged'}`,
      });
    }
  });
  return problems;
}
