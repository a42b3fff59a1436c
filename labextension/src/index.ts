/**
 * OpenI (启智) inside JupyterLab: the browser side.
 *
 * Each concern is its own plugin; others can build on the tokens exported
 * here (the API client and the sidebar).
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { apiPlugin } from './plugins/api';
import { commandsPlugin } from './plugins/commands';
import { debugKernelsPlugin } from './plugins/debugKernels';
import { modelsPlugin } from './plugins/models';
import { communityPlugin } from './plugins/community';
import { oneClickPlugin } from './plugins/oneclick';
import { projectsPlugin } from './plugins/projects';
import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';
export * from './api';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  apiPlugin,
  sidebarPlugin,
  commandsPlugin,
  debugKernelsPlugin,
  projectsPlugin,
  modelsPlugin,
  communityPlugin,
  oneClickPlugin
];

export default plugins;
