import * as t from 'io-ts';
import type { ContinuousCapable, ErrorRecord } from '@multimech/core';
import {
  equilibriumPropagationSettings,
  resolveEquilibriumPropagationConfig,
  type EquilibriumPropagationConfig,
  type EquilibriumPropagationSettings,
} from './equilibrium-propagation-config';
import { createNudgedSolver } from './nudged-solver';
import { contrastiveOutputProblems } from './output-check';
import { RelaxationTimes, acOnNonlinearProblems, equilibriaCost } from '@multimech/core';
import { contrastiveDiagnostics } from './contrastive-diagnostics';
import { parameterContrast } from './parameter-contrast';

/** Equilibrium propagation's error mechanism: each edge's ∂E/∂θ contrasted between two nudged states. */
export interface EquilibriumPropagation extends ContinuousCapable {
  readonly kind: 'ep';
  readonly produces: 'contrastive';
  /** The config with its defaults filled in. */
  readonly settings: EquilibriumPropagationSettings;
  /** The nudging strengths (β₁, β₂) of the two states compared. */
  readonly betas: readonly [number, number];
}

/**
 * Equilibrium propagation (PHYSICS.md §5). The nudged state
 * s^β = argmin_s E(θ, s) + βC(s) adds a force β e(s^β) at the outputs; the
 * reading of each edge is ĝ_k = [∂E/∂θ_k(s^{β₂}) − ∂E/∂θ_k(s^{β₁})]/(β₂ − β₁),
 * the gradient estimate itself (consumed by the `contrastive` rule):
 * positive (0, β) and negative (−β, 0) are biased O(β), centred (−β, β) O(β²).
 * s^0 is the activation's free state; on a linear substrate the nudged
 * states come from the free state's factorization (OutputSubspaceSolver),
 * on any other (diodes, springs) from Newton on E + βC (NewtonNudgedSolver).
 * Its diagnostic `newtonSteps` counts the Newton steps of both states.
 * Its physical cost is two equilibria (core's `equilibriaCost`): each the
 * settling time of the network's slowest mode where it has dynamics, not
 * defined where its equilibria are instantaneous.
 */
export function createEquilibriumPropagation(config: EquilibriumPropagationConfig = {}): EquilibriumPropagation {
  return equilibriumPropagation(resolveEquilibriumPropagationConfig(config));
}

/** Equilibrium propagation of its settings (see `createEquilibriumPropagation`). */
export function equilibriumPropagation(settings: EquilibriumPropagationSettings): EquilibriumPropagation {
  const { beta, variant } = settings;
  const betas: readonly [number, number] = variant === 'positive' ? [0, beta] : variant === 'negative' ? [-beta, 0] : [-beta, beta];
  const relaxation = new RelaxationTimes();
  return {
    kind: 'ep',
    produces: 'contrastive',
    settings,
    betas,
    // continuous-time learning (training.continuous): two copies nudged by β₁ and β₂ relax side by side
    continuousContrast: { span: betas[1] - betas[0], nudges: betas },
    measure({ substrate, activation, loss }) {
      const solver = createNudgedSolver(substrate, activation.state, activation.drive, loss);
      const [low, high] = betas.map((b) => (b === 0 ? { state: solver.free, iterations: 0 } : solver.nudged(b)));
      return {
        readings: parameterContrast(substrate, low.state, high.state, betas[1] - betas[0]),
        diagnostics: { newtonSteps: low.iterations + high.iterations },
        // two equilibria whatever the variant: the free state and one nudged state, or (centred) the two nudged states
        cost: equilibriaCost(substrate, [low.state, high.state], relaxation, activation.state),
      };
    },
  };
}

export const equilibriumPropagationRecord: ErrorRecord<EquilibriumPropagationSettings> = {
  kind: 'ep',
  description:
    'equilibrium propagation: ∂E/∂θ contrasted between nudged states s^β = argmin E + βC; variant positive (0, β), negative (−β, 0) or centred (−β, β, the default), β = 0.01',
  configCodec: equilibriumPropagationSettings,
  requires: [],
  produces: 'contrastive',
  create: equilibriumPropagation,
  diagnostics: contrastiveDiagnostics,
  gradient: {
    options: [
      { key: 'beta', value: 'B', help: 'nudge strength β, in the units of the parameters (default 1e-3 × their median on the network as built)', type: 'positive' },
      { key: 'variant', value: 'variant', help: 'which pair of nudged states', type: 'string', choices: ['positive', 'negative', 'centred'] },
    ],
    // β weighs C against E: small against the network's own parameters (a netlist's conductances)
    defaultsFor: (substrate) => ({ section: { beta: 1e-3 * median(substrate.parameters) } }),
  },
  check: (_settings, activation, substrate) => (substrate ? [...acOnNonlinearProblems('ep', activation, substrate), ...contrastiveOutputProblems('ep', substrate)] : []),
};

function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  if (sorted.length === 0) return 1;
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}
