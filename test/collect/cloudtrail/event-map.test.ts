import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import eventMap from '../../../src/data/cloudtrail-event-map.json' with { type: 'json' };
import { EventMapper, mapEventUncached, servicePrefix, stripVersionSuffix } from '../../../src/collect/cloudtrail/event-map.js';
import { catalog } from '../../../src/iam/catalog.js';

describe('cloudtrail-event-map.json', () => {
  const cat = catalog();

  it('gives a reason for every entry', () => {
    for (const e of [...eventMap.eventSources, ...eventMap.renames, ...eventMap.verbRules, ...eventMap.noAction]) {
      expect(e.why.length, JSON.stringify(e)).toBeGreaterThan(5);
    }
    expect(eventMap.source.length).toBeGreaterThan(20);
  });

  it('maps eventSources only to service prefixes the catalog knows', () => {
    for (const e of eventMap.eventSources) expect(cat.byService.has(e.prefix), e.eventSource).toBe(true);
  });

  it('names only catalog actions in renames and verb rules', () => {
    for (const r of eventMap.renames) for (const a of r.actions) expect(cat.lookup(a)?.key, `${r.eventName} → ${a}`).toBe(a);
    for (const v of eventMap.verbRules) expect(cat.lookup(v.action)?.key).toBe(v.action);
  });

  it('renames only names that are not already catalog actions (a rename must not shadow a real action)', () => {
    for (const r of eventMap.renames) {
      const prefix = servicePrefix(r.eventSource)!;
      expect(cat.lookup(`${prefix}:${r.eventName}`), `${prefix}:${r.eventName}`).toBeUndefined();
    }
  });

  it('lists each eventSource and each rename once', () => {
    const sources = eventMap.eventSources.map((e) => e.eventSource);
    expect(new Set(sources).size).toBe(sources.length);
    const renames = eventMap.renames.map((r) => `${r.eventSource} ${r.eventName}`);
    expect(new Set(renames).size).toBe(renames.length);
  });
});

describe('mapEvent', () => {
  const cases: { name: string; eventSource: string; eventName: string; actions?: string[]; reason?: RegExp }[] = [
    { name: 'same name as the action', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', actions: ['iam:CreateAccessKey'] },
    { name: 'Lambda API-version suffix', eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionCode20150331v2', actions: ['lambda:UpdateFunctionCode'] },
    { name: 'Lambda suffix without v', eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunction20150331', actions: ['lambda:CreateFunction'] },
    { name: 'CloudFront dated suffix', eventSource: 'cloudfront.amazonaws.com', eventName: 'UpdateDistribution2020_05_31', actions: ['cloudfront:UpdateDistribution'] },
    { name: 'S3 ListBuckets rename', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', actions: ['s3:ListAllMyBuckets'] },
    { name: 'S3 CopyObject needs put and get', eventSource: 's3.amazonaws.com', eventName: 'CopyObject', actions: ['s3:PutObject', 's3:GetObject'] },
    { name: 'eventSource exception (monitoring → cloudwatch)', eventSource: 'monitoring.amazonaws.com', eventName: 'DescribeAlarms', actions: ['cloudwatch:DescribeAlarms'] },
    { name: 'eventSource exception (appregistry → servicecatalog)', eventSource: 'servicecatalog-appregistry.amazonaws.com', eventName: 'ListApplications', actions: ['servicecatalog:ListApplications'] },
    { name: 'case is normalised to the catalog spelling', eventSource: 's3.amazonaws.com', eventName: 'getobject', actions: ['s3:GetObject'] },
    { name: 'API Gateway verb rule', eventSource: 'apigateway.amazonaws.com', eventName: 'GetResource', actions: ['apigateway:GET'] },
    { name: 'console sign-in is not an IAM action', eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', reason: /sign-in/ },
    { name: 'unknown action', eventSource: 's3.amazonaws.com', eventName: 'GetStorageLensDashboardDataInternal', reason: /no IAM action s3:GetStorageLensDashboardDataInternal/ },
    { name: 'not an AWS endpoint', eventSource: 'example.com', eventName: 'Anything', reason: /not an AWS service endpoint/ },
    { name: 'unknown service', eventSource: 'nosuchservice.amazonaws.com', eventName: 'DoIt', reason: /"nosuchservice" is not in the IAM catalog/ },
  ];
  it.each(cases)('$name: $eventSource $eventName', ({ eventSource, eventName, actions, reason }) => {
    const m = mapEventUncached(eventSource, eventName);
    if (actions) expect(m).toEqual({ ok: true, actions });
    else {
      expect(m.ok).toBe(false);
      if (!m.ok) expect(m.reason).toMatch(reason!);
    }
  });

  it('caches per (eventSource, eventName) and agrees with the uncached mapper', () => {
    const mapper = new EventMapper();
    for (const c of cases) {
      expect(mapper.map(c.eventSource, c.eventName)).toEqual(mapEventUncached(c.eventSource, c.eventName));
      expect(mapper.map(c.eventSource, c.eventName)).toBe(mapper.map(c.eventSource, c.eventName));
    }
  });
});

describe('version-suffix normalisation (property)', () => {
  const cat = catalog();
  const sample = cat.actions.filter((_, i) => i % 7 === 0);
  const suffix = fc.oneof(
    fc.tuple(fc.integer({ min: 1990, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }))
      .map(([y, m, d, v]) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${v ? `v${v}` : ''}`),
    fc.tuple(fc.integer({ min: 1990, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
      .map(([y, m, d]) => `${y}_${String(m).padStart(2, '0')}_${String(d).padStart(2, '0')}`),
  );

  it('is idempotent for any name', () => {
    fc.assert(fc.property(fc.string(), (name) => stripVersionSuffix(stripVersionSuffix(name)) === stripVersionSuffix(name)));
  });

  it('maps an action name with a version suffix to the same action as without it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sample), suffix, (action, sfx) => {
        // Only names that do not themselves end in digits can carry an unambiguous suffix.
        fc.pre(!/\d$/.test(action.name));
        const eventSource = `${action.service}.amazonaws.com`;
        fc.pre(servicePrefix(eventSource) === action.service);
        const plain = mapEventUncached(eventSource, action.name);
        const versioned = mapEventUncached(eventSource, `${action.name}${sfx}`);
        expect(plain).toEqual({ ok: true, actions: [action.key] });
        expect(versioned).toEqual(plain);
      }),
      { numRuns: 300 },
    );
  });

  it('tries the full name before stripping (names ending in digits stay intact)', () => {
    // Catalog actions whose names end in digits must map to themselves, untouched by normalisation.
    const endsInDigit = cat.actions.filter((x) => /\d$/.test(x.name) && servicePrefix(`${x.service}.amazonaws.com`) === x.service);
    expect(endsInDigit.length).toBeGreaterThan(0);
    for (const a of endsInDigit) expect(mapEventUncached(`${a.service}.amazonaws.com`, a.name)).toEqual({ ok: true, actions: [a.key] });
  });
});
