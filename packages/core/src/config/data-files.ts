/**
 * Files a config names besides a netlist or a network file (a data table,
 * an edge list, a sequence of example indices) are read as those are:
 * `readConfigFile` (config-files.ts: inside the config's folder unless the
 * run trusts the config, at most `limits.fileBytes`), JSON through
 * `parseJsonFile` (json-syntax-error.ts: line and column of a syntax error,
 * a key given twice refused).
 */

/** Whether a file name says JSON (`.json`), CSV otherwise. */
export function isJsonFileName(file: string): boolean {
  return /\.json$/i.test(file);
}
