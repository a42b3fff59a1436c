import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { openiIcon } from '../../icons';
import { AsyncView } from '../project/AsyncView';
import {
  EnvContext,
  ProjectContext,
  useEnv,
  type IOpenIEnv
} from '../project/env';
import { useAsync } from '../project/useAsync';
import { TaskPage } from '../tasks/TaskPage';

/** Id of the main-area widget of one task started from a notebook. */
export function taskWidgetId(project: string, id: number): string {
  return `openi-task-${project}-${id}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The task page without the project view around it ("Run again" stays here). */
function StandaloneTask(props: {
  project: string;
  id: number;
  onBack: () => void;
}): JSX.Element {
  const { project, onBack } = props;
  const { client } = useEnv();
  const [id, setId] = React.useState(props.id);
  const [owner, ...rest] = project.split('/');
  const name = rest.join('/');
  const repo = React.useMemo(
    () => client.repo(owner, name),
    [client, owner, name]
  );
  const [generation, setGeneration] = React.useState(0);
  const info = useAsync(() => repo.get(), `${project}#${generation}`);
  return (
    <AsyncView state={info}>
      {data => (
        <ProjectContext.Provider
          value={{
            repo,
            project: data,
            counts: undefined,
            isAdmin: data.role === 'admin' || data.role === 'owner',
            reload: () => setGeneration(g => g + 1)
          }}
        >
          <TaskPage
            key={id}
            project={project}
            id={id}
            onBack={onBack}
            onOpen={setId}
          />
        </ProjectContext.Provider>
      )}
    </AsyncView>
  );
}

/** A task's page in the main area, opened right after "Run as training task". */
export class TaskWidget extends ReactWidget {
  constructor(
    private readonly _env: IOpenIEnv,
    readonly project: string,
    readonly taskId: number,
    label: string
  ) {
    super();
    this.id = taskWidgetId(project, taskId);
    this.addClass('openi-TaskWidget');
    this.title.label = label;
    this.title.caption = `${project} · ${label}`;
    this.title.icon = openiIcon;
    this.title.closable = true;
    this.node.dataset.testid = 'openi-task-widget';
  }

  protected render(): JSX.Element {
    const [owner, ...rest] = this.project.split('/');
    return (
      <EnvContext.Provider value={this._env}>
        <div className="openi-ProjectView-body">
          <StandaloneTask
            project={this.project}
            id={this.taskId}
            onBack={() => {
              this._env.openProject(owner, rest.join('/'));
              this.close();
            }}
          />
        </div>
      </EnvContext.Provider>
    );
  }
}
