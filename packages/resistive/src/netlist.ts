/** The element kinds of the SPICE subset this package reads: resistors, DC current sources, DC voltage sources, diodes, capacitors, behavioural laws. */
export type NetlistElementKind = 'R' | 'I' | 'V' | 'D' | 'C' | 'B';

/**
 * One element line of a netlist with a value. `name` is kept as written
 * (`R1`, `Rload`); node names are lower case, with ground written `0` (`gnd`
 * in any case reads as `0`). `value` is ohms for `R`, amperes for `I`, volts
 * for `V`, farads for `C`.
 *
 * - `R name a b value`: a resistor between a and b.
 * - `I name a b value`: `value` amperes flow from node a through the source
 *   to node b, so the current is withdrawn from a and injected into b.
 * - `V name a b value`: V(a) − V(b) = value.
 * - `C name a b value`: a capacitor between a and b (a substrate needs one
 *   terminal at ground: a node capacitance); it carries no current at DC.
 */
export interface ValuedElement {
  readonly kind: 'R' | 'I' | 'V' | 'C';
  readonly name: string;
  readonly nodes: readonly [string, string];
  readonly value: number;
  /** Line (1-based) of the element in the text it was read from. */
  readonly line: number;
}

/**
 * `D name anode cathode model`: a diode (fixed, not trained) whose
 * parameters are those of the `.model` card named `model` (matched
 * case-insensitively; the name is kept as written).
 */
export interface DiodeElement {
  readonly kind: 'D';
  readonly name: string;
  /** [anode, cathode]: forward current flows from the anode to the cathode. */
  readonly nodes: readonly [string, string];
  readonly model: string;
  readonly line: number;
}

/**
 * `B name a b I={expression}`: a fixed two-terminal element whose current,
 * from a through the element to b, is the mathjs expression of
 * v = V(a) − V(b) (see core's `expressionLaw`); it may use the netlist's
 * `.param` values.
 */
export interface BehaviouralElement {
  readonly kind: 'B';
  readonly name: string;
  readonly nodes: readonly [string, string];
  readonly expression: string;
  readonly line: number;
}

export type NetlistElement = ValuedElement | DiodeElement | BehaviouralElement;

/** `.param NAME=value`: a named constant for behavioural laws (name case-sensitive, as mathjs reads it). */
export interface SpiceParameter {
  readonly name: string;
  readonly value: number;
  readonly line: number;
}

/** The range on which behavioural laws are checked when a netlist gives no `.options lawrange=lo,hi`: [−5, 5] V. */
export const DEFAULT_LAW_RANGE: readonly [number, number] = [-5, 5];

/**
 * A diode model, `.model NAME D(IS=… N=…)`: saturation current IS in amperes
 * (SPICE's default 1e-14) and emission coefficient N (default 1).
 */
export interface DiodeModel {
  readonly name: string;
  readonly IS: number;
  readonly N: number;
  /** Line of the `.model` card (0 for a model made in code). */
  readonly line: number;
}

/** SPICE's defaults of the diode model parameters this package reads. */
export const DIODE_DEFAULTS = { IS: 1e-14, N: 1 } as const;

/** A parsed SPICE netlist: its title line, its elements in file order and its diode models. */
export interface Netlist {
  readonly title: string;
  readonly elements: readonly NetlistElement[];
  /** `.model` cards in file order (none when absent). */
  readonly models?: readonly DiodeModel[];
  /** `.param` cards in file order (none when absent). */
  readonly parameters?: readonly SpiceParameter[];
  /** `.options lawrange=lo,hi`: where behavioural laws must be monotone (absent: DEFAULT_LAW_RANGE). */
  readonly lawRange?: readonly [number, number];
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
