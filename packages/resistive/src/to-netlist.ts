import { MultimechError, Substrate, isExpressionLaw } from '@multimech/core';
import { DiodeModel, GROUND, Netlist, NetlistElement, NetlistElementKind, SpiceParameter } from './netlist';
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
 * per model name); capacitors as `C name node 0 value`; behavioural elements
 * as `B name a b I={expression}`, with the `.param` values their
 * expressions use and their shared law range (`.options lawrange`), so
 * that reading the written netlist back gives the same laws.
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
  const laws = substrate instanceof ResistiveSubstrate ? behavioural(substrate, elements.length + models.size + 2) : undefined;
  if (laws) {
    for (const l of laws.elements) {
      elements.push({ kind: 'B', name: elementName('B', l.name), nodes: [nodeName(l.from), nodeName(l.to)], expression: l.expression, line: elements.length + 2 });
    }
  }
  return {
    title,
    elements,
    ...(models.size > 0 ? { models: [...models.values()] } : {}),
    ...(laws && laws.parameters.length > 0 ? { parameters: laws.parameters } : {}),
    ...(laws ? { lawRange: laws.range } : {}),
  };
}

/** A parameter name that a `.param` card can carry. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The behavioural elements of a substrate as B cards: each law's expression,
 * the `.param` values the expressions use (one card each, after the
 * elements and models, from line `firstParamLine`) and the one law range
 * they share. Undefined when there are none. Refused: a law not made from
 * an expression, two laws that give one parameter different values, laws
 * checked on different ranges (a netlist has one `.options lawrange`).
 */
function behavioural(
  substrate: ResistiveSubstrate,
  firstParamLine: number,
): { elements: { name: string; from: number; to: number; expression: string }[]; parameters: SpiceParameter[]; range: readonly [number, number] } | undefined {
  if (substrate.laws.length === 0) return undefined;
  const values = new Map<string, { value: number; by: string }>();
  let range: { range: readonly [number, number]; by: string } | undefined;
  const elements = substrate.laws.map((l) => {
    const law = l.law;
    if (!isExpressionLaw(law)) {
      throw new MultimechError(`toNetlist: the law of '${l.name}' was not made from an expression (core's expressionLaw), so it cannot be written as a B card`);
    }
    for (const [name, value] of Object.entries(law.parameters)) {
      if (!PARAM_NAME.test(name)) throw new MultimechError(`toNetlist: parameter '${name}' of '${l.name}' cannot be written as a .param card (expected a name of letters, digits and _)`);
      const known = values.get(name);
      if (known && known.value !== value) {
        throw new MultimechError(`toNetlist: '${known.by}' and '${l.name}' give parameter '${name}' different values (${known.value} and ${value}); a netlist's .param values are shared by every law`);
      }
      if (!known) values.set(name, { value, by: l.name });
    }
    if (range && (range.range[0] !== law.range[0] || range.range[1] !== law.range[1])) {
      throw new MultimechError(
        `toNetlist: '${range.by}' and '${l.name}' were checked on different ranges ([${range.range.join(', ')}] and [${law.range.join(', ')}]); a netlist has one .options lawrange`,
      );
    }
    range ??= { range: law.range, by: l.name };
    return { name: l.name, from: l.from, to: l.to, expression: law.expression };
  });
  const parameters = [...values].map(([name, { value }], i) => ({ name, value, line: firstParamLine + elements.length + i }));
  return { elements, parameters, range: range!.range };
}
