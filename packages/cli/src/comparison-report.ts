import { ComparisonSummary, SeedStat, diagnosticKeys } from './comparison-summary';

const plusMinus = (s: SeedStat | undefined, format: (x: number) => string): string =>
  s === undefined ? '-' : `${format(s.mean)} ± ${s.std === 0 ? '0' : format(s.std)}`;
const fixed4 = (x: number) => x.toFixed(4);
const precise = (x: number) => (x === 0 ? '0' : x.toPrecision(4));

/** The header and the formatted cells of the comparison table, shared by the printed table and comparison.md. */
export function comparisonCells(rows: readonly ComparisonSummary[], classification: boolean): { header: string[]; cells: string[][] } {
  const header = [
    'mechanism',
    'runs',
    ...(classification ? ['test accuracy', 'train accuracy'] : ['relative error']),
    'final loss',
    's/epoch',
    'fidelity cosine',
    'fidelity rel. error',
  ];
  const cells = rows.map((r) => [
    r.mechanism,
    String(r.runs),
    ...(classification ? [plusMinus(r.testAccuracy, fixed4), r.trainAccuracy ? fixed4(r.trainAccuracy.mean) : '-'] : [plusMinus(r.relativeError, precise)]),
    plusMinus(r.finalLoss, precise),
    plusMinus(r.secondsPerEpoch, (x) => x.toPrecision(2)),
    r.fidelity ? fixed4(r.fidelity.cosine) : '-',
    r.fidelity ? precise(r.fidelity.relativeError) : '-',
  ]);
  return { header, cells };
}

/** The table as aligned plain text (what `compare` prints at the end). */
export function comparisonTable(rows: readonly ComparisonSummary[], classification: boolean): string {
  const { header, cells } = comparisonCells(rows, classification);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: readonly string[]) => row.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

const mdCell = (x: string) => x.replace(/\|/g, '\\|');

/** The table in Markdown. */
export function comparisonMarkdownTable(rows: readonly ComparisonSummary[], classification: boolean): string {
  const { header, cells } = comparisonCells(rows, classification);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...cells.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

/** What comparison.md says about the comparison besides its table. */
export interface ComparisonReportInfo {
  readonly name: string;
  readonly description?: string;
  readonly substrate: string;
  readonly task: string;
  readonly parameters: number;
  readonly seeds: readonly number[];
  readonly epochs: number;
  readonly workers: number;
  readonly fidelityExamples: number;
  /** Per mechanism, in the table's order: `activation / error / rule` kinds. */
  readonly kinds: readonly { readonly activation: string; readonly error: string; readonly rule: string }[];
  /** Plots as [file stem, caption]; each has an .svg and a .png. */
  readonly plots: readonly (readonly [string, string])[];
  readonly files: readonly string[];
}

const diagnosticCell = (x: number | undefined) => (x === undefined ? '-' : x === 0 ? '0' : String(Number(x.toPrecision(4))));

/**
 * comparison.md's Diagnostics section: the worst value over the seeds and
 * epochs of each diagnostic a mechanism reports (a row per mechanism that
 * reports any), then the warnings they raise, or that there are none. No
 * lines when no mechanism reports a diagnostic.
 */
export function diagnosticsMarkdown(rows: readonly ComparisonSummary[]): string[] {
  const keys = diagnosticKeys(rows);
  if (keys.length === 0) return [];
  const reporting = rows.filter((r) => Object.keys(r.diagnostics).length > 0);
  const warnings = rows.flatMap((r) => r.warnings);
  return [
    '## Diagnostics',
    '',
    'What each error mechanism reported, its worst value over every seed and epoch (the smallest for a name ending in `Min`, else the largest; `diag_…` in comparison.csv, per epoch in runs.csv).',
    '',
    `| mechanism | ${keys.join(' | ')} |`,
    `| --- |${keys.map(() => ' ---: ').join('|')}|`,
    ...reporting.map((r) => `| ${mdCell(r.mechanism)} | ${keys.map((k) => diagnosticCell(r.diagnostics[k])).join(' | ')} |`),
    '',
    ...(warnings.length > 0 ? warnings.map((w) => `- **Warning:** ${mdCell(w.replace(/^warning: /, ''))}`) : ['No diagnostic is beyond its warning threshold.']),
    '',
  ];
}

/** comparison.md: what was compared, the table, the mechanisms' kinds, the diagnostics and their warnings, the plots. */
export function comparisonMarkdown(rows: readonly ComparisonSummary[], classification: boolean, info: ComparisonReportInfo): string {
  return [
    `# ${info.name}`,
    '',
    ...(info.description ? [info.description, ''] : []),
    `- substrate: ${info.substrate} (${info.parameters} trainable parameters); task: ${info.task}`,
    `- seeds: ${info.seeds.join(', ')}; ${info.epochs} epochs per run; ${rows.length * info.seeds.length} runs in ${info.workers === 1 ? 'one thread' : `${info.workers} worker threads`}` +
      ' (seconds per epoch are measured while the runs share the machine)',
    `- figures: mean ± standard deviation over the seeds (n − 1; 0 for one seed), after the last epoch; the loss is the training loss`,
    `- fidelity: at the initial parameters of seed ${info.seeds[0]}, mean over ${info.fidelityExamples} training examples of the cosine and of ‖estimate − exact‖/‖exact‖ against the exact (adjoint) gradient`,
    '',
    comparisonMarkdownTable(rows, classification),
    '',
    '| mechanism | activation | error | rule |',
    '| --- | --- | --- | --- |',
    ...rows.map((r, i) => `| ${mdCell(r.mechanism)} | ${info.kinds[i].activation} | ${info.kinds[i].error} | ${info.kinds[i].rule} |`),
    '',
    ...diagnosticsMarkdown(rows),
    ...info.plots.flatMap(([stem, caption]) => [`![${caption}](${stem}.svg)`, '']),
    `Files: ${info.files.map((f) => `[${f}](${f})`).join(', ')}.`,
    '',
  ].join('\n');
}
