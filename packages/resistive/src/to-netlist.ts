import { MultimechError, Substrate } from '@multimech/core';
import { DiodeModel, GROUND, Netlist, NetlistElement, NetlistElementKind } from './netlist';
import { ResistiveSubstrate } from './resistive-substrate';

/**
 * Exports a resistive substrate (its current, e.g. trained, conductances) as
 * a netlist: a resistor R = 1/g per edge, a current source per flow port
 * (`I name ref node value`: the current leaves `ref`, enters `node`) and a
 * voltage source per potential port (`V name node 0 value`). Dirichlet nodes
 * that no port drives are written as ground. `inputValues` defaults to the
 * substrate's own `defaultInputs`, else zeros. Element names keep the
 * substrate's edge and port names, prefixed by their letter when they do not
 * start with it. Diodes are written with their models (one `.model` card
 * per model name); capacitors as `C name node 0 value`.
 */
export function toNetlist(substrate: Substrate, inputValues?: ArrayLike<number>, title = 'multimech resistive network'): Netlist {
  if (substrate.kind !== 'resistive' || substrate.dofPerNode !== 1) {
    throw new MultimechError(`toNetlist: expected a resistive substrate, got '${substrate.kind}'`);
  }
  const { graph, boundary } = substrate;
  const ports = boundary.inputs;
  const values = inputValues ?? substrate.defaultInputs ?? new Float64Array(ports.length);
  if (values.length !== ports.length) {
    throw new MultimechError(`toNetlist: expected ${ports.length} input values (${ports.map((p) => p.name).join(', ')}), got ${values.length}`);
  }
  const driven = new Set(ports.flatMap((p) => (p.type === 'potential' ? [p.node] : [])));
  const grounded = new Set([...boundary.dirichlet].filter((n) => !driven.has(n)));
  const nodeName = (i: number) => (grounded.has(i) ? GROUND : graph.nodeNames[i]);
  const used = new Set<string>();
  const elementName = (kind: NetlistElementKind, name: string) => {
    let base = name.length > 0 && name[0].toUpperCase() === kind ? name : `${kind}${name}`;
    base = base.replace(/[\s;]+/g, '_');
    let out = base;
    for (let k = 2; used.has(out.toLowerCase()); k++) out = `${base}_${k}`;
    used.add(out.toLowerCase());
    return out;
  };
  const elements: NetlistElement[] = [];
  const add = (kind: 'R' | 'I' | 'V' | 'C', name: string, a: string, b: string, value: number) =>
    elements.push({ kind, name: elementName(kind, name), nodes: [a, b], value, line: elements.length + 2 });
  const g = substrate.parameters;
  for (let k = 0; k < g.length; k++) add('R', graph.edgeNames[k], nodeName(graph.from[k]), nodeName(graph.to[k]), 1 / g[k]);
  ports.forEach((p, i) => {
    if (p.type === 'flow') add('I', p.name, p.ref === undefined ? GROUND : nodeName(p.ref), nodeName(p.node), values[i]);
    else add('V', p.name, nodeName(p.node), GROUND, values[i]);
  });
  if (substrate instanceof ResistiveSubstrate) {
    if (substrate.laws.length > 0) {
      throw new MultimechError(`toNetlist: behavioural elements (${substrate.laws.map((l) => l.name).join(', ')}) cannot be written back (their expressions are not kept); write the parsed netlist instead`);
    }
    for (const c of substrate.capacitors) add('C', c.name, nodeName(c.node), GROUND, c.capacitance);
  }
  const diodes = substrate instanceof ResistiveSubstrate ? substrate.diodes : [];
  const models = new Map<string, DiodeModel>();
  for (const d of diodes) {
    const key = d.model.name.toLowerCase();
    const known = models.get(key);
    if (known && (known.IS !== d.model.IS || known.N !== d.model.N)) {
      throw new MultimechError(`toNetlist: two different diode models are both named '${d.model.name}'`);
    }
    models.set(key, d.model);
    elements.push({ kind: 'D', name: elementName('D', d.name), nodes: [nodeName(d.anode), nodeName(d.cathode)], model: d.model.name, line: elements.length + 2 });
  }
  return models.size > 0 ? { title, elements, models: [...models.values()] } : { title, elements };
}
