import type { Netlist } from './netlist';

/**
 * Writes a netlist in the subset `parseSpice` reads: the title, one line per
 * element (sources with `DC`, diodes with their model name, capacitors in farads), one
 * `.model NAME D(IS=… N=…)` card per model, behavioural elements as
 * `Bname a b I={expression}`, one `.param NAME=value` card per parameter,
 * `.options lawrange=lo,hi` when the netlist has a law range, `.end`. Values are printed as the shortest
 * decimal that reads back as the same double, so `parseSpice(writeSpice(n))`
 * has n's title and elements (each element's `line` becomes its line in the
 * written text).
 */
export function writeSpice(netlist: Netlist): string {
  // one line of plain text, as parseSpice reads a title back: line ends as spaces, other control characters (and a byte-order mark) as '?'
  const out = [netlist.title.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/g, '?')];
  for (const e of netlist.elements) {
    if (e.kind === 'D') out.push(`${e.name} ${e.nodes[0]} ${e.nodes[1]} ${e.model}`);
    else if (e.kind === 'B') out.push(`${e.name} ${e.nodes[0]} ${e.nodes[1]} I={${e.expression}}`);
    else out.push(`${e.name} ${e.nodes[0]} ${e.nodes[1]} ${e.kind === 'I' || e.kind === 'V' ? 'DC ' : ''}${String(e.value)}`);
  }
  for (const m of netlist.models ?? []) out.push(`.model ${m.name} D(IS=${String(m.IS)} N=${String(m.N)})`);
  for (const p of netlist.parameters ?? []) out.push(`.param ${p.name}=${String(p.value)}`);
  if (netlist.lawRange) out.push(`.options lawrange=${String(netlist.lawRange[0])},${String(netlist.lawRange[1])}`);
  out.push('.end', '');
  return out.join('\n');
}
