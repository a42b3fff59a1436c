import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { openiIcon } from '../../icons';
import { EnvContext, type IOpenIEnv } from '../project/env';
import { DatasetPage } from './DatasetPage';

/** Id of the main-area widget of a dataset (one per dataset). */
export function datasetWidgetId(project: string, dataset: string): string {
  return `openi-dataset-${project}-${dataset}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A dataset (数据集) page in the main area, opened from the sidebar. */
export class DatasetWidget extends ReactWidget {
  constructor(
    private readonly _env: IOpenIEnv,
    readonly project: string,
    readonly datasetName: string
  ) {
    super();
    this.id = datasetWidgetId(project, datasetName);
    this.addClass('openi-ProjectWidget');
    this.addClass('openi-DatasetWidget');
    this.title.label = datasetName;
    this.title.caption = `${project}/${datasetName}`;
    this.title.icon = openiIcon;
    this.title.closable = true;
    this.node.dataset.testid = 'openi-dataset-view';
  }

  protected render(): JSX.Element {
    return (
      <EnvContext.Provider value={this._env}>
        <div className="openi-ProjectView">
          <DatasetPage
            project={this.project}
            dataset={this.datasetName}
            onDeleted={() => window.setTimeout(() => this.close(), 1500)}
          />
        </div>
      </EnvContext.Provider>
    );
  }
}
