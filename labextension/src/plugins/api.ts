import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { OpenIClient } from '../api';
import { IOpenIClient } from '../tokens';

/**
 * Provides the REST API client. It uses the app's own server settings so
 * requests carry the same base URL, token and XSRF cookie as JupyterLab's.
 */
export const apiPlugin: JupyterFrontEndPlugin<IOpenIClient> = {
  id: 'openi_lab:api',
  description: 'Provides the OpenI REST API client.',
  autoStart: true,
  provides: IOpenIClient,
  activate: (app: JupyterFrontEnd): IOpenIClient =>
    new OpenIClient({ serverSettings: app.serviceManager.serverSettings })
};
