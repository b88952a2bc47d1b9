import type { PhysicalCost } from '../contracts/error-mechanism';
import type { Substrate } from '../contracts/substrate';
import { significant } from '../support/format';
import { dynamicsOf, type DynamicSubstrate } from './phasor-response';
import { slowestRelaxationTime } from './transient-integrator';

/**
 * A substrate that dissipates power: its energy is a co-content, so the
 * flow through each element times the drop across it is power turned into
 * heat (a resistive network: Σ G ΔV²; a flow network: Σ k Δp²). A spring
 * network stores its energy instead, and dissipates only through damping,
 * so it is not one.
 */
export interface DissipativeSubstrate extends Substrate {
  /** The power the network dissipates in a state (watts for SI values). */
  power(state: Float64Array): number;
}

/** The substrate as a DissipativeSubstrate when it declares a `power`. */
export function dissipationOf(substrate: Substrate): DissipativeSubstrate | undefined {
  return typeof (substrate as Partial<DissipativeSubstrate>).power === 'function' ? (substrate as DissipativeSubstrate) : undefined;
}

/**
 * Settling is counted as done when the slowest mode has decayed to this
 * fraction of where it started (ln(1e7) ≈ 16.1 relaxation times; frequency
 * propagation's settling windows use e^(−16.2) ≈ 9e-8).
 */
export const SETTLE_TOLERANCE = 1e-7;

/** The time a mode of relaxation time τ takes to decay to `tolerance` of its start: τ ln(1/tolerance). */
export function settlingTime(tau: number, tolerance = SETTLE_TOLERANCE): number {
  return tau * Math.log(1 / tolerance);
}

/**
 * The slowest relaxation time of a substrate with dynamics (core's
 * `slowestRelaxationTime`), computed once per parameter vector, at the
 * first state it is asked at after the parameters changed: on a linear
 * substrate τ does not depend on the state; on a nonlinear one it is τ at
 * the free state of the first example measured with those parameters. A
 * mechanism that reports its physical cost with every measurement holds one,
 * so that an update's examples cost one eigenvalue problem between them.
 * A τ that cannot be computed is NaN, with the reason in `failure`.
 */
export class RelaxationTimes {
  private substrate: DynamicSubstrate | undefined;
  private theta: Float64Array | undefined;
  private tau = NaN;
  /** Why the last τ could not be computed, if it could not. */
  failure: string | undefined;

  at(dynamic: DynamicSubstrate, state: Float64Array): number {
    const p = dynamic.parameters;
    if (this.substrate !== dynamic || !this.theta || !sameValues(this.theta, p)) {
      this.substrate = dynamic;
      this.theta = Float64Array.from(p);
      try {
        this.tau = slowestRelaxationTime(dynamic, state);
        this.failure = undefined;
      } catch (e) {
        this.tau = NaN;
        this.failure = (e as Error).message;
      }
    }
    return this.tau;
  }
}

/**
 * The cost of a measurement made of `states.length` equilibria of the
 * substrate (equilibrium propagation's two nudged states, coupled
 * learning's free and clamped ones): on a network with dynamics each
 * equilibrium takes the time its slowest mode needs to settle,
 * `settlingTime(τ)`, and dissipates the substrate's power in that state
 * meanwhile (where it defines one). On a network without dynamics the
 * equilibria are instantaneous and their time is not defined: none is
 * given, only the note.
 */
export function equilibriaCost(
  substrate: Substrate,
  states: readonly Float64Array[],
  relaxation: RelaxationTimes,
  /** The state τ is computed at, on a nonlinear substrate (default: the first of `states`); a mechanism gives its free state. */
  at: Float64Array = states[0],
): PhysicalCost {
  const equilibria = states.length;
  const dynamic = dynamicsOf(substrate);
  if (!dynamic) {
    return {
      physical: true,
      equilibria,
      note: `instantaneous equilibria: not defined (this '${substrate.kind}' network has no dynamics: no capacitance, compliance or mass)`,
    };
  }
  const tau = relaxation.at(dynamic, at);
  if (!Number.isFinite(tau)) {
    return {
      physical: true,
      equilibria,
      note:
        tau === Infinity
          ? 'a degree of freedom with mass but no damping never settles: not defined'
          : `the slowest relaxation time could not be computed: ${relaxation.failure ?? 'not a number'}`,
    };
  }
  const each = settlingTime(tau);
  const power = dissipationOf(substrate);
  let energy = 0;
  if (power) for (const s of states) energy += power.power(s) * each;
  return {
    physical: true,
    equilibria,
    seconds: equilibria * each,
    ...(power ? { energy } : {}),
    note: `${equilibria} equilibria, each settling for ln(1/${SETTLE_TOLERANCE}) τ with the slowest relaxation time τ = ${significant(tau, 4)} s`,
  };
}

function sameValues(a: Float64Array, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
