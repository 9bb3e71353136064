import { describe, expect, it } from 'vitest';
import { coverageFor, filterBounds, missingDays, reportedWindow } from '../../../src/collect/cloudtrail/coverage.js';
import { InputError } from '../../../src/model/errors.js';

describe('filterBounds', () => {
  const now = Date.parse('2024-05-10T12:00:00Z');
  it('is open without windowDays or end (the records decide the window)', () => {
    expect(filterBounds({}, now)).toEqual({});
  });
  it('ends now and reaches back windowDays when only windowDays is given', () => {
    expect(filterBounds({ windowDays: 2 }, now)).toEqual({ start: '2024-05-08T12:00:00Z', end: '2024-05-10T12:00:00Z' });
  });
  it('normalises a date-only end to CloudTrail time format', () => {
    expect(filterBounds({ end: '2024-05-02' }, now)).toEqual({ end: '2024-05-02T00:00:00Z' });
  });
  it('rejects a bad end or windowDays with an InputError naming the option', () => {
    expect(() => filterBounds({ end: 'yesterday' }, now)).toThrow(InputError);
    expect(() => filterBounds({ end: 'yesterday' }, now)).toThrow(/at end: expected an ISO 8601 date/);
    expect(() => filterBounds({ windowDays: 0 }, now)).toThrow(/at windowDays: expected a positive number of days, got 0/);
    expect(() => filterBounds({ windowDays: Number.NaN }, now)).toThrow(InputError);
  });
  it('measures back from an explicit end, fractional days allowed', () => {
    expect(filterBounds({ windowDays: 0.5, end: '2024-05-01T12:00:00Z' }, now)).toEqual({ start: '2024-05-01T00:00:00Z', end: '2024-05-01T12:00:00Z' });
  });
});

describe('reportedWindow', () => {
  it('closes open sides with the records seen', () => {
    expect(reportedWindow({}, '2024-05-01T00:00:00Z', '2024-05-03T00:00:00Z')).toEqual({ start: '2024-05-01T00:00:00Z', end: '2024-05-03T00:00:00Z' });
    expect(reportedWindow({ start: 'S', end: 'E' }, 'a', 'b')).toEqual({ start: 'S', end: 'E' });
  });
});

describe('coverage rule: every whole UTC day of the window has a record', () => {
  const window = { start: '2024-05-01T12:00:00Z', end: '2024-05-04T01:00:00Z' };
  it("is 'all' when each day from the first to the last has records", () => {
    expect(coverageFor(window, new Set(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']))).toBe('all');
  });
  it('covers nobody when one day is missing, and names the day', () => {
    const seen = new Set(['2024-05-01', '2024-05-03', '2024-05-04']);
    expect(coverageFor(window, seen)).toEqual([]);
    expect(missingDays(window, seen)).toEqual(['2024-05-02']);
  });
  it('covers nobody without any record', () => {
    expect(coverageFor(window, new Set())).toEqual([]);
  });
  it('does not require the partial first and last days (logs arrive late; a window may start mid-day)', () => {
    expect(missingDays(window, new Set(['2024-05-02', '2024-05-03']))).toEqual([]);
    expect(coverageFor(window, new Set(['2024-05-02', '2024-05-03']))).toBe('all');
  });
  it('requires the edge days when the window covers them whole', () => {
    const whole = { start: '2024-05-01T00:00:00Z', end: '2024-05-03T23:59:59Z' };
    expect(missingDays(whole, new Set(['2024-05-02']))).toEqual(['2024-05-01', '2024-05-03']);
  });
});
