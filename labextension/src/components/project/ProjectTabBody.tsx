import * as React from 'react';

import { DatasetsTab } from '../datasets/DatasetsTab';
import { ModelsTab } from '../models/ModelsTab';
import { EmptyState } from '../status';
import { TasksTab } from '../tasks/TasksTab';
import { BranchesTab } from './BranchesTab';
import { CodeTab } from './code/CodeTab';
import { useEnv } from './env';
import { IssuesTab } from './issues/IssuesTab';
import type { ProjectTab } from './ProjectTabs';
import { PullsTab } from './pulls/PullsTab';
import { ReleasesTab } from './ReleasesTab';
import { SettingsTab } from './SettingsTab';

/** What the tabs not built yet will hold (msgids). */
const COMING: Partial<Record<ProjectTab, string>> = {
  models: 'Models trained or registered in this project will appear here.'
};

/** The body of the selected project tab. */
export function ProjectTabBody(props: {
  tab: ProjectTab;
  onTab: (tab: ProjectTab) => void;
}): JSX.Element {
  const { tab } = props;
  const { trans } = useEnv();
  switch (tab) {
    case 'code':
      return <CodeTab />;
    case 'issues':
      return <IssuesTab />;
    case 'pulls':
      return <PullsTab />;
    case 'releases':
      return <ReleasesTab />;
    case 'branches':
      return <BranchesTab />;
    case 'settings':
      return <SettingsTab />;
    case 'datasets':
      return <DatasetsTab />;
    case 'cloudbrain':
      return <TasksTab />;
    case 'models':
      return <ModelsTab />;
    default:
      return (
        <EmptyState
          title={trans.__('Coming soon')}
          message={trans.__(COMING[tab] ?? '')}
        />
      );
  }
}
