import { ExpressionLaw, InputFileError, MultimechError, expressionLaw } from '@multimech/core';
import { BehaviouralElement, DEFAULT_LAW_RANGE, Netlist } from './netlist';

/**
 * The law of a behavioural element `B name a b I={expression}`: core's
 * `expressionLaw` with the netlist's `.param` values and its law range
 * (`.options lawrange=lo,hi`, default DEFAULT_LAW_RANGE). A law that does not
 * parse, names an unknown symbol, or is not finite, monotone and rising on
 * the range throws an InputFileError at the element's line; one used
 * outside the range later (a Newton iterate, a Hessian) is refused with
 * `file:line`, the element, the drop and what to do (widen
 * `.options lawrange`, or that the law is not monotone there).
 */
export function netlistLaw(netlist: Netlist, element: BehaviouralElement, file: string): ExpressionLaw {
  const parameters: Record<string, number> = {};
  for (const p of netlist.parameters ?? []) parameters[p.name] = p.value;
  try {
    return expressionLaw(element.expression, {
      parameters,
      range: netlist.lawRange ?? DEFAULT_LAW_RANGE,
      name: element.name,
      source: `${file}:${element.line}`,
      rangeSetting: '.options lawrange',
    });
  } catch (e) {
    if (e instanceof MultimechError) throw new InputFileError(file, element.line, e.message);
    throw e;
  }
}
