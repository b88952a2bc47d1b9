import type * as t from 'io-ts';
import type { ActivationMechanism, ActivationReading } from './activation-mechanism';
import type { ConfigProblem } from '../support/errors';
import type { Rng, RngState } from '../support/rng';
import type { Capability, Substrate } from './substrate';

/** The loss as a function of a state, for mechanisms that nudge (EP) or clamp (CL). */
export interface StateLoss {
  /** C(s), and the error force e = -∂C/∂s on every dof. */
  evaluate(state: Float64Array): { readonly value: number; readonly force: Float64Array };
}

/** Everything an error mechanism may use for one example. */
export interface ErrorContext {
  readonly substrate: Substrate;
  readonly activation: ActivationReading;
  /** e = -∂C/∂s at the free state (PHYSICS.md §2). */
  readonly errorForce: Float64Array;
  readonly loss: StateLoss;
  readonly rng: Rng;
}

/**
 * What each edge read as its error. `readings` are scaled so that a perfect
 * mechanism gives the error state's drops Δu (the frequency mechanism divides
 * its lock-in coefficient by β). A mechanism that measured the activation
 * itself in the same run (lock-in over a joint transient) returns what each
 * edge read of it in `activationReadings`.
 */
export interface ErrorReading {
  readonly readings: Float64Array;
  readonly activationReadings?: Float64Array;
  /** Scalar diagnostics, e.g. a quadrature component or a noise level. */
  readonly diagnostics?: Readonly<Record<string, number>>;
  /**
   * 'time-series' readings: what each edge read at each of several instants
   * (its activation drop and its error response), for a rule that averages
   * the instantaneous products (PHYSICS.md §3.2, an AC activation on a
   * nonlinear network).
   */
  readonly series?: { readonly activation: readonly Float64Array[]; readonly error: readonly Float64Array[] };
}

/** What kind of readings an error mechanism produces, so that rules can say what they consume. */
export type ReadingKind = 'product' | (string & {});

/** Produces what each edge reads as its error. */
export interface ErrorMechanism {
  readonly kind: string;
  readonly produces: ReadingKind;
  measure(context: ErrorContext): ErrorReading;
  /**
   * A mechanism that draws from a generator of its own (a noise seed of its
   * own) gives its state here, so that a checkpoint can continue the same
   * stream; mechanisms that draw from the context's generator need neither.
   */
  randomState?(): RngState;
  restoreRandomState?(state: RngState): void;
}
export const ErrorMechanism = Symbol.for('@multimech/core/ErrorMechanism');

export interface ErrorRecord<C = unknown> {
  readonly kind: string;
  readonly description: string;
  readonly configCodec: t.Type<C, unknown, unknown>;
  readonly requires: readonly Capability[];
  readonly produces: ReadingKind;
  /**
   * An example config section for `multimech plugins KIND` (a section object,
   * with or without `kind`); it must decode with `configCodec`. Give one
   * when the section has required keys.
   */
  readonly example?: Record<string, unknown>;
  /** What the mechanism produces under a config (a section as written), where a setting changes it; `produces` otherwise. */
  producesFor?(config: unknown): ReadingKind;
  create(config: C): ErrorMechanism;
  /**
   * Problems that only show with the activation it is paired with (a
   * frequency pair that cannot be told apart, a window that does not hold
   * whole periods of both) or with the network as built (a mode that needs a
   * linear network, on a netlist with diodes). Called when the config is
   * decoded (without `substrate`) and again when the experiment is built
   * (with it); messages carry their config path.
   */
  check?(config: C, activation: ActivationMechanism, substrate?: Substrate): readonly ConfigProblem[];
}
export const ErrorRecord = Symbol.for('@multimech/core/ErrorRecord');

/** What an error record produces under a config section as written (`producesFor`, else `produces`). */
export function producedReadings(record: Pick<ErrorRecord, 'produces' | 'producesFor'>, config?: unknown): ReadingKind {
  return (config !== undefined && record.producesFor?.(config)) || record.produces;
}

/**
 * An AC activation on a network that is not linear, for a mechanism that
 * reads the activation state as one amplitude: superposition fails there,
 * so the state at ω₁ is not one state (PHYSICS.md §3.2). A problem at
 * `activation.kind` naming the mechanism and the way out, or none.
 */
export function acOnNonlinearProblems(mechanism: string, activation: Pick<ActivationMechanism, 'carrier'>, substrate?: Substrate): ConfigProblem[] {
  if (activation.carrier.type !== 'ac' || !substrate || substrate.capabilities.has('linear')) return [];
  return [
    {
      path: 'activation.kind',
      message:
        `error mechanism '${mechanism}' with the AC activation (${activation.carrier.frequency} Hz) needs a linear network: this '${substrate.kind}' network is not, ` +
        'so its response to x cos(ω₁t) is no single amplitude state (superposition fails); use { "kind": "dc" }, or frequency propagation\'s ' +
        '{ "readout": "time-series" } with rule \'time-average\' (the gradient of the time-averaged loss)',
    },
  ];
}
