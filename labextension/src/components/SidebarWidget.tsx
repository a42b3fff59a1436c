import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { SIDEBAR_ID } from '../ids';
import { openiIcon } from '../icons';
import type { IOpenISidebar } from '../tokens';
import type { IProjectActions } from './ProjectsSection';
import { SidebarPanel } from './SidebarPanel';

/**
 * The Lumino widget hosting the React sidebar. Refreshing bumps a counter
 * that the sections' request hooks depend on, so React state (open sections)
 * survives a reload.
 */
export class SidebarWidget extends ReactWidget implements IOpenISidebar {
  constructor(
    private readonly _client: OpenIClient,
    private readonly _trans: ITrans,
    private readonly _actions?: IProjectActions
  ) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('openi-Sidebar');
    this.title.icon = openiIcon;
    this.title.caption = _trans.__('OpenI');
  }

  refresh(): void {
    this._generation++;
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <SidebarPanel
        client={this._client}
        trans={this._trans}
        generation={this._generation}
        actions={this._actions}
        onRefresh={() => this.refresh()}
      />
    );
  }

  private _generation = 0;
}
