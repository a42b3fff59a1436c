import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { openiIcon } from '../../icons';
import { CommitView } from '../project/code/CommitView';
import { EnvContext, type IOpenIEnv } from '../project/env';
import { TaskPage } from '../tasks/TaskPage';
import { modelNavigation } from './navigation';
import { ProjectScope } from './ProjectScope';
import { VersionPage } from './VersionPage';

/** A widget id from its parts (ids allow letters, digits, `_` and `-`). */
export function scopedWidgetId(...parts: Array<string | number>): string {
  return `openi-${parts.join('-')}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * A main-area page inside one project: a model version, a task or a commit.
 * Each is its own tab so a lineage link keeps the page it came from open.
 */
export class ScopedWidget extends ReactWidget {
  constructor(
    private readonly _env: IOpenIEnv,
    readonly project: string,
    id: string,
    label: string,
    testid: string,
    private readonly _body: (widget: ScopedWidget) => React.ReactNode
  ) {
    super();
    this.id = id;
    this.addClass('openi-ProjectWidget');
    this.addClass('openi-ModelsWidget');
    this.title.label = label;
    this.title.caption = `${project} · ${label}`;
    this.title.icon = openiIcon;
    this.title.closable = true;
    this.node.dataset.testid = testid;
  }

  protected render(): JSX.Element {
    return (
      <EnvContext.Provider value={this._env}>
        <div className="openi-ProjectView">
          <ProjectScope project={this.project}>{this._body(this)}</ProjectScope>
        </div>
      </EnvContext.Provider>
    );
  }
}

/** The page of a model version (`name@version`). */
export function versionWidget(
  env: IOpenIEnv,
  project: string,
  model: string,
  version: string
): ScopedWidget {
  return new ScopedWidget(
    env,
    project,
    scopedWidgetId('model', project, model, version),
    `${model}@${version}`,
    'openi-model-version-view',
    w => (
      <VersionPage
        project={project}
        model={model}
        version={version}
        onDeleted={() => window.setTimeout(() => w.close(), 1000)}
      />
    )
  );
}

/** A task's page on its own (the Cloud brain tab shows the same view). */
export function taskWidget(
  env: IOpenIEnv,
  project: string,
  id: number
): ScopedWidget {
  return new ScopedWidget(
    env,
    project,
    scopedWidgetId('task', project, id),
    env.trans.__('Task %1', id),
    'openi-task-view',
    w => (
      <TaskPage
        project={project}
        id={id}
        onBack={() => w.close()}
        onOpen={other => modelNavigation()?.openTask(project, other)}
      />
    )
  );
}

/** One commit of the project's repository. */
export function commitWidget(
  env: IOpenIEnv,
  project: string,
  sha: string
): ScopedWidget {
  return new ScopedWidget(
    env,
    project,
    scopedWidgetId('commit', project, sha),
    `${project}@${sha.slice(0, 10)}`,
    'openi-commit-page',
    () => <CommitView sha={sha} />
  );
}
