import type { Severity } from '../../model/finding.js';
import { SEVERITY_COLOR, severityLabel } from '../format.js';
import { seg } from './Rows.js';
import type { Segment } from './Rows.js';

/** A fixed-width severity label, so columns line up. */
export function severitySeg(s: Severity | undefined, pad = 8): Segment {
  if (s === undefined) return seg('-'.padEnd(pad));
  return seg(severityLabel(s).padEnd(pad), { color: SEVERITY_COLOR[s], bold: s === 'critical' || s === 'high' });
}
