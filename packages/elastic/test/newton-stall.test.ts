import { readFileSync } from 'fs';
import { join } from 'path';
import { newtonMinimize, type NewtonProblem } from '@multimech/core';
import { planSolver } from '@multimech/sparse';
import { elasticFromTopology, triangularLattice } from '@multimech/elastic';

/**
 * A regression: one equilibrium of a training run (6 x 5 lattice, stiffness
 * and rest lengths, seed 3, epoch 142) on which damped Newton stalled at a
 * residual of 2.7e-9 against a tolerance of 2.5e-9 and gave up after 200
 * iterations. Near that minimum the spring energy's rounding (a sum of 69
 * terms, about 1e-16) exceeds the decrease a Newton step promises (about
 * 1e-17): the energy said every step went up, the line search halved the
 * step until it no longer changed x and accepted that tie, and the same
 * null step repeated. The parameters, drive and warm start of that solve
 * are stored; the solve must now converge in a few iterations.
 */
const stall = JSON.parse(readFileSync(join(__dirname, 'fixtures/newton-stall.json'), 'utf8')) as {
  theta: number[];
  injection: number[];
  fixed: number[];
  start: number[];
};

function substrate() {
  const topology = triangularLattice(6, 5, { sources: 2, targets: 1 });
  const s = elasticFromTopology(topology, {
    parameter: 'both',
    stiffness: new Float64Array(topology.graph.from.length).fill(1),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: 'distance',
  });
  s.setParameters(stall.theta);
  return s;
}

describe('the Newton stall of a training run', () => {
  it('converges from the stored warm start to force balance at rounding level', () => {
    const s = substrate();
    const drive = { injection: Float64Array.from(stall.injection), fixed: Float64Array.from(stall.fixed) };
    const free = s.freeDofs;
    const held = s.boundary.dirichlet;
    const state = (x: Float64Array) => {
      const full = new Float64Array(s.reference.length);
      free.forEach((dof, i) => (full[dof] = x[i]));
      held.forEach((dof, i) => (full[dof] = drive.fixed[i]));
      return full;
    };
    // the solve of the run: the energy, its gradient and Newton steps with H at each state
    const problem: NewtonProblem = {
      size: free.length,
      energy: (x) => s.energy(state(x), drive),
      gradient: (x) => {
        const r = s.residual(state(x), drive);
        return Float64Array.from(free, (dof) => r[dof]);
      },
      solve: (x, g) => {
        const { matrix } = s.hessian(state(x));
        return planSolver(matrix, { method: 'cholesky' }).factor(matrix).solve(g);
      },
    };
    let forceScale = 0;
    for (const f of stall.injection) forceScale = Math.max(forceScale, Math.abs(f));
    for (let k = 0; k < s.stiffness.length; k++) forceScale = Math.max(forceScale, s.stiffness[k] * s.restLength[k]);
    const x0 = Float64Array.from(free, (dof) => stall.start[dof]);
    const result = newtonMinimize(problem, x0, { tolerance: 1e-9, scale: forceScale, maxIterations: 200 });
    console.log(`the stalled solve: ${result.iterations} Newton iterations, residual ${result.residual.toExponential(3)} (tolerance ${(1e-9 * (1 + forceScale)).toExponential(3)})`);
    expect(result.iterations).toBeLessThanOrEqual(8);
    expect(result.residual).toBeLessThan(1e-12);
    // the substrate's own equilibrium agrees (from its cold start)
    const x = s.equilibrium(drive);
    free.forEach((dof, i) => expect(Math.abs(x[dof] - result.x[i])).toBeLessThan(1e-10));
  });
});
