import * as React from 'react';

import { AsyncView } from '../project/AsyncView';
import { ProjectContext, useEnv } from '../project/env';
import { useAsync } from '../project/useAsync';

/**
 * Loads a project and provides it to views made for the project view (the
 * task page, a commit), so they can be shown on their own in the main area.
 */
export function ProjectScope(props: {
  /** `owner/name`. */
  project: string;
  children: React.ReactNode;
}): JSX.Element {
  const { client } = useEnv();
  const [owner, ...rest] = props.project.split('/');
  const name = rest.join('/');
  const repo = React.useMemo(
    () => client.repo(owner, name),
    [client, owner, name]
  );
  const project = useAsync(() => repo.get(), props.project);
  return (
    <AsyncView state={project}>
      {data => (
        <ProjectContext.Provider
          value={{
            repo,
            project: data,
            counts: undefined,
            isAdmin: data.role === 'admin' || data.role === 'owner',
            reload: project.reload
          }}
        >
          {props.children}
        </ProjectContext.Provider>
      )}
    </AsyncView>
  );
}
