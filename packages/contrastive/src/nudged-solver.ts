import type { Drive, StateLoss, Substrate } from '@multimech/core';
import { NewtonNudgedSolver } from './newton-nudged-solver';
import type { NudgedSolver } from './nudged-state';
import { OutputSubspaceSolver } from './output-subspace-solver';

/**
 * The nudged solver for a substrate at a free state under a drive. A
 * substrate that supplies its own (`Substrate.nudgedSolver`: a deep
 * resistive network's layered solver) gets that one. Otherwise a linear
 * substrate gets the output-subspace solver (no new factorization: every
 * state comes from the free state's factor); any other (diodes, springs)
 * the Newton solver, whose first step shares the free state's
 * factorization and each further step refactors H (the substrate's own
 * symbolic analysis serves them all).
 */
export function createNudgedSolver(substrate: Substrate, free: Float64Array, drive: Drive, loss: StateLoss): NudgedSolver {
  if (substrate.nudgedSolver) return substrate.nudgedSolver(free, drive, loss);
  return substrate.capabilities.has('linear') ? new OutputSubspaceSolver(substrate, free, loss) : new NewtonNudgedSolver(substrate, free, drive, loss);
}
