import { MultimechError, xmlSafe, type NetworkDrawing, type Substrate, type Task } from '@multimech/core';
import { ElasticSubstrate } from './elastic-substrate';

/** A pair of nodes where an input acts or an output is read. */
export interface DrawnPair {
  readonly a: number;
  readonly b: number;
}

/**
 * A snapshot of a 2-D or 3-D spring network to draw: springs at the
 * reference positions, the equilibrium under one drive as a ghost, stiffness
 * and rest lengths, pins, source and target pairs. Every array is a copy.
 */
export interface NetworkPicture {
  readonly title: string;
  /** 2 or 3: coordinates per node. */
  readonly dimension: number;
  /** Reference positions, node-major: x0, y0, [z0,] x1, ... */
  readonly reference: Float64Array;
  /** Equilibrium positions under the drawn drive (same layout). */
  readonly equilibrium: Float64Array;
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly stiffness: Float64Array;
  readonly restLength: Float64Array;
  readonly referenceLength: Float64Array;
  /** What the colours show: stiffness, or the rest length's change relative to the reference length. */
  readonly colourBy: 'stiffness' | 'rest-length';
  readonly pins: readonly number[];
  readonly sources: readonly DrawnPair[];
  readonly targets: readonly DrawnPair[];
  /** Lines printed under the legend (the outputs against their targets, say). */
  readonly notes: readonly string[];
}

/** The value range the colours span; share one between the before and after drawings. */
export interface ColourRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Snapshot of an elastic substrate for drawing: its equilibrium under
 * `inputs` (one value per input port), springs coloured by stiffness when
 * only stiffness learns, else by rest-length change.
 */
export function networkPicture(substrate: ElasticSubstrate, inputs: ArrayLike<number>, title: string, notes: readonly string[] = []): NetworkPicture {
  if (substrate.dofPerNode !== 2 && substrate.dofPerNode !== 3) throw new MultimechError(`network drawing: only 2-D and 3-D networks are drawn, this one is ${substrate.dofPerNode}-D`);
  const sources = substrate.inputs.flatMap((p): DrawnPair[] =>
    p.type === 'strain' ? [{ a: p.a, b: p.b }] : p.type === 'force' && p.ref !== undefined ? [{ a: p.ref, b: p.node }] : [{ a: p.node, b: p.node }],
  );
  const targets = substrate.outputs.map((o): DrawnPair => (o.type === 'distance' ? { a: o.a, b: o.b } : { a: o.node, b: o.node }));
  return {
    title,
    dimension: substrate.dofPerNode,
    reference: Float64Array.from(substrate.reference),
    equilibrium: Float64Array.from(substrate.equilibrium(substrate.drive(inputs))),
    from: [...substrate.graph.from],
    to: [...substrate.graph.to],
    stiffness: Float64Array.from(substrate.stiffness),
    restLength: Float64Array.from(substrate.restLength),
    referenceLength: substrate.referenceLengths(),
    colourBy: substrate.parameterName === 'stiffness' ? 'stiffness' : 'rest-length',
    pins: [...substrate.pins],
    sources,
    targets,
    notes,
  };
}

/** The per-spring values the colours show. */
export function colourValues(p: NetworkPicture): Float64Array {
  return p.colourBy === 'stiffness' ? Float64Array.from(p.stiffness) : p.restLength.map((l, k) => l / p.referenceLength[k] - 1);
}

/** One range over several pictures (symmetric about 0 for rest-length change). */
export function sharedColourRange(pictures: readonly NetworkPicture[]): ColourRange {
  let min = Infinity;
  let max = -Infinity;
  for (const p of pictures) for (const v of colourValues(p)) [min, max] = [Math.min(min, v), Math.max(max, v)];
  if (pictures[0]?.colourBy === 'rest-length') {
    const m = Math.max(Math.abs(min), Math.abs(max), 1e-6);
    return { min: -m, max: m };
  }
  return max > min ? { min, max } : { min: min - 0.5, max: max + 0.5 };
}

const SEQUENTIAL = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
const DIVERGING = ['#2166ac', '#92c5de', '#d9d9d9', '#f4a582', '#b2182b'];
const SOURCE = '#ff7f0e';
const TARGETS = ['#e7298a', '#17becf', '#8c564b', '#bcbd22', '#7f7f7f'];

function hex(c: string): number[] {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
}

/** The colour at t ∈ [0, 1] along a list of stops. */
function colourAt(stops: readonly string[], t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const [p, q] = [hex(stops[i]), hex(stops[i + 1])];
  return `#${p.map((v, j) => Math.round(v + (q[j] - v) * (x - i)).toString(16).padStart(2, '0')).join('')}`;
}

const esc = (s: string) => xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f = (v: number) => (Math.round(v * 100) / 100).toString();

/** A view of the network in the plane of the drawing: screen coordinates and a depth per node. */
export interface Projection {
  /** Horizontal and vertical drawing coordinates of a point (vertical up). */
  project(point: ArrayLike<number>): { x: number; y: number; depth: number };
  /** What the view is, for the legend (empty for a plane network). */
  readonly description: string;
}

/** Azimuth and elevation of the 3-D view, in radians. */
const AZIMUTH = (30 * Math.PI) / 180;
const ELEVATION = (20 * Math.PI) / 180;

/**
 * The view of a picture. A 2-D network is drawn as it is (x right, y up,
 * no depth). A 3-D network is drawn with its last axis (z, along which the
 * generators put the pins at the bottom and the source pairs at the top)
 * up, seen along the horizontal axis of least extent (so the wider one
 * spans the drawing), turned 30° about the vertical and looked at from 20°
 * above, in orthographic projection; depth runs from 0 (nearest) to 1
 * (farthest) over the network.
 */
export function projectionOf(p: Pick<NetworkPicture, 'dimension' | 'reference'>): Projection {
  if (p.dimension === 2) return { project: (q) => ({ x: q[0], y: q[1], depth: 0 }), description: '' };
  const n = p.reference.length / 3;
  const extent = (a: number) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) [lo, hi] = [Math.min(lo, p.reference[3 * i + a]), Math.max(hi, p.reference[3 * i + a])];
    return hi - lo;
  };
  // across: the horizontal axis that spans the drawing; along: the one the view looks along
  const [across, along] = extent(0) >= extent(1) ? [0, 1] : [1, 0];
  const raw = (q: ArrayLike<number>) => {
    const h = q[across] * Math.cos(AZIMUTH) + q[along] * Math.sin(AZIMUTH);
    const w = -q[across] * Math.sin(AZIMUTH) + q[along] * Math.cos(AZIMUTH);
    return { x: h, y: q[2] * Math.cos(ELEVATION) + w * Math.sin(ELEVATION), depth: w * Math.cos(ELEVATION) - q[2] * Math.sin(ELEVATION) };
  };
  let near = Infinity;
  let far = -Infinity;
  for (let i = 0; i < n; i++) {
    const d = raw(p.reference.subarray(3 * i, 3 * i + 3)).depth;
    [near, far] = [Math.min(near, d), Math.max(far, d)];
  }
  const span = far - near || 1;
  const names = ['x', 'y', 'z'];
  return {
    project: (q) => {
      const r = raw(q);
      return { x: r.x, y: r.y, depth: Math.min(Math.max((r.depth - near) / span, 0), 1) };
    },
    description: `3-D, z up, seen along ${names[along]} turned 30° and from 20° above; far springs paler and thinner`,
  };
}

/** A colour mixed with white by the fraction `t`. */
function paler(colour: string, t: number): string {
  return `#${hex(colour).map((v) => Math.round(v + (255 - v) * t).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The picture as an SVG document: one `<line class="spring">` per spring at
 * the reference positions, coloured by the picture's values over `range`,
 * width ∝ stiffness; the equilibrium as a thin grey ghost (displacements
 * magnified so the largest is a third of the mean spring length); pinned
 * nodes as black squares; the source pair and each target pair ringed in
 * their own colours; a legend with the colour bar. A 3-D network is drawn
 * in the view of `projectionOf`, far to near: a spring's colour is mixed
 * with white by up to 60% and its width shrinks by up to half with its
 * depth, pins and rings shrink the same way.
 */
export function drawNetwork(p: NetworkPicture, range: ColourRange = sharedColourRange([p])): string {
  const d = p.dimension;
  const n = p.reference.length / d;
  const view = projectionOf(p);
  const at = (positions: Float64Array, i: number) => view.project(positions.subarray(d * i, d * i + d));
  const ref = Array.from({ length: n }, (_, i) => at(p.reference, i));
  const [xs, ys] = [ref.map((q) => q.x), ref.map((q) => q.y)];
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const meanLength = p.referenceLength.reduce((s, l) => s + l, 0) / Math.max(p.referenceLength.length, 1);
  const plot = 520;
  const scale = plot / Math.max(x1 - x0, y1 - y0, 1e-12);
  const margin = 40;
  const legendWidth = 230;
  const width = Math.ceil(margin * 2 + (x1 - x0) * scale + legendWidth);
  const height = Math.ceil(Math.max(margin * 2 + (y1 - y0) * scale + 30, 360));
  const X = (x: number) => margin + (x - x0) * scale;
  const Y = (y: number) => 30 + margin + (y1 - y) * scale;
  let dmax = 0;
  for (let i = 0; i < p.reference.length; i++) dmax = Math.max(dmax, Math.abs(p.equilibrium[i] - p.reference[i]));
  const magnify = dmax > 0 ? meanLength / 3 / dmax : 0;
  const magnified = p.reference.map((x, j) => x + magnify * (p.equilibrium[j] - x));
  const ghostAt = Array.from({ length: n }, (_, i) => at(magnified, i));
  const ghost = (i: number, a: number) => (a === 0 ? ghostAt[i].x : ghostAt[i].y);
  /** 1 for the nearest, ½ for the farthest (3-D). */
  const near = (depth: number) => 1 - 0.5 * depth;
  const values = colourValues(p);
  const stops = p.colourBy === 'stiffness' ? SEQUENTIAL : DIVERGING;
  const kmax = Math.max(...p.stiffness);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin}" y="24" font-size="16" font-weight="bold">${esc(p.title)}</text>`,
  ];
  p.from.forEach((a, k) => {
    const b = p.to[k];
    out.push(`<line class="ghost" x1="${f(X(ghost(a, 0)))}" y1="${f(Y(ghost(a, 1)))}" x2="${f(X(ghost(b, 0)))}" y2="${f(Y(ghost(b, 1)))}" stroke="#9a9a9a" stroke-width="0.8" stroke-dasharray="3 2"/>`);
  });
  // far to near, so that nearer springs are drawn over farther ones (in 2-D every depth is 0: the springs' order)
  const order = [...p.from.keys()].sort((k, l) => ref[p.from[l]].depth + ref[p.to[l]].depth - (ref[p.from[k]].depth + ref[p.to[k]].depth));
  for (const k of order) {
    const [a, b] = [p.from[k], p.to[k]];
    const depth = 0.5 * (ref[a].depth + ref[b].depth);
    const colour = paler(colourAt(stops, (values[k] - range.min) / (range.max - range.min)), 0.6 * depth);
    const w = (0.6 + 4.4 * (p.stiffness[k] / kmax)) * near(depth);
    out.push(
      `<line class="spring" x1="${f(X(ref[a].x))}" y1="${f(Y(ref[a].y))}" x2="${f(X(ref[b].x))}" y2="${f(Y(ref[b].y))}" stroke="${colour}" stroke-width="${f(w)}" stroke-linecap="round"/>`,
    );
  }
  for (const i of p.pins) {
    const h = 5 * near(ref[i].depth);
    out.push(`<rect class="pin" x="${f(X(ref[i].x) - h)}" y="${f(Y(ref[i].y) - h)}" width="${f(2 * h)}" height="${f(2 * h)}" fill="black"/>`);
  }
  const ring = (pair: DrawnPair, colour: string, cls: string) => {
    for (const i of new Set([pair.a, pair.b])) {
      out.push(`<circle class="${cls}" cx="${f(X(ref[i].x))}" cy="${f(Y(ref[i].y))}" r="${f(8 * near(ref[i].depth))}" fill="none" stroke="${colour}" stroke-width="3.5"/>`);
    }
  };
  p.sources.forEach((s) => ring(s, SOURCE, 'source'));
  p.targets.forEach((t, o) => ring(t, TARGETS[o % TARGETS.length], 'target'));

  // legend
  const lx = width - legendWidth + 10;
  let ly = 60;
  const label = p.colourBy === 'stiffness' ? 'stiffness k' : 'rest length ℓ/ℓ₀ − 1';
  out.push(`<text x="${lx}" y="${ly}" font-size="13">colour: ${esc(label)}</text>`);
  ly += 10;
  const bar = 160;
  for (let i = 0; i < 32; i++) {
    out.push(`<rect x="${f(lx + (i * bar) / 32)}" y="${ly}" width="${f(bar / 32 + 0.5)}" height="12" fill="${colourAt(stops, i / 31)}"/>`);
  }
  ly += 26;
  out.push(`<text x="${lx}" y="${ly}" font-size="11">${range.min.toPrecision(3)}</text>`);
  out.push(`<text x="${lx + bar}" y="${ly}" font-size="11" text-anchor="end">${range.max.toPrecision(3)}</text>`);
  ly += 20;
  out.push(`<text x="${lx}" y="${ly}" font-size="12">line width ∝ stiffness</text>`);
  ly += 24;
  const item = (mark: string, text: string) => {
    out.push(mark.replace(/\$X/g, String(lx + 8)).replace(/\$Y/g, String(ly - 4)));
    out.push(`<text x="${lx + 22}" y="${ly}" font-size="12">${esc(text)}</text>`);
    ly += 22;
  };
  item(`<rect x="${lx + 3}" y="${ly - 9}" width="10" height="10" fill="black"/>`, 'pinned node');
  item(`<circle cx="$X" cy="$Y" r="7" fill="none" stroke="${SOURCE}" stroke-width="3.5"/>`, 'source pair');
  p.targets.forEach((_, o) => item(`<circle cx="$X" cy="$Y" r="7" fill="none" stroke="${TARGETS[o % TARGETS.length]}" stroke-width="3.5"/>`, `target pair ${o + 1}`));
  item(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="#9a9a9a" stroke-width="1" stroke-dasharray="3 2"/>`, `equilibrium, ×${magnify.toPrecision(2)}`);
  ly += 6;
  if (view.description) {
    for (const line of wrap(view.description, 34)) {
      out.push(`<text class="view" x="${lx}" y="${ly}" font-size="11">${esc(line)}</text>`);
      ly += 16;
    }
  }
  for (const note of p.notes) {
    out.push(`<text x="${lx}" y="${ly}" font-size="11">${esc(note)}</text>`);
    ly += 16;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Words of a text in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    if (lines.length > 0 && lines[lines.length - 1].length + 1 + word.length <= width) lines[lines.length - 1] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * A 2-D or 3-D elastic network's picture under the first training example,
 * with its outputs against their targets, its mean coordination and (with
 * masses) its lowest resonance there; nothing for another substrate.
 */
export function trainingPicture(substrate: Substrate, task: Task, title: string): NetworkPicture | undefined {
  if (!(substrate instanceof ElasticSubstrate) || task.train.length === 0) return undefined;
  const ex = task.train[0];
  const state = substrate.equilibrium(substrate.drive(ex.inputs));
  const y = substrate.readout(state);
  const names = task.outputNames ?? substrate.boundary.outputs.map((o) => o.name);
  const nodes = substrate.graph.nodeNames.length;
  const springs = substrate.graph.from.length;
  // a diagnostic: where the lowest resonance is not found, the note is left out, not the picture
  const resonance = (): string[] => {
    if (!substrate.lowestResonance) return [];
    try {
      return [`lowest resonance ω₀ = ${substrate.lowestResonance(state).toPrecision(4)}`];
    } catch (e) {
      if (e instanceof MultimechError) return [];
      throw e;
    }
  };
  const notes = [
    `inputs: ${Array.from(ex.inputs, (v) => v.toPrecision(3)).join(', ')}`,
    ...Array.from(y, (v, o) => `${names[o]}: ${v.toPrecision(3)} (target ${ex.target[o].toPrecision(3)})`),
    `mean coordination Z = ${((2 * springs) / nodes).toFixed(3)}`,
    `(${springs} springs, ${nodes} nodes)`,
    ...resonance(),
  ];
  return networkPicture(substrate, ex.inputs, title, notes);
}

/** The elastic record's drawings: the network before and after training, on one colour scale. */
export const elasticDrawing: NetworkDrawing<NetworkPicture> = {
  snapshot: trainingPicture,
  render(pictures) {
    const range = sharedColourRange(pictures);
    return pictures.map((p) => drawNetwork(p, range));
  },
};
