import type * as t from 'io-ts';
import type { ActivationMechanism, ActivationReading } from './activation-mechanism';
import type { SectionProblem } from '../config/section-problems';
import type { SizeClaim } from '../config/resource-limits';
import type { Rng, RngState } from '../support/rng';
import type { Capability, Substrate } from './substrate';
import type { StateLoss } from './nudged-states';


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
  /**
   * What this measurement cost the physical network: its physical time, the
   * energy dissipated meanwhile, the equilibria it settled into (or, for a
   * digital reference, the linear solves it made). The mechanism reports it
   * with the measurement, so that it describes what was measured; the
   * trainer sums it over an update's examples and an epoch's updates.
   */
  readonly cost?: PhysicalCost;
}

/**
 * What measuring one example costs the physical network, in SI units when
 * the network's values are (seconds, joules). A figure that is not defined
 * for the mechanism or the network (instantaneous equilibria have no time;
 * springs without damping dissipate nothing) is absent, and `note` says why,
 * rather than a number being invented. The wall-clock time of a simulation
 * is another matter, reported apart.
 */
export interface PhysicalCost {
  /** False for a digital computation (the exact adjoint): it has no physical time or energy. */
  readonly physical: boolean;
  /** The physical time the measurement takes (a lock-in window and its settling, the chemical's transport, the equilibria's relaxation). */
  readonly seconds?: number;
  /** The energy the network dissipates meanwhile, where the substrate defines a power (core's `DissipativeSubstrate`). */
  readonly energy?: number;
  /** The states the network settles into for the example (EP's two nudged states, CL's free and clamped ones). */
  readonly equilibria?: number;
  /** The linear solves a digital computation makes for the example, the free state's included (the adjoint: 2). */
  readonly solves?: number;
  /** How the figures were obtained, or why one is absent. */
  readonly note?: string;
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

export interface ErrorRecord<S = unknown> {
  readonly kind: string;
  readonly description: string;
  /** Decodes the section (without `kind`) into settings with every default filled in (core's `withDefaults`). */
  readonly configCodec: t.Type<S, unknown, unknown>;
  readonly requires: readonly Capability[];
  readonly produces: ReadingKind;
  /** What the mechanism produces under its settings, where a setting changes it; `produces` otherwise. */
  producesFor?(settings: S): ReadingKind;
  /**
   * An example config section for `multimech plugins KIND` (a section object,
   * with or without `kind`); it must decode with `configCodec`. Give one
   * when the section has required keys.
   */
  readonly example?: Record<string, unknown>;
  create(settings: S): ErrorMechanism;
  /**
   * Problems that only show with the activation it is paired with (a
   * frequency pair that cannot be told apart, a window that does not hold
   * whole periods of both) or with the network as built (a mode that needs a
   * linear network, on a netlist with diodes). Called when the config is
   * decoded (without `substrate`) and again when the experiment is built
   * (with it). Each problem is relative to its section (`{ section:
   * 'error', key: 'mode' }`); the caller places it.
   */
  check?(settings: S, activation: ActivationMechanism, substrate?: Substrate): readonly SectionProblem[];
  /**
   * What one measurement will allocate or simulate (the samples of a
   * window and its settling), counted before anything runs, with the
   * activation it is paired with and, once built, the network; each claim
   * over its limit is refused at its key.
   */
  sizes?(settings: S, activation: ActivationMechanism, substrate?: Substrate): readonly SizeClaim[];
  /** The scalars `measure` reports as diagnostics: their labels, and the warnings a run's worst values call for. */
  readonly diagnostics?: readonly DiagnosticSpec[];
  /** How `multimech gradient --method KIND` sets it: its flags, and defaults chosen from the network as built. */
  readonly gradient?: GradientSupport;
}
export const ErrorRecord = Symbol.for('@multimech/core/ErrorRecord');

/** What an error record produces under its settings (`producesFor`, else `produces`). */
export function producedReadings(record: Pick<ErrorRecord, 'produces' | 'producesFor'>, settings?: unknown): ReadingKind {
  return (settings !== undefined && record.producesFor?.(settings)) || record.produces;
}

/** A run's diagnostics as a warning sees them. */
export interface DiagnosticRun {
  /** The worst value of every diagnostic over the run (see `DiagnosticSpec.worstIsSmallest`). */
  readonly worst: Readonly<Record<string, number>>;
  /** Epochs that reported diagnostics. */
  readonly trained: number;
  /** How many epochs' diagnostics pass `test`. */
  epochsWhere(test: (diagnostics: Readonly<Record<string, number>>) => boolean): number;
  /** Names a setting of the mechanism's section as the reader's config shows it (`error.gamma`). */
  at(key: string): string;
}

/** A scalar an error mechanism reports per measurement, as `diagnostics[name]`. */
export interface DiagnosticSpec {
  readonly name: string;
  /** How tables name it: 'quadrature, rms relative to the in-phase reading'. */
  readonly label: string;
  /** Its worst value over a run is its smallest (the lowest concentration) rather than its largest. */
  readonly worstIsSmallest?: boolean;
  /** The value past which `warning` speaks, for listings. */
  readonly threshold?: number;
  /** The warning (a sentence, without `warning: `) a run's worst values call for, or nothing. */
  warning?(run: DiagnosticRun): string | undefined;
}

/** A setting that `multimech gradient --method KIND` takes as a flag `--KEY` (kebab-case). */
export interface GradientOption {
  /** The key in the mechanism's config section (`samplesPerPeriod` is the flag `--samples-per-period`). */
  readonly key: string;
  /** The value's name in help (`B`). */
  readonly value: string;
  readonly help: string;
  /**
   * How the flag's text becomes the setting: a number (of a sign or an
   * integer, refused as a usage error when the text is not one), or the
   * text; the section's codec then checks it as it checks a config.
   */
  readonly type: 'number' | 'positive' | 'integer' | 'positive-integer' | 'string';
  readonly choices?: readonly string[];
}

/** What `multimech gradient` needs of an error mechanism. */
export interface GradientSupport {
  readonly options: readonly GradientOption[];
  /**
   * Settings chosen from the network as built for keys the flags leave out
   * (`given`), with a note saying which were chosen and why.
   */
  defaultsFor?(substrate: Substrate, given: Readonly<Record<string, unknown>>): { readonly section: Record<string, unknown>; readonly note?: string };
}

/**
 * An AC activation on a network that is not linear, for a mechanism that
 * reads the activation state as one amplitude: superposition fails there,
 * so the state at ω₁ is not one state (PHYSICS.md §3.2). A problem at
 * `activation.kind` naming the mechanism and the way out, or none.
 */
export function acOnNonlinearProblems(mechanism: string, activation: Pick<ActivationMechanism, 'carrier'>, substrate?: Substrate): SectionProblem[] {
  if (activation.carrier.type !== 'ac' || !substrate || substrate.capabilities.has('linear')) return [];
  return [
    {
      section: 'activation',
      key: 'kind',
      message:
        `error mechanism '${mechanism}' with the AC activation (${activation.carrier.frequency} Hz) needs a linear network: this '${substrate.kind}' network is not, ` +
        'so its response to x cos(ω₁t) is no single amplitude state (superposition fails); use { "kind": "dc" }, or frequency propagation\'s ' +
        '{ "readout": "time-series" } with rule \'time-average\' (the gradient of the time-averaged loss)',
    },
  ];
}
