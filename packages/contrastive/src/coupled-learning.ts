import * as t from 'io-ts';
import type { ContinuousCapable, ErrorRecord } from '@multimech/core';
import { coupledLearningSettings, resolveCoupledLearningConfig, type CoupledLearningConfig, type CoupledLearningSettings } from './coupled-learning-config';
import { createNudgedSolver } from './nudged-solver';
import { contrastiveOutputProblems } from './output-check';
import { RelaxationTimes, acOnNonlinearProblems, equilibriaCost } from '@multimech/core';
import { contrastiveDiagnostics } from './contrastive-diagnostics';
import { parameterContrast } from './parameter-contrast';
import { TwinNetwork } from './twin-network';

/** Coupled learning's error mechanism: each edge's ∂E/∂θ contrasted between the clamped and the free state. */
export interface CoupledLearning extends ContinuousCapable {
  readonly kind: 'cl';
  readonly produces: 'contrastive';
  /** The config with its defaults filled in. */
  readonly settings: CoupledLearningSettings;
}

/**
 * Coupled learning (PHYSICS.md §5): the outputs are clamped (Dirichlet) at
 * y^C = y^F − η ∂C/∂y(y^F), which for MSE is y^F + η(t − y^F), the rest of
 * the network re-equilibrates, and each edge reads
 * ĝ_k = [∂E/∂θ_k(s^C) − ∂E/∂θ_k(s^F)]/η (so Δθ = −(α/η)[...]).
 *
 * As η → 0 this tends to Jᵀ G⁻¹ ∂C/∂y, with J = dy/dθ and G = O H⁻¹ Oᵀ the
 * outputs' response matrix (their effective resistances): clamping imposes
 * output values where EP imposes output forces. With one output that is the
 * exact gradient over G; with several, a different (G⁻¹-weighted) direction.
 * On a substrate without 'linear' (diodes, springs; outputs may be pair
 * distances) the clamped state comes from Newton on the constrained problem
 * (NewtonNudgedSolver), and the diagnostic `newtonSteps` counts its steps.
 * Its physical cost is two equilibria, as EP's (core's `equilibriaCost`).
 */
export function createCoupledLearning(config: CoupledLearningConfig = {}): CoupledLearning {
  return coupledLearning(resolveCoupledLearningConfig(config));
}

/** Coupled learning of its settings (see `createCoupledLearning`). */
export function coupledLearning(settings: CoupledLearningSettings): CoupledLearning {
  const { eta } = settings;
  const relaxation = new RelaxationTimes();
  const twin = settings.twin ? new TwinNetwork(settings.twin) : undefined;
  return {
    kind: 'cl',
    produces: 'contrastive',
    settings,
    // continuous-time learning (training.continuous): the clamped copy's outputs follow y − η ∂C/∂y of the free copy's
    continuousContrast: {
      span: eta,
      clampValues: (outputs, outputGradient) => outputs.map((y, j) => y - eta * outputGradient[j]),
      ...(twin ? { copyFactors: (edges: number) => twin.copyFactors(edges) } : {}),
    },
    measure({ substrate, activation, loss }) {
      if (twin) {
        // two mismatched copies: the free copy relaxes under the drive and its outputs set the clamp of the other copy;
        // each edge reads its ∂E/∂θ in its own copy
        const { free, clamped, readings } = twin.withCopies(substrate, (use) => {
          use('free');
          const free = substrate.equilibrium(activation.drive);
          const freeSolver = createNudgedSolver(substrate, free, activation.drive, loss);
          const clampedOutputs = freeSolver.outputs.map((y, j) => y - eta * freeSolver.outputGradient[j]);
          const freeForce = substrate.parameterForce(free);
          use('clamped');
          const own = substrate.equilibrium(activation.drive);
          const clamped = createNudgedSolver(substrate, own, activation.drive, loss).clamped(clampedOutputs);
          const clampedForce = substrate.parameterForce(clamped.state);
          return { free, clamped, readings: Float64Array.from(freeForce, (a, k) => (clampedForce[k] - a) / eta) };
        });
        return {
          readings,
          diagnostics: { newtonSteps: clamped.iterations },
          // the two equilibria, timed as the ideal pair's (the copies' relaxation times differ by the order of the spread)
          cost: equilibriaCost(substrate, [free, clamped.state], relaxation, activation.state),
        };
      }
      const solver = createNudgedSolver(substrate, activation.state, activation.drive, loss);
      const clampedOutputs = solver.outputs.map((y, j) => y - eta * solver.outputGradient[j]);
      const clamped = solver.clamped(clampedOutputs);
      return {
        readings: parameterContrast(substrate, solver.free, clamped.state, eta),
        diagnostics: { newtonSteps: clamped.iterations },
        // two equilibria: the free state and the clamped one
        cost: equilibriaCost(substrate, [solver.free, clamped.state], relaxation, solver.free),
      };
    },
  };
}

export const coupledLearningRecord: ErrorRecord<CoupledLearningSettings> = {
  kind: 'cl',
  description: 'coupled learning: outputs clamped at y + η(t − y) (η = 0.1 by default), ∂E/∂θ contrasted between the clamped and the free state; with twin, the two states come from two copies of the network with independent device variability',
  configCodec: coupledLearningSettings,
  requires: [],
  produces: 'contrastive',
  create: coupledLearning,
  diagnostics: contrastiveDiagnostics,
  gradient: { options: [{ key: 'eta', value: 'E', help: 'clamp fraction η (0 < η ≤ 1)', type: 'positive' }] },
  check: (_settings, activation, substrate) => (substrate ? [...acOnNonlinearProblems('cl', activation, substrate), ...contrastiveOutputProblems('cl', substrate)] : []),
};
