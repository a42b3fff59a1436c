import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { apiUrl } from '../api';
import { createTrans } from '../i18n';
import { openiIcon } from '../icons';
import { CommandIds, PALETTE_CATEGORY } from '../ids';
import { IOpenIClient, IOpenISidebar } from '../tokens';

/** Commands for the sidebar and the API document, also in the palette. */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'openi_lab:commands',
  description: 'OpenI commands and their command palette entries.',
  autoStart: true,
  requires: [IOpenIClient, IOpenISidebar],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    client: IOpenIClient,
    sidebar: IOpenISidebar,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ): void => {
    const trans = createTrans(translator ?? nullTranslator);
    const { commands, shell } = app;

    commands.addCommand(CommandIds.openSidebar, {
      label: trans.__('Open OpenI sidebar'),
      icon: openiIcon,
      execute: () => shell.activateById(sidebar.id)
    });

    commands.addCommand(CommandIds.refresh, {
      label: trans.__('Refresh OpenI'),
      execute: () => sidebar.refresh()
    });

    commands.addCommand(CommandIds.openApiDocs, {
      label: trans.__('Open OpenI API document'),
      execute: () => {
        // The OpenAPI document is served next to the API itself.
        const url = apiUrl(client.serverSettings, 'openapi.json');
        window.open(url, '_blank', 'noopener');
      }
    });

    if (palette) {
      for (const command of [
        CommandIds.openSidebar,
        CommandIds.refresh,
        CommandIds.openApiDocs
      ]) {
        palette.addItem({ command, category: PALETTE_CATEGORY });
      }
    }
  }
};
