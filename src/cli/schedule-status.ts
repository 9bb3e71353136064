// `leash report` (and anything else that shows old results) says so when the schedule that
// should refresh them is failing: a stale report read as current is how nobody gets told.
import { markerPath, markerWarning, readFailureMarker } from '../schedule/failure-marker.js';

export function warnIfScheduleFailing(reportsRoot: string, err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): boolean {
  const marker = readFailureMarker(reportsRoot);
  if (!marker) return false;
  err(markerWarning(marker, markerPath(reportsRoot)));
  return true;
}
