import { Boundary, Capability, Drive, DynamicSubstrate, Graph, MultimechError, ParameterBounds, PhasorResponse } from '@multimech/core';
import { CsrMatrix, SolverOptions } from '@multimech/sparse';
import { ElasticBoundary, ElasticInput, ElasticOutput, dofName } from './elastic-boundary';
import { checkAnchored, checkOverlaps, checkRigid, checkSprings } from './elastic-checks';
import { ElasticDynamics } from './elastic-dynamics';
import { ElasticReadout } from './elastic-readout';
import { SpringEnergy, springLengths } from './spring-energy';
import { ElasticParameter, SpringParameters } from './spring-parameters';
import { SpringSolver } from './spring-solver';
import { SpringStiffness } from './spring-stiffness';

export type { ElasticInput, ElasticOutput } from './elastic-boundary';
export type { ElasticParameter } from './spring-parameters';

export interface ElasticSpec {
  readonly dimension: number;
  readonly graph: Graph;
  /** Reference positions, node-major (x0, y0, [z0,] x1, ...); held dofs start here. */
  readonly positions: ArrayLike<number>;
  /** Stiffness k per spring. */
  readonly stiffness: ArrayLike<number>;
  /** Rest length ℓ per spring (default: the reference lengths, a stress-free reference). */
  readonly restLength?: ArrayLike<number>;
  readonly parameter: ElasticParameter;
  /** Bounds of θ: one pair per trainable parameter (m, or 2m for 'both'). */
  readonly bounds: ParameterBounds;
  /** Pinned nodes: every dof held at its reference position. */
  readonly pins: readonly number[];
  readonly inputs?: readonly ElasticInput[];
  readonly outputs?: readonly ElasticOutput[];
  readonly solver?: SolverOptions;
  /** Newton: converged when max |∂E/∂x| ≤ tolerance·(1 + force scale) (default 1e-9, then up to 4 polishing Newton steps while the residual falls, to rounding level); iteration cap (default 200). */
  readonly newton?: { readonly tolerance?: number; readonly maxIterations?: number };
  /**
   * The minimiser of the equilibrium: damped Newton with a Levenberg shift
   * (default), or FIRE (damped inertial dynamics on the energy and its
   * gradient alone, the robust alternative far from the minimum), finished by
   * the same polishing Newton steps.
   */
  readonly minimiser?: 'newton' | 'fire';
  /**
   * Node masses m, one for every node or one per node (node order): with
   * them the substrate has 'dynamics' with inertia, M ẍ + Γ ẋ = −∂E/∂x, and
   * a lowest resonance. Units: force per acceleration (force · time² /
   * length), so that √(k/m) is an angular frequency in rad per unit of time.
   */
  readonly mass?: number | ArrayLike<number>;
  /**
   * Viscous drag γ per node, one for every node or one per node: a force
   * −γ·v on each coordinate of a node moving at velocity v. Units: force ·
   * time / length. Damping alone (no masses) gives first-order dynamics
   * Γ ẋ = −∂E/∂x.
   */
  readonly damping?: number | ArrayLike<number>;
}

/**
 * A network of central-force springs in 2-D or 3-D (PHYSICS.md §1, elastic
 * column): state = node positions (dof = node·dim + axis),
 * `E = Σ ½ k (r − ℓ)² − f·(x − X)` over the free dofs (X the reference positions), `r = |x_a − x_b|`,
 * `ê = (x_a − x_b)/r`. Pinned nodes and displacement inputs are Dirichlet
 * dofs; force inputs inject f.
 *
 * Equilibrium: core's damped Newton with an energy line search, warm
 * started from the last equilibrium. Away from the minimum H may be
 * indefinite (compressed springs soften transversally): when H is not
 * positive definite, or its step is not a descent direction, the step uses
 * H + λI with λ raised tenfold from 1e-8·max diag(H) until it is (a
 * Levenberg shift). A trial step that would turn any spring through zero
 * length (its vector reversing) has infinite energy for the line search,
 * so the step is halved until no spring passes through zero.
 *
 * Dirichlet values in a Drive are absolute positions. When every dof is
 * held there is nothing to solve: the equilibrium is the imposed state, H
 * is 0x0 and responses are zero.
 *
 * With node masses and/or damping (`mass`, `damping`) it is a
 * DynamicSubstrate (PHYSICS.md §3.3): M ẍ + Γ ẋ = −∂E/∂x with M and Γ
 * diagonal, the phasor response (H − ω²M + iωΓ)⁻¹ f, and with masses the
 * lowest resonance ω₀. Equilibria, H and the adjoint do not depend on them.
 *
 * Its concerns are one file each: the held dofs, ports and drive
 * (`ElasticBoundary`), θ and the k and ℓ it sets (`SpringParameters`), the
 * energy and the local derivatives (`SpringEnergy`), the equilibrium and
 * linear responses (`SpringSolver`, on `SpringStiffness`), the dynamics
 * (`ElasticDynamics`) and the outputs (`ElasticReadout`); the checks of the
 * network as given are in `elastic-checks.ts`. Final: not to be extended.
 */
export class ElasticSubstrate implements DynamicSubstrate {
  readonly kind = 'elastic';
  /** 'vector-state', and 'dynamics' when the network has masses or damping. */
  readonly capabilities: ReadonlySet<Capability>;
  readonly dofPerNode: number;
  readonly graph: Graph;
  readonly boundary: Boundary;
  readonly parameterName: ElasticParameter;
  readonly parameterNames: readonly string[];
  readonly bounds: ParameterBounds;
  /** Reference positions. */
  readonly reference: Float64Array;
  readonly inputs: readonly ElasticInput[];
  readonly outputs: readonly ElasticOutput[];
  /** Pinned nodes. */
  readonly pins: readonly number[];
  /** Stiffness k per spring (live: use setParameters). */
  readonly stiffness: Float64Array;
  /** Rest length ℓ per spring (live). */
  readonly restLength: Float64Array;
  readonly freeDofs: Int32Array;
  /** The equilibrium's minimiser. */
  readonly minimiser: 'newton' | 'fire';
  /** Mass per node (zero everywhere when the network has none). */
  readonly nodeMass: Float64Array;
  /** Viscous drag per node (zero everywhere when the network has none). */
  readonly nodeDamping: Float64Array;
  /** Γ per dof: the drag of its node, zero on held dofs (DynamicSubstrate). */
  readonly dofDamping: Float64Array;
  /** M per dof: the mass of its node, zero on held dofs; absent without masses (DynamicSubstrate). */
  readonly dofMass: Float64Array | undefined;
  /**
   * The lowest natural angular frequency ω₀ (rad per unit of time) at a
   * state: the smallest √λ of H x = λ M x on the free dofs, by Lanczos on
   * M^½ H⁻¹ M^½ with one factorization of H. Present only when the network
   * has masses.
   */
  readonly lowestResonance: ((state: Float64Array) => number) | undefined;
  private readonly referenceDistance: Float64Array;
  private readonly held: ElasticBoundary;
  private readonly springs: SpringParameters;
  private readonly springEnergy: SpringEnergy;
  private readonly solver: SpringSolver;
  private readonly dynamics: ElasticDynamics;
  private readonly output: ElasticReadout;

  constructor(spec: ElasticSpec) {
    const d = spec.dimension;
    if (d !== 2 && d !== 3) throw new MultimechError(`elastic network: dimension must be 2 or 3, got ${d}`);
    this.dofPerNode = d;
    const graph = spec.graph;
    this.graph = graph;
    const n = graph.nodeNames.length;
    const dofs = n * d;
    if (spec.positions.length !== dofs) {
      throw new MultimechError(`elastic network: expected ${dofs} coordinates (${n} nodes x ${d}), got ${spec.positions.length}`);
    }
    this.reference = Float64Array.from(spec.positions);
    for (let i = 0; i < dofs; i++) {
      if (!Number.isFinite(this.reference[i])) throw new MultimechError(`position of node '${this.dofName(i)}' is not finite (${this.reference[i]})`);
    }
    checkOverlaps(this.reference, d, graph.nodeNames);
    this.referenceDistance = springLengths(graph, d, this.reference);
    this.springs = new SpringParameters(spec.parameter, graph.edgeNames, spec.stiffness, spec.restLength, this.referenceDistance, spec.bounds);
    ({ stiffness: this.stiffness, restLength: this.restLength, names: this.parameterNames, bounds: this.bounds } = this.springs);
    this.parameterName = spec.parameter;

    this.held = new ElasticBoundary(graph, d, this.reference, spec.pins, spec.inputs ?? [], spec.outputs ?? []);
    ({ boundary: this.boundary, pins: this.pins, inputs: this.inputs, outputs: this.outputs, freeDofs: this.freeDofs } = this.held);
    checkSprings(graph, d, this.held.heldIndex, this.freeDofs.length);
    // pins and displacement inputs hold coordinates where they are: they must leave no rigid motion free
    const anchored = [...this.pins.flatMap((node) => Array.from({ length: d }, (_, a) => node * d + a)), ...this.inputs.flatMap((p) => (p.type === 'displacement' ? [p.node * d + p.axis] : []))];
    checkAnchored(graph, d, this.reference, anchored);
    const stiffnessMatrix = new SpringStiffness(graph, d, this.held.freeIndex, this.freeDofs.length, spec.solver ?? {});
    checkRigid(stiffnessMatrix, this.reference, this.stiffness, this.referenceDistance, this.freeDofs);
    this.springEnergy = new SpringEnergy(graph, d, this.springs, this.freeDofs, this.reference);
    this.solver = new SpringSolver(this.held, this.springs, this.springEnergy, stiffnessMatrix, { ...spec.newton, minimiser: spec.minimiser });
    this.minimiser = this.solver.minimiser;

    this.dynamics = new ElasticDynamics(this.held, this.solver, spec.mass, spec.damping);
    ({ nodeMass: this.nodeMass, nodeDamping: this.nodeDamping, dofDamping: this.dofDamping, dofMass: this.dofMass } = this.dynamics);
    this.lowestResonance = spec.mass !== undefined ? (state) => this.dynamics.resonance(state) : undefined;
    this.capabilities = new Set<Capability>(this.dynamics.present ? ['vector-state', 'dynamics'] : ['vector-state']);
    this.output = new ElasticReadout(this.outputs, this.boundary.outputs, d, this.reference);
  }

  /** `name.x` for a dof. */
  dofName(dof: number): string {
    return dofName(this.graph, this.dofPerNode, dof);
  }

  get parameters(): Float64Array {
    return this.springs.theta;
  }

  setParameters(theta: ArrayLike<number>): void {
    this.springs.set(theta);
  }

  drive(values: ArrayLike<number>): Drive {
    return this.held.drive(values);
  }

  /** Length of every spring at the reference positions (a copy). */
  referenceLengths(): Float64Array {
    return Float64Array.from(this.referenceDistance);
  }

  /** Length of every spring in a state. */
  lengths(state: Float64Array): Float64Array {
    return this.springEnergy.lengths(state);
  }

  energy(state: Float64Array, drive: Drive): number {
    return this.springEnergy.energy(state, drive);
  }

  residual(state: Float64Array, drive: Drive): Float64Array {
    return this.springEnergy.residual(state, drive);
  }

  equilibrium(drive: Drive): Float64Array {
    return this.solver.equilibrium(drive);
  }

  hessian(state: Float64Array): { readonly matrix: CsrMatrix; readonly freeDofs: Int32Array } {
    return { matrix: this.solver.hessian(state), freeDofs: this.freeDofs };
  }

  linearResponse(state: Float64Array, forces: readonly Float64Array[]): Float64Array[] {
    return this.solver.linearResponse(state, forces);
  }

  /**
   * x = (H(state) − ω²M + iωΓ)⁻¹ f on the free dofs for each force f, zero
   * on held dofs; ω in rad per unit of time (see `ElasticDynamics`).
   */
  phasorResponse(state: Float64Array, forces: readonly Float64Array[], omega: number): PhasorResponse {
    return this.dynamics.phasorResponse(state, forces, omega);
  }

  readout(state: Float64Array): Float64Array {
    return this.output.readout(state);
  }

  /** e = −Jᵀ ∂C/∂y, J the readout's Jacobian at the state (ê_ab rows for distances). */
  outputForce(state: Float64Array, dCdy: ArrayLike<number>): Float64Array {
    return this.output.outputForce(state, dCdy);
  }

  /** r − ℓ per spring, once per parameter (θ = [k…, ℓ…] reads it twice). */
  activationReadings(state: Float64Array): Float64Array {
    return this.springEnergy.activationReadings(state);
  }

  /** ê·Δu per spring (ê at the state), once per parameter. */
  errorReadings(state: Float64Array, response: Float64Array): Float64Array {
    return this.springEnergy.errorReadings(state, response);
  }

  /** dC/dk = (r − ℓ)·ê·Δu; dC/dℓ = −k·ê·Δu (PHYSICS.md §2). */
  localGradient(activation: Float64Array, error: Float64Array): Float64Array {
    return this.springEnergy.localGradient(activation, error);
  }

  /** ∂E/∂k = ½ (r − ℓ)²; ∂E/∂ℓ = −k (r − ℓ). */
  parameterForce(state: Float64Array): Float64Array {
    return this.springEnergy.parameterForce(state);
  }

  /** The equilibrium solver's warm start (the last equilibrium), for a checkpoint. */
  solverState(): number[] | undefined {
    return this.solver.warmState();
  }

  restoreSolverState(state: readonly number[] | undefined): void {
    this.solver.restoreWarmState(state);
  }

  /** Forgets the warm start: the next equilibrium starts from the reference positions. */
  resetWarmStart(): void {
    this.solver.resetWarmStart();
  }
}
