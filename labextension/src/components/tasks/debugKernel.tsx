import * as React from 'react';

import { errorMessage, type ITask } from '../../api';
import type { ITrans } from '../../i18n';

/**
 * Debug tasks (调试任务) are Jupyter kernels: while one runs, the server lists
 * the kernelspec `openi-task-<id>` ("OpenI · <task> · <spec>") for its
 * creator. Task views open notebooks on it, and refresh JupyterLab's
 * kernelspecs when a debug task starts or ends (so the launcher and kernel
 * picker show or hide it at once), through the opener the
 * `openi_lab:debug-kernels` plugin installs.
 */
export interface IDebugKernelOpener {
  refreshSpecs(): Promise<void>;
  hasSpec(name: string): boolean;
  /** A new notebook on the kernelspec `name`. */
  openNotebook(name: string): Promise<void>;
}

let opener: IDebugKernelOpener | null = null;

export function setDebugKernelOpener(value: IDebugKernelOpener | null): void {
  opener = value;
}

export function debugKernelName(taskId: number): string {
  return `openi-task-${taskId}`;
}

/** Refreshes the kernelspecs after a debug task started or ended. */
export async function refreshDebugKernels(): Promise<void> {
  try {
    await opener?.refreshSpecs();
  } catch {
    // the next refresh (JupyterLab polls too) catches up
  }
}

/** Re-reads the kernelspecs when a debug task's status changes. */
export function useDebugKernelRefresh(task: ITask | undefined): void {
  const key = task?.kind === 'debug' ? `${task.id}:${task.status}` : '';
  React.useEffect(() => {
    if (key) {
      void refreshDebugKernels();
    }
  }, [key]);
}

/**
 * "Open notebook" (打开 Notebook) on a running debug task: a new notebook
 * whose kernel is the task's. Nothing where no JupyterLab is around.
 */
export function OpenNotebookButton(props: {
  task: ITask;
  trans: ITrans;
  className: string;
  testId: string;
  onError: (message: string) => void;
}): JSX.Element | null {
  const { task, trans, className, testId, onError } = props;
  const [busy, setBusy] = React.useState(false);
  if (!opener || task.kind !== 'debug' || task.status !== 'RUNNING') {
    return null;
  }
  const open = async (): Promise<void> => {
    const current = opener;
    if (!current) {
      return;
    }
    setBusy(true);
    try {
      await current.refreshSpecs();
      const name = debugKernelName(task.id);
      if (!current.hasSpec(name)) {
        onError(
          trans.__(
            'The kernel of %1 is not listed here: only its creator’s Jupyter server lists it.',
            task.name
          )
        );
        return;
      }
      await current.openNotebook(name);
    } catch (reason) {
      onError(errorMessage(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      disabled={busy}
      title={trans.__('A new notebook running in this debug task')}
      onClick={() => void open()}
    >
      {trans.__('Open notebook')}
    </button>
  );
}
