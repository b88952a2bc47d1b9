/** The element kinds of the SPICE subset this package reads: resistors, DC current sources, DC voltage sources. */
export type NetlistElementKind = 'R' | 'I' | 'V';

/**
 * One element line of a netlist. `name` is kept as written (`R1`, `Rload`);
 * node names are lower case, with ground written `0` (`gnd` in any case reads
 * as `0`). `value` is ohms for `R`, amperes for `I`, volts for `V`.
 *
 * - `R name a b value`: a resistor between a and b.
 * - `I name a b value`: `value` amperes flow from node a through the source
 *   to node b, so the current is withdrawn from a and injected into b.
 * - `V name a b value`: V(a) − V(b) = value.
 */
export interface NetlistElement {
  readonly kind: NetlistElementKind;
  readonly name: string;
  readonly nodes: readonly [string, string];
  readonly value: number;
  /** Line (1-based) of the element in the text it was read from. */
  readonly line: number;
}

/** A parsed SPICE netlist: its title line and its elements in file order. */
export interface Netlist {
  readonly title: string;
  readonly elements: readonly NetlistElement[];
}

/** The name of the ground node in a parsed netlist. */
export const GROUND = '0';

/** Whether a node name (as written in a file) is ground: `0` or `gnd`, any case. */
export function isGroundName(name: string): boolean {
  const n = name.toLowerCase();
  return n === '0' || n === 'gnd';
}

/** A node name as a netlist stores it: lower case, ground as `0`. */
export function normalizeNode(name: string): string {
  return isGroundName(name) ? GROUND : name.toLowerCase();
}
