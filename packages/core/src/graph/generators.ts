import { MultimechError } from '../support/errors';
import { Rng } from '../support/rng';
import { Graph, createGraph } from './graph';

/**
 * A generated network: its graph plus where the ports sit. Substrate
 * plugins turn a topology into a physical network (conductances, tubes,
 * springs); the topology itself is substrate-agnostic.
 */
export interface Topology {
  readonly graph: Graph;
  /** Nodes that receive the input drives, one per input port. */
  readonly inputNodes: readonly number[];
  /** Nodes whose values are the outputs, one per output port. */
  readonly outputNodes: readonly number[];
  /** Nodes held at zero (ground, reservoirs at the reference pressure). */
  readonly groundNodes: readonly number[];
  /** Node coordinates, when the generator has a geometry (grids). */
  readonly positions?: readonly (readonly [number, number])[];
}

export interface PortCounts {
  readonly inputs: number;
  readonly outputs: number;
}

function checkPorts(available: number, ports: PortCounts, what: string): void {
  if (ports.inputs + ports.outputs + 1 > available) {
    throw new MultimechError(
      `${what} has ${available} nodes, too few for ${ports.inputs} inputs, ${ports.outputs} outputs and a ground node`,
    );
  }
}

/** Evenly spread `count` picks over `0..n-1`. */
function spread(n: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.floor(((i + 0.5) * n) / count));
  return out;
}

/**
 * A `width` x `height` square grid with nearest-neighbour edges. Inputs sit
 * on the left column, outputs on the right column, spread evenly; ground is
 * the middle of the bottom row.
 */
export function gridTopology(width: number, height: number, ports: PortCounts): Topology {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 2 && height >= 1)) {
    throw new MultimechError(`grid: expected integer width >= 2 and height >= 1, got ${width} x ${height}`);
  }
  if (ports.inputs > height || ports.outputs > height) {
    throw new MultimechError(`grid: ${height} rows cannot hold ${ports.inputs} inputs and ${ports.outputs} outputs on the side columns`);
  }
  checkPorts(width * height, ports, 'grid');
  const id = (x: number, y: number) => y * width + x;
  const names: string[] = [];
  const positions: [number, number][] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      names.push(`n${x}_${y}`);
      positions.push([x, y]);
    }
  }
  const edges: { name: string; from: number; to: number }[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x + 1 < width) edges.push({ name: `e${edges.length}`, from: id(x, y), to: id(x + 1, y) });
      if (y + 1 < height) edges.push({ name: `e${edges.length}`, from: id(x, y), to: id(x, y + 1) });
    }
  }
  const inputNodes = spread(height, ports.inputs).map((y) => id(0, y));
  const outputNodes = spread(height, ports.outputs).map((y) => id(width - 1, y));
  let ground = id(Math.floor(width / 2), 0);
  if (inputNodes.includes(ground) || outputNodes.includes(ground)) ground = id(Math.floor(width / 2), height - 1);
  return { graph: createGraph(names, edges), inputNodes, outputNodes, groundNodes: [ground], positions };
}

/**
 * A connected random graph on `nodes` nodes with mean degree `meanDegree`:
 * a random spanning tree plus uniformly random extra edges (no duplicates, no
 * self-loops). Ports and ground are distinct random nodes.
 */
export function randomTopology(nodes: number, meanDegree: number, ports: PortCounts, rng: Rng): Topology {
  if (!(Number.isInteger(nodes) && nodes >= 2)) throw new MultimechError(`random: expected an integer node count >= 2, got ${nodes}`);
  const maxEdges = (nodes * (nodes - 1)) / 2;
  const target = Math.round((nodes * meanDegree) / 2);
  if (!(meanDegree >= 2 * (1 - 1 / nodes) - 1e-12) || target > maxEdges) {
    throw new MultimechError(
      `random: mean degree ${meanDegree} is impossible for ${nodes} nodes (need between ${(2 * (nodes - 1)) / nodes} and ${nodes - 1})`,
    );
  }
  checkPorts(nodes, ports, 'random graph');
  const order = rng.shuffle([...Array(nodes).keys()]);
  const key = (a: number, b: number) => (a < b ? a * nodes + b : b * nodes + a);
  const present = new Set<number>();
  const edges: { name: string; from: number; to: number }[] = [];
  const add = (a: number, b: number) => {
    present.add(key(a, b));
    edges.push({ name: `e${edges.length}`, from: a, to: b });
  };
  for (let i = 1; i < nodes; i++) add(order[i], order[rng.int(i)]);
  while (edges.length < target) {
    const a = rng.int(nodes);
    const b = rng.int(nodes);
    if (a !== b && !present.has(key(a, b))) add(a, b);
  }
  const picks = rng.shuffle([...Array(nodes).keys()]);
  const inputNodes = picks.slice(0, ports.inputs);
  const outputNodes = picks.slice(ports.inputs, ports.inputs + ports.outputs);
  const groundNodes = [picks[ports.inputs + ports.outputs]];
  const names = [...Array(nodes).keys()].map((i) => `n${i}`);
  return { graph: createGraph(names, edges), inputNodes, outputNodes, groundNodes };
}

/**
 * A layered network: input nodes, then each hidden layer, then output
 * nodes, every node of a layer joined to every node of the next. A ground
 * node joins every node of the last hidden layer (or every output when there
 * is no hidden layer), so the network is grounded whatever drives the inputs.
 */
export function layeredTopology(hidden: readonly number[], ports: PortCounts): Topology {
  for (const h of hidden) {
    if (!(Number.isInteger(h) && h >= 1)) throw new MultimechError(`layered: hidden layer sizes must be positive integers, got ${h}`);
  }
  if (ports.inputs < 1 || ports.outputs < 1) throw new MultimechError('layered: needs at least one input and one output');
  const names: string[] = [];
  const layers: number[][] = [];
  const addLayer = (prefix: string, size: number) => {
    const layer: number[] = [];
    for (let i = 0; i < size; i++) {
      layer.push(names.length);
      names.push(`${prefix}${i}`);
    }
    layers.push(layer);
  };
  addLayer('in', ports.inputs);
  hidden.forEach((h, l) => addLayer(hidden.length > 1 ? `h${l}_` : 'h', h));
  addLayer('out', ports.outputs);
  const ground = names.length;
  names.push('gnd');
  const edges: { name: string; from: number; to: number }[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    for (const a of layers[l]) for (const b of layers[l + 1]) edges.push({ name: `${names[a]}-${names[b]}`, from: a, to: b });
  }
  const grounded = layers[layers.length - (hidden.length > 0 ? 2 : 1)];
  for (const a of grounded) edges.push({ name: `${names[a]}-gnd`, from: a, to: ground });
  return {
    graph: createGraph(names, edges),
    inputNodes: layers[0],
    outputNodes: layers[layers.length - 1],
    groundNodes: [ground],
  };
}
