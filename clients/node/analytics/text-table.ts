// Plain aligned text tables for terminal output: one header row, columns padded to their widest
// cell, long cells cut with an ellipsis, numbers right-aligned. No colours, no box drawing, so the
// output reads the same in a terminal, a log file or a CI job.
export interface Column<Row> {
  header: string;
  cell: (row: Row) => string;
  align?: 'left' | 'right';
  /** Cells longer than this are cut (with "…"); default: no limit. */
  maxWidth?: number;
}

const GAP = '  ';

export function renderTable<Row>(rows: Row[], columns: Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => fit(oneLine(column.cell(row)), column.maxWidth)));
  const widths = columns.map((column, i) => Math.max(width(column.header), ...cells.map((line) => width(line[i]!))));
  const render = (line: string[]): string =>
    line
      .map((text, i) => (columns[i]!.align === 'right' ? pad(text, widths[i]!, 'left') : i === line.length - 1 ? text : pad(text, widths[i]!, 'right')))
      .join(GAP)
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)].join('\n');
}

/** Key/value lines ("trace  0af7…"), keys padded to the longest. */
export function renderFields(fields: Array<[string, string]>): string {
  const keyWidth = Math.max(0, ...fields.map(([key]) => width(key)));
  return fields.map(([key, text]) => `${pad(key, keyWidth, 'right')}${GAP}${text}`).join('\n');
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function fit(text: string, maxWidth: number | undefined): string {
  const chars = [...text];
  if (maxWidth === undefined || chars.length <= maxWidth) return text;
  return `${chars.slice(0, Math.max(0, maxWidth - 1)).join('')}…`;
}

function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number, side: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return side === 'left' ? fill + text : text + fill;
}
