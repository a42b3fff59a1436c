import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import type { Contents, Session } from '@jupyterlab/services';

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
    const { kernelspecs: specs, sessions, contents } = app.serviceManager;
    setDebugKernelOpener({
      refreshSpecs: () => specs.refreshSpecs(),
      hasSpec: name => !!specs.specs?.kernelspecs[name],
      openNotebook: async name => {
        // The session is started before the notebook opens, and the notebook
        // attaches to it: the kernel is the task's whatever JupyterLab's
        // kernelspec list holds at that moment, and a kernel that cannot
        // attach is an error here (the empty notebook goes again) instead of
        // a "Select Kernel" dialog.
        const model = (await app.commands.execute('docmanager:new-untitled', {
          path: '',
          type: 'notebook'
        })) as Contents.IModel;
        let session: Session.ISessionConnection | undefined;
        try {
          session = await sessions.startNew({
            path: model.path,
            type: 'notebook',
            name: PathExt.basename(model.path),
            kernel: { name }
          });
          await app.commands.execute('docmanager:open', {
            path: model.path,
            factory: 'Notebook'
          });
        } catch (reason) {
          // nothing left behind: neither the session nor the empty notebook
          await session?.shutdown().catch(() => undefined);
          await contents.delete(model.path).catch(() => undefined);
          throw reason;
        } finally {
          session?.dispose(); // only this connection: the notebook has its own
        }
      }
    });
  }
};
