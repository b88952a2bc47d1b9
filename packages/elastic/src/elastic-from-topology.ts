import { MultimechError } from '@multimech/core';
import { SolverOptions } from '@multimech/sparse';
import type { ElasticInput, ElasticOutput } from './elastic-boundary';
import type { ElasticParameter } from './spring-parameters';
import { ElasticSubstrate } from './elastic-substrate';
import type { ElasticTopology } from './elastic-topology';

export interface ElasticTopologyOptions {
  readonly parameter: ElasticParameter;
  /** Stiffness per spring. */
  readonly stiffness: ArrayLike<number>;
  /** Bounds of the stiffness (absolute). */
  readonly stiffnessBounds: { readonly min: number; readonly max: number };
  /** Bounds of the rest length, as factors of each spring's initial rest length (its reference length). */
  readonly restLengthBounds: { readonly min: number; readonly max: number };
  /**
   * `force`: a force dipole on each source pair along its axis (+ at b, − at a); `displacement`: b of each source pair moved along its axis;
   * `strain`: each source pair held at its reference distance plus the input (both nodes moved apart along the pair's direction).
   */
  readonly inputs: 'force' | 'displacement' | 'strain';
  /** `distance`: each target pair's change of distance; `displacement`: b of each target pair along the pair's axis. */
  readonly outputs: 'distance' | 'displacement';
  readonly solver?: SolverOptions;
  /** The equilibrium's minimiser (default `newton`). */
  readonly minimiser?: 'newton' | 'fire';
  /** Node masses (one for all, or one per node): the dynamic mode (see ElasticSpec). */
  readonly mass?: number | ArrayLike<number>;
  /** Viscous drag per node (one for all, or one per node). */
  readonly damping?: number | ArrayLike<number>;
}

/**
 * The parameters' bounds: stiffness within [min, max]; rest length within
 * [min, max] × each spring's reference length; for `both`, stiffnesses first.
 */
export function springBounds(
  options: Pick<ElasticTopologyOptions, 'parameter' | 'stiffnessBounds' | 'restLengthBounds'>,
  reference: Float64Array,
): { min: Float64Array; max: Float64Array } {
  const m = reference.length;
  const sb = options.stiffnessBounds;
  const rb = options.restLengthBounds;
  const kMin = new Float64Array(m).fill(sb.min);
  const kMax = new Float64Array(m).fill(sb.max);
  const lMin = reference.map((l) => rb.min * l);
  const lMax = reference.map((l) => rb.max * l);
  if (options.parameter === 'stiffness') return { min: kMin, max: kMax };
  if (options.parameter === 'rest-length') return { min: lMin, max: lMax };
  return { min: Float64Array.from([...kMin, ...lMin]), max: Float64Array.from([...kMax, ...lMax]) };
}

/** An elastic substrate on a generated topology: its pins, one input per source pair, one output per target pair. */
export function elasticFromTopology(topology: ElasticTopology, options: ElasticTopologyOptions): ElasticSubstrate {
  const { graph, sources, targets } = topology;
  const m = graph.from.length;
  if (options.stiffness.length !== m) throw new MultimechError(`elastic network: expected ${m} stiffness values (one per spring), got ${options.stiffness.length}`);
  const names = graph.nodeNames;
  const inputs: ElasticInput[] = sources.map(({ a, b, axis }, i) =>
    options.inputs === 'force'
      ? { type: 'force', node: b, axis, ref: a, name: `F${i + 1}(${names[a]},${names[b]})` }
      : options.inputs === 'strain'
        ? { type: 'strain', a, b, name: `E${i + 1}(${names[a]},${names[b]})` }
        : { type: 'displacement', node: b, axis, name: `U${i + 1}(${names[b]})` },
  );
  const outputs: ElasticOutput[] = targets.map(({ a, b, axis }) =>
    options.outputs === 'distance' ? { type: 'distance', a, b } : { type: 'displacement', node: b, axis },
  );
  // the reference lengths are the initial rest lengths
  const d = topology.dimension;
  const rest = Float64Array.from({ length: m }, (_, k) => {
    let s = 0;
    for (let a = 0; a < d; a++) s += (topology.positions[graph.from[k] * d + a] - topology.positions[graph.to[k] * d + a]) ** 2;
    return Math.sqrt(s);
  });
  const bounds = springBounds(options, rest);
  return new ElasticSubstrate({
    dimension: d,
    graph,
    positions: topology.positions,
    stiffness: options.stiffness,
    parameter: options.parameter,
    bounds,
    pins: topology.pins,
    inputs,
    outputs,
    solver: options.solver,
    minimiser: options.minimiser,
    mass: options.mass,
    damping: options.damping,
  });
}
