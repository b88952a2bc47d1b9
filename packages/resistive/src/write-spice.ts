import type { Netlist } from './netlist';

/**
 * Writes a netlist in the subset `parseSpice` reads: the title, one line per
 * element (sources with `DC`), `.end`. Values are printed as the shortest
 * decimal that reads back as the same double, so `parseSpice(writeSpice(n))`
 * has n's title and elements (each element's `line` becomes its line in the
 * written text).
 */
export function writeSpice(netlist: Netlist): string {
  const out = [netlist.title.replace(/[\r\n]+/g, ' ')];
  for (const e of netlist.elements) {
    const value = String(e.value);
    out.push(`${e.name} ${e.nodes[0]} ${e.nodes[1]} ${e.kind === 'R' ? '' : 'DC '}${value}`);
  }
  out.push('.end', '');
  return out.join('\n');
}
