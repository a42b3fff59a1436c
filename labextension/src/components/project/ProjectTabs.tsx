import * as React from 'react';

import type { IRepoCounts } from '../../api';
import { useEnv, useProject } from './env';

/** Tabs of the project view, in display order. */
export const PROJECT_TABS = [
  { key: 'code', title: 'Code' },
  { key: 'issues', title: 'Issues', count: 'open_issues' },
  { key: 'pulls', title: 'Pull requests', count: 'open_pulls' },
  { key: 'datasets', title: 'Datasets' },
  { key: 'models', title: 'Models' },
  { key: 'cloudbrain', title: 'Cloud brain' },
  { key: 'releases', title: 'Releases', count: 'releases' },
  { key: 'branches', title: 'Branches', count: 'branches' },
  { key: 'settings', title: 'Settings' }
] as const satisfies ReadonlyArray<{
  key: string;
  title: string;
  count?: keyof IRepoCounts;
}>;

export type ProjectTab = (typeof PROJECT_TABS)[number]['key'];

export function isProjectTab(tab: string): tab is ProjectTab {
  return PROJECT_TABS.some(t => t.key === tab);
}

/** The tab bar with counts from `GET …/counts`. */
export function ProjectTabs(props: {
  tab: ProjectTab;
  onTab: (tab: ProjectTab) => void;
}): JSX.Element {
  const { tab, onTab } = props;
  const { trans } = useEnv();
  const { counts } = useProject();
  return (
    <div className="openi-Tabs" role="tablist">
      {PROJECT_TABS.map(t => {
        const count =
          'count' in t && counts ? (counts[t.count] as number) : undefined;
        return (
          <button
            key={t.key}
            type="button"
            role="tab"
            aria-selected={tab === t.key}
            className={`openi-Tab${tab === t.key ? ' openi-mod-active' : ''}`}
            data-testid={`openi-tab-${t.key}`}
            onClick={() => onTab(t.key)}
          >
            {trans.__(t.title)}
            {count !== undefined && (
              <span className="openi-Tab-count">{count}</span>
            )}
          </button>
        );
      })}
    </div>
  );
}
