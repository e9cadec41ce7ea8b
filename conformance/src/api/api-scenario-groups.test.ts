import { describe, expect, it } from 'vitest';
import type { ApiHarness } from './api-frontend.js';
import { apiScenarioGroups, apiScenarioSuite } from './api-scenarios.js';
import type { ScenarioGroup } from './scenario-suite.js';

const neverSetUp = async (): Promise<ApiHarness> => {
  throw new Error('not run: the suite is only collected');
};

describe('API scenario groups', () => {
  it('collects one group per topic, in the declared order', () => {
    const suite = apiScenarioSuite('collected', neverSetUp);
    const titles = suite.children.map((node) => node.name);
    expect(titles).toEqual(Object.values(apiScenarioGroups).map((g) => g.title));
    for (const node of suite.children) {
      expect(node.kind).toBe('group');
      expect((node as ScenarioGroup).children.length).toBeGreaterThan(0);
    }
  });

  it('replaces a skipped group by one skipped case carrying the reason', () => {
    const suite = apiScenarioSuite('skipping', neverSetUp, {
      skip: { concurrency: 'one request at a time' },
    });
    const concurrency = suite.children.find((n) => n.name === 'concurrency') as ScenarioGroup;
    expect(concurrency.children).toEqual([
      expect.objectContaining({ kind: 'case', skip: 'one request at a time' }),
    ]);
    const users = suite.children.find((n) => n.name === 'users') as ScenarioGroup;
    expect(users.children.every((n) => n.kind === 'group' || n.skip === undefined)).toBe(true);
  });
});
