import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { openiIcon } from '../../icons';
import { EnvContext, type IOpenIEnv } from './env';
import { isProjectTab, type ProjectTab } from './ProjectTabs';
import { ProjectView } from './ProjectView';

/** Id of the main-area widget of a project (one per project). */
export function projectWidgetId(owner: string, name: string): string {
  return `openi-project-${owner}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A project (项目) in the main area: header, actions and tabs. */
export class ProjectWidget extends ReactWidget {
  constructor(
    private readonly _env: IOpenIEnv,
    readonly owner: string,
    readonly name: string
  ) {
    super();
    this.id = projectWidgetId(owner, name);
    this.addClass('openi-ProjectWidget');
    this.title.label = `${owner}/${name}`;
    this.title.caption = `${owner}/${name}`;
    this.title.icon = openiIcon;
    this.title.closable = true;
    this.node.dataset.testid = 'openi-project-view';
  }

  /** Shows one of the project's tabs (`code`, `issues`, `pulls`, `models`…). */
  showTab(tab: string): void {
    if (isProjectTab(tab)) {
      this._tab = tab;
      this._request += 1;
      this.update();
    }
  }

  protected render(): JSX.Element {
    return (
      <EnvContext.Provider value={this._env}>
        <ProjectView
          owner={this.owner}
          name={this.name}
          requestedTab={this._tab}
          request={this._request}
        />
      </EnvContext.Provider>
    );
  }

  private _tab: ProjectTab | undefined;
  private _request = 0;
}
