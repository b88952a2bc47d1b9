import type * as t from 'io-ts';
import type { Boundary, Drive } from './boundary';
import type { Graph } from '../graph/graph';
import type { CsrMatrix } from '@multimech/sparse';
import type { Rng } from '../support/rng';
import type { Task } from './task';
import type { ResourceLimits, SizeClaim } from '../config/resource-limits';
import type { NudgedSolver, StateLoss } from './nudged-states';

/**
 * What a substrate can do; mechanisms state which of these they require, and
 * a combination that lacks one is refused when the config is decoded.
 */
export type Capability =
  | 'linear' // E is quadratic in s: superposition holds, H does not depend on s
  | 'scalar-potential' // one value per node (voltage, pressure)
  | 'transport' // carries a chemical species (flow networks)
  | 'dynamics' // capacitance / compliance / mass: a response at omega
  | (string & {}); // third-party capabilities

/** Physical bounds of the trainable parameters; training projects onto them. */
export interface ParameterBounds {
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/**
 * A physical network: graph, trainable edge parameters with bounds, energy,
 * equilibrium, Hessian and local derivatives (DESIGN.md, PHYSICS.md §1-2).
 *
 * States are full dof vectors (`dofPerNode` values per node); Dirichlet dofs
 * hold their imposed values. The substrate owns its factorization: after
 * `setParameters` the next solve refactors once, and every solve until the
 * next update reuses that factor.
 */
export interface Substrate {
  readonly kind: string;
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly capabilities: ReadonlySet<Capability>;
  readonly dofPerNode: number;
  /** Name of the trainable parameter, e.g. `conductance`. */
  readonly parameterName: string;
  /** Names of the trainable parameters, one per entry of `parameters`. */
  readonly parameterNames: readonly string[];
  /** Current parameters θ (do not write; use setParameters). */
  readonly parameters: Float64Array;
  readonly bounds: ParameterBounds;
  setParameters(theta: ArrayLike<number>): void;

  /** The drive that input port values impose. */
  drive(inputs: ArrayLike<number>): Drive;
  /** The input values a file-defined network carries (its own sources), if any. */
  readonly defaultInputs?: Float64Array;

  /** E(θ, s) under a drive (PHYSICS.md §1). */
  energy(state: Float64Array, drive: Drive): number;
  /** ∂E/∂s at every dof; zero at free dofs at equilibrium (conservation). */
  residual(state: Float64Array, drive: Drive): Float64Array;
  /** s* = argmin_s E(θ, s) under the drive. */
  equilibrium(drive: Drive): Float64Array;
  /** H at a state, on the free dofs only, with the free dof of each row. */
  hessian(state: Float64Array): { readonly matrix: CsrMatrix; readonly freeDofs: Int32Array };
  /** x = H(state)⁻¹ f on the free dofs (zero on Dirichlet dofs), for each f; one factorization serves all. */
  linearResponse(state: Float64Array, forces: readonly Float64Array[]): Float64Array[];

  /** Output values of a state (node values or differences). */
  readout(state: Float64Array): Float64Array;
  /** The error force e = -∂C/∂s on every dof, given ∂C/∂y at the outputs. */
  outputForce(state: Float64Array, dCdy: ArrayLike<number>): Float64Array;

  /** What each edge measures of its activation in a state (ΔV for a resistor). */
  activationReadings(state: Float64Array): Float64Array;
  /** What each edge measures of an error response field at a state (Δu for a resistor). */
  errorReadings(state: Float64Array, response: Float64Array): Float64Array;
  /** dC/dθ per edge from the two readings: (∂²E/∂θ∂s)·u (PHYSICS.md §2). */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array;
  /** ∂E/∂θ per edge at a state (what contrastive rules difference). */
  parameterForce(state: Float64Array): Float64Array;

  /**
   * What the equilibrium solver carries from one solve to the next (the
   * warm start of a nonlinear network's Newton solve: the last equilibrium),
   * as plain numbers, or undefined when it carries nothing yet. A substrate
   * whose next equilibrium depends on where its solver starts implements
   * this and `restoreSolverState`, so that a checkpoint holds it and a
   * resumed run continues to the last bit of an uninterrupted one.
   */
  solverState?(): number[] | undefined;
  /** Sets what `solverState` gave (undefined: the next solve starts cold); refuses a state of another length. */
  restoreSolverState?(state: readonly number[] | undefined): void;

  /**
   * The substrate's own solver of the nudged and clamped states around a
   * free state (equilibrium propagation's s^β = argmin E + βC, coupled
   * learning's clamped state), for a substrate whose equilibria its own
   * solver finds where the generic one cannot or costs more (a deep
   * resistive network's ideal diodes make E non-differentiable, which
   * damped Newton cannot minimise; its layered solver can). When present
   * the contrastive mechanisms use it in place of the generic solvers
   * (contrastive's `createNudgedSolver`). It refuses, in one sentence, a
   * loss it cannot nudge by (the deep resistive network's needs a quadratic
   * loss on the outputs).
   */
  nudgedSolver?(free: Float64Array, drive: Drive, loss: StateLoss): NudgedSolver;
}

/** What a substrate plugin's `create` receives besides its own config. */
export interface SubstrateContext {
  /** Input ports the task needs, and whether they impose flows or potentials. */
  readonly inputs: { readonly count: number; readonly type: 'flow' | 'potential'; readonly names?: readonly string[] };
  readonly outputs: { readonly count: number; readonly names?: readonly string[] };
  readonly rng: Rng;
  /** Folder that relative file paths in the config are read from (core's `readConfigFile`, which confines them where the run does not trust its config). */
  readonly baseDir: string;
  /** What the run may allocate (the config's `limits` over `DEFAULT_LIMITS`), for what the plugin counts while building (a network file's elements). */
  readonly limits?: ResourceLimits;
}

/** A substrate plugin's registration record, keyed by `kind`. */
export interface SubstrateRecord<S = unknown> {
  readonly kind: string;
  readonly description: string;
  /** Decodes the section (without `kind`) into settings with every default filled in (core's `withDefaults`). */
  readonly configCodec: t.Type<S, unknown, unknown>;
  readonly capabilities: readonly Capability[];
  /**
   * An example config section for `multimech plugins KIND` (a section object,
   * with or without `kind`); it must decode with `configCodec`. Give one
   * when the section has required keys.
   */
  readonly example?: Record<string, unknown>;
  /**
   * What the settings will allocate, counted before anything is built (the
   * nodes and edges of a generated network for the task's port counts); each
   * claim over its limit is refused at its key. Leave it out when nothing
   * can be counted before building, and check `context.limits` while building.
   */
  sizes?(settings: S, ports: { readonly inputs: number; readonly outputs: number }): readonly SizeClaim[];
  /** Builds the network; a problem with the settings found while building it is a `SettingsError` relative to the section. */
  create(settings: S, context: SubstrateContext): Substrate;
  /** What this kind adds to a results folder: the trained network as a file of its kind, pictures. */
  readonly results?: SubstrateResults;
  /** A file format a network of this kind is read from (`multimech gradient FILE`). */
  readonly networkFile?: NetworkFileFormat;
}

/** What a substrate kind adds to a results folder. */
export interface SubstrateResults {
  /** The trained network as a file of its kind (`network.cir`, SPICE). */
  readonly networkFile?: {
    readonly name: string;
    /** The file's text, or nothing for a network this kind cannot write. */
    write(substrate: Substrate, title: string): string | undefined;
  };
  /** Pictures of the network before and after training, drawn on one scale. */
  readonly drawing?: NetworkDrawing;
}

/** Pictures of a network: a snapshot at each moment, then every snapshot drawn on one scale. */
export interface NetworkDrawing<P = unknown> {
  /** What to draw of the network now (under the task's first training example), or nothing for a network this kind does not draw. */
  snapshot(substrate: Substrate, task: Task, title: string): P | undefined;
  /** One SVG per snapshot, all on one colour scale. */
  render(snapshots: readonly P[]): string[];
}

/** A file format networks of a kind are read from. */
export interface NetworkFileFormat {
  /** What the format is called ('a SPICE netlist'). */
  readonly name: string;
  /** File name endings it is recognised by ('.cir'). */
  readonly extensions: readonly string[];
  /**
   * How tables and messages name things: a trainable edge ('resistor'), its
   * parameter's symbol ('G'), a node's value ('V'), its quantity ('voltage')
   * and unit ('V').
   */
  readonly labels: { readonly edge: string; readonly parameter: string; readonly node: string; readonly quantity: string; readonly unit: string };
  /** Names of the reference node, held at 0, which cannot be an output (case-insensitive: '0', 'gnd'). */
  readonly ground?: readonly string[];
  /**
   * The network of `text`, with outputs at the named nodes, driven by its
   * own sources (`inputs`); `nonlinearity` says what makes it nonlinear
   * where something does ('has diodes (D1, D2)').
   */
  read(text: string, file: string, outputs: readonly string[]): { readonly substrate: Substrate; readonly inputs: Float64Array; readonly nonlinearity?: string };
}
export const SubstrateRecord = Symbol.for('@multimech/core/SubstrateRecord');
