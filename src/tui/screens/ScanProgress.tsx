import { Rows, seg } from '../components/Rows.js';
import type { Row } from '../components/Rows.js';

export interface ScanProgressProps {
  readonly label: string;
  readonly events: readonly string[];
  readonly tick: number;
  readonly error?: string | undefined;
  readonly width: number;
  readonly height: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function scanProgressRows({ label, events, tick, error, height }: ScanProgressProps): Row[] {
  const rows: Row[] = [];
  if (error !== undefined) {
    rows.push([seg('✘ Scan failed', { color: 'red', bold: true })]);
    rows.push(error);
    rows.push(' ');
    rows.push([seg('Press q to quit. `leash scan` prints the same error with its exit code.', { dim: true })]);
    return rows;
  }
  rows.push([seg(`${SPINNER[tick % SPINNER.length]} `, { color: 'cyan' }), seg(label, { bold: true })]);
  rows.push(' ');
  const room = Math.max(1, height - rows.length);
  const shown = events.slice(-room);
  shown.forEach((e, i) => rows.push([seg(i === shown.length - 1 ? '› ' : '✔ ', { color: i === shown.length - 1 ? 'cyan' : 'green' }), seg(e)]));
  if (events.length === 0) rows.push([seg('starting…', { dim: true })]);
  return rows;
}

export function ScanProgressScreen(props: ScanProgressProps) {
  return <Rows rows={scanProgressRows(props)} width={props.width} />;
}

export function NoReport({ canScan, reportsDir, width }: { readonly canScan: boolean; readonly reportsDir: string; readonly width: number }) {
  const rows: Row[] = [
    [seg(`No report found under ${reportsDir}/.`, { bold: true })],
    ' ',
    canScan ? [seg('Press d', { color: 'cyan', bold: true }), seg(' to scan the built-in demo account now.')] : 'This build has no scan pipeline yet.',
    'Or run `leash scan --demo` (or `leash scan --input auth-details.json`) and start leash again.',
    ' ',
    [seg('q quits.', { dim: true })],
  ];
  return <Rows rows={rows} width={width} />;
}
