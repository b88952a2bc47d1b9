import type { Graph } from '../graph/graph';
import type { Substrate } from './substrate';

/**
 * What a substrate with the `transport` capability exposes so that a
 * chemical can travel through it (PHYSICS.md §4): its tubes, where the
 * chemical is held at its baseline (wherever the flow problem holds the
 * pressure), each tube's hydraulic conductance and cross-section, and the
 * flow along each tube in a state.
 */
export interface TransportNetwork {
  readonly graph: Graph;
  /** Nodes where the flow problem holds the pressure; the chemical is held at its baseline c₀ there. */
  readonly fixedNodes: Int32Array;
  /** Hydraulic conductance k of each tube at the current parameters. */
  hydraulicConductance(): Float64Array;
  /** Cross-section area π r² of each tube at the current parameters. */
  area(): Float64Array;
  /** Length of each tube. */
  length(): Float64Array;
  /** Volume flow Q_k = k_k (p_from − p_to) along each tube in a pressure state. */
  flows(state: Float64Array): Float64Array;
}

/** A substrate that carries a chemical species. */
export interface TransportSubstrate extends Substrate {
  readonly transport: TransportNetwork;
}

/** The substrate's transport network, when it has the `transport` capability. */
export function transportOf(substrate: Substrate): TransportNetwork | undefined {
  return substrate.capabilities.has('transport') ? (substrate as TransportSubstrate).transport : undefined;
}
