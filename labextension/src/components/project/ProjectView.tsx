import * as React from 'react';

import { AsyncView } from './AsyncView';
import { ProjectContext, useEnv, type IProjectState } from './env';
import { ProjectHeader } from './ProjectHeader';
import { ProjectTabBody } from './ProjectTabBody';
import { ProjectTabs, type ProjectTab } from './ProjectTabs';
import { useAsync } from './useAsync';

/** Loads a project and its counts, then shows the header and the tabs. */
export function ProjectView(props: {
  owner: string;
  name: string;
  /** A tab asked for from outside (a search hit, a feed link); `request` counts asks. */
  requestedTab?: ProjectTab;
  request?: number;
}): JSX.Element {
  const { owner, name, requestedTab, request } = props;
  const { client } = useEnv();
  const repo = React.useMemo(
    () => client.repo(owner, name),
    [client, owner, name]
  );
  const [generation, setGeneration] = React.useState(0);
  const [tab, setTab] = React.useState<ProjectTab>(requestedTab ?? 'code');
  React.useEffect(() => {
    if (requestedTab) {
      setTab(requestedTab);
    }
  }, [requestedTab, request]);
  const key = `${owner}/${name}#${generation}`;
  const project = useAsync(() => repo.get(), key);
  const counts = useAsync(() => repo.counts(), key);
  const reload = React.useCallback(() => setGeneration(g => g + 1), []);

  return (
    <div className="openi-ProjectView">
      <AsyncView state={project}>
        {data => {
          const state: IProjectState = {
            repo,
            project: data,
            counts: counts.data,
            isAdmin: data.role === 'admin' || data.role === 'owner',
            reload
          };
          return (
            <ProjectContext.Provider value={state}>
              <ProjectHeader />
              <ProjectTabs tab={tab} onTab={setTab} />
              <div className="openi-ProjectView-body">
                <ProjectTabBody tab={tab} onTab={setTab} />
              </div>
            </ProjectContext.Provider>
          );
        }}
      </AsyncView>
    </div>
  );
}
