// The escalation catalog is leash's own, written after reading pathfinding.cloud. The test holds
// it to the IAM catalog, to its own rules (ids, categories, PassRole in the PassRole categories),
// and to pathfinding.cloud's 65 paths: a cited path must really be detected by the technique
// that cites it, and at least 85 % of the paths must be covered.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/iam/catalog.js';
import {
  ESCALATION_CATEGORIES,
  escalationTechniques,
  parseEscalationTechniques,
  techniqueSatisfied,
  uncoveredPathfindingPaths,
  type Technique,
} from '../../src/checks/data.js';
import { InputError } from '../../src/model/errors.js';
import raw from '../../src/data/escalation-techniques.json' with { type: 'json' };
import { SKIP_REASON, sharedFixture, sharedFixturesPresent } from '../support/fixtures.js';

const techniques = escalationTechniques();
const allActions = (t: Technique) => [...t.requires.flat(), ...t.optional];

describe('escalation-techniques.json', () => {
  it('has at least 35 techniques with unique kebab-case ids', () => {
    expect(techniques.length).toBeGreaterThanOrEqual(35);
    const ids = techniques.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))).toEqual([]);
  });

  it('names only real IAM actions, in the catalog\'s exact spelling', () => {
    const c = catalog();
    const problems = techniques.flatMap((t) =>
      allActions(t).flatMap((a) => {
        const found = c.lookup(a);
        if (!found) return [`${t.id}: ${a} is not in the catalog`];
        return found.key === a ? [] : [`${t.id}: ${a} is spelt ${found.key} in the catalog`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('never lists an action twice in one technique, nor as both required and optional', () => {
    const repeats = techniques.filter((t) => {
      const xs = allActions(t).map((a) => a.toLowerCase());
      return new Set(xs).size !== xs.length;
    });
    expect(repeats.map((t) => t.id)).toEqual([]);
  });

  it('uses every category, and PassRole exactly where the category says a role is passed', () => {
    //Given the five categories
    expect([...new Set(techniques.map((t) => t.category))].sort()).toEqual([...ESCALATION_CATEGORIES].sort());
    const needsPassRole = (t: Technique) => t.requires.some((g) => g.length === 1 && g[0] === 'iam:PassRole');
    //Then every new-passrole technique has a group that is exactly iam:PassRole…
    expect(techniques.filter((t) => t.category === 'new-passrole' && !needsPassRole(t)).map((t) => t.id)).toEqual([]);
    //…and no existing-passrole technique needs it (that is what "existing" means)
    const existing = techniques.filter((t) => t.category === 'existing-passrole');
    expect(existing.filter((t) => t.requires.flat().includes('iam:PassRole')).map((t) => t.id)).toEqual([]);
  });

  it('covers the techniques the brief names', () => {
    // Each line is one technique the brief lists; it is covered when some technique fires on
    // exactly that permission set.
    const named: readonly (readonly string[])[] = [
      ['iam:CreatePolicyVersion'], ['iam:SetDefaultPolicyVersion'],
      ['iam:AttachUserPolicy'], ['iam:AttachGroupPolicy'], ['iam:AttachRolePolicy'],
      ['iam:PutUserPolicy'], ['iam:PutGroupPolicy'], ['iam:PutRolePolicy'], ['iam:AddUserToGroup'],
      ['iam:CreateAccessKey'], ['iam:CreateLoginProfile'], ['iam:UpdateLoginProfile'], ['iam:UpdateAssumeRolePolicy'],
      ['iam:PassRole', 'ec2:RunInstances'], ['iam:PassRole', 'ec2:RequestSpotInstances'],
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
      ['iam:PassRole', 'glue:CreateDevEndpoint'], ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun'],
      ['iam:PassRole', 'cloudformation:CreateStack'], ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
      ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'datapipeline:ActivatePipeline'],
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
      ['iam:PassRole', 'sagemaker:CreateNotebookInstance'], ['iam:PassRole', 'sagemaker:CreateTrainingJob'], ['iam:PassRole', 'sagemaker:CreateProcessingJob'],
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], ['iam:PassRole', 'apprunner:CreateService'],
      ['iam:PassRole', 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
      ['lambda:UpdateFunctionCode'], ['cloudformation:UpdateStack'], ['codebuild:StartBuild'],
      ['sagemaker:CreatePresignedNotebookInstanceUrl'],
      ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance'],
      ['glue:UpdateDevEndpoint'], ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
      ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], ['ssm:SendCommand'], ['ssm:StartSession'],
      ['ec2-instance-connect:SendSSHPublicKey'], ['sts:AssumeRole'],
    ];
    const uncovered = named.filter((set) => {
      const allowed = new Set(set.map((a) => a.toLowerCase()));
      return !techniques.some((t) => techniqueSatisfied(t, (a) => allowed.has(a.toLowerCase())) !== undefined);
    });
    expect(uncovered).toEqual([]);
  });

  it('cites only https references', () => {
    expect(techniques.filter((t) => t.references.length === 0 || t.references.some((r) => !r.startsWith('https://'))).map((t) => t.id)).toEqual([]);
  });
});

describe('techniqueSatisfied', () => {
  const technique = techniques.find((t) => t.requires.length >= 3)!;
  const pool = [...new Set([...allActions(technique), 's3:GetObject', 'ec2:DescribeInstances'])];

  it('holds exactly when every requirement group has an allowed action', () => {
    fc.assert(
      fc.property(fc.subarray(pool), (allowedList) => {
        //Given an arbitrary set of allowed actions
        const allowed = new Set(allowedList);
        //When the technique is tested against it
        const chosen = techniqueSatisfied(technique, (a) => allowed.has(a));
        //Then it is satisfied iff each group intersects the set, and it names one allowed action per group
        const expected = technique.requires.every((g) => g.some((a) => allowed.has(a)));
        expect(chosen !== undefined).toBe(expected);
        if (chosen) {
          expect(chosen).toHaveLength(technique.requires.length);
          chosen.forEach((a, i) => expect(technique.requires[i]).toContain(a));
          expect(chosen.every((a) => allowed.has(a))).toBe(true);
        }
      }),
    );
  });

  it('is monotone: allowing more never turns a technique off', () => {
    fc.assert(
      fc.property(fc.subarray(pool), fc.subarray(pool), (a, b) => {
        const small = new Set(a);
        const large = new Set([...a, ...b]);
        if (techniqueSatisfied(technique, (x) => small.has(x))) expect(techniqueSatisfied(technique, (x) => large.has(x))).toBeDefined();
      }),
    );
  });
});

interface PathfindingPath {
  readonly id: string;
  readonly category: string;
  readonly permissions: { readonly required: readonly { readonly permission: string }[] };
}

describe.skipIf(!sharedFixturesPresent)('pathfinding.cloud coverage', () => {
  // SKIP_REASON applies when the shared fixtures are absent.
  const paths = sharedFixturesPresent
    ? (JSON.parse(readFileSync(sharedFixture('privesc-catalog/pathfinding-cloud-paths.json'), 'utf8')) as PathfindingPath[])
    : [];
  const byId = new Map(paths.map((p) => [p.id, p]));

  it('reads the 65-path fixture', () => {
    expect(paths).toHaveLength(65);
  });

  it('cites only paths that exist', () => {
    const unknown = techniques.flatMap((t) => t.pathfinding.filter((id) => !byId.has(id)).map((id) => `${t.id} → ${id}`));
    expect(unknown).toEqual([]);
  });

  it('detects every cited path from that path\'s own required permissions', () => {
    //Given a principal allowed exactly the path's required permissions
    //When the citing technique is evaluated
    //Then it fires (a citation the technique cannot detect would be a false claim of coverage)
    const misses = techniques.flatMap((t) =>
      t.pathfinding.flatMap((id) => {
        const required = new Set(byId.get(id)!.permissions.required.map((r) => r.permission.toLowerCase()));
        return techniqueSatisfied(t, (a) => required.has(a.toLowerCase())) ? [] : [`${t.id} does not fire on ${id}`];
      }),
    );
    expect(misses).toEqual([]);
  });

  it('covers at least 85 % of the paths, and explains every one it leaves out', () => {
    const cited = new Set(techniques.flatMap((t) => t.pathfinding));
    const uncovered = paths.filter((p) => !cited.has(p.id)).map((p) => p.id);
    const explained = uncoveredPathfindingPaths();
    console.log(
      `pathfinding coverage: ${paths.length - uncovered.length}/${paths.length}` +
        (explained.length ? `; not covered: ${explained.map((n) => `${n.pathfinding} (${n.why})`).join('; ')}` : '; none left out'),
    );
    expect((paths.length - uncovered.length) / paths.length).toBeGreaterThanOrEqual(0.85);
    expect(explained.map((n) => n.pathfinding).sort()).toEqual(uncovered.sort());
  });

  it('never takes a path that needs iam:PassRole for one that does not (and vice versa)', () => {
    const mismatched = techniques.flatMap((t) =>
      t.pathfinding.flatMap((id) => {
        const pathNeeds = byId.get(id)!.permissions.required.some((r) => r.permission === 'iam:PassRole');
        const ours = t.requires.flat().includes('iam:PassRole');
        return pathNeeds === ours ? [] : [`${t.id} / ${id}`];
      }),
    );
    expect(mismatched).toEqual([]);
  });
});
if (!sharedFixturesPresent) console.log(`pathfinding.cloud coverage skipped: ${SKIP_REASON}`);

describe('parseEscalationTechniques: bad input is a clear error', () => {
  const technique = raw.techniques[0]!;
  const doc = (over: Record<string, unknown>) => ({ ...raw, ...over });
  const cases: { name: string; input: unknown; path: string }[] = [
    { name: 'a duplicate id', input: doc({ techniques: [technique, technique] }), path: '$.techniques[1].id' },
    { name: 'an id that is not kebab-case', input: doc({ techniques: [{ ...technique, id: 'IAM_CreatePolicyVersion' }] }), path: '$.techniques[0].id' },
    { name: 'an empty requirement group', input: doc({ techniques: [{ ...technique, requires: [[]] }] }), path: '$.techniques[0].requires[0]' },
    { name: 'an unknown category', input: doc({ techniques: [{ ...technique, category: 'lateral' }] }), path: '$.techniques[0].category' },
    { name: 'a non-https reference', input: doc({ techniques: [{ ...technique, references: ['http://example.com'] }] }), path: '$.techniques[0].references[0]' },
    {
      name: 'a path both cited and listed as not covered',
      input: doc({ techniques: [technique], notCovered: [{ pathfinding: technique.pathfinding[0], why: 'x' }] }),
      path: '$.notCovered[0].pathfinding',
    },
  ];
  it.each(cases)('rejects $name at $path', ({ input, path }) => {
    expect(() => parseEscalationTechniques(input, 'x.json')).toThrow(InputError);
    try {
      parseEscalationTechniques(input, 'x.json');
    } catch (e) {
      expect((e as InputError).path).toBe(path);
      expect((e as InputError).file).toBe('x.json');
    }
  });
});
