import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { SidebarWidget } from '../components/SidebarWidget';
import { createTrans } from '../i18n';
import { CommandIds } from '../ids';
import { IOpenIClient, IOpenISidebar } from '../tokens';

/** Rank among the left sidebar tabs: after the built-in ones. */
const SIDEBAR_RANK = 900;

/** Adds the OpenI panel to the left sidebar. */
export const sidebarPlugin: JupyterFrontEndPlugin<IOpenISidebar> = {
  id: 'openi_lab:sidebar',
  description: 'The OpenI panel in the left sidebar.',
  autoStart: true,
  requires: [IOpenIClient],
  optional: [ITranslator, ILayoutRestorer],
  provides: IOpenISidebar,
  activate: (
    app: JupyterFrontEnd,
    client: IOpenIClient,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null
  ): IOpenISidebar => {
    const trans = createTrans(translator ?? nullTranslator);
    // Projects open through commands (plugins/projects.ts registers them).
    const widget = new SidebarWidget(client, trans, {
      openProject: (owner, name) =>
        void app.commands.execute(CommandIds.openProject, { owner, name }),
      newProject: () => void app.commands.execute(CommandIds.newProject),
      openDataset: (project, dataset) =>
        void app.commands.execute(CommandIds.openDataset, { project, dataset })
    });
    app.shell.add(widget, 'left', { rank: SIDEBAR_RANK });
    // Remember whether the panel was open across reloads.
    restorer?.add(widget, widget.id);
    return widget;
  }
};
