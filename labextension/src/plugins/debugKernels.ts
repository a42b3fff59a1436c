import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { setDebugKernelOpener } from '../components/tasks/debugKernel';

/**
 * Debug tasks as kernels in JupyterLab: task views open notebooks on a
 * running debug task's kernelspec (`openi-task-<id>`) and refresh the
 * kernelspecs when one starts or ends, so the launcher and kernel picker
 * follow at once.
 */
export const debugKernelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'openi_lab:debug-kernels',
  description: 'Open notebooks on the kernels of running debug tasks.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    const specs = app.serviceManager.kernelspecs;
    setDebugKernelOpener({
      refreshSpecs: () => specs.refreshSpecs(),
      hasSpec: name => !!specs.specs?.kernelspecs[name],
      openNotebook: async name => {
        await app.commands.execute('notebook:create-new', {
          kernelName: name
        });
      }
    });
  }
};
