import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IPickerRow, ITask, OpenIClient } from '../../api';
import type { ITrans } from '../../i18n';
import type { OneClickApi } from './api';
import { RunTaskForm, type IRunContext } from './RunTaskForm';

/**
 * Shows the "Run as training task" dialog. The form submits itself, so a
 * refused request keeps the dialog open with the server's field errors;
 * resolves to the created task and its project, or undefined when cancelled.
 */
export async function showRunDialog(options: {
  client: OpenIClient;
  api: OneClickApi;
  trans: ITrans;
  run: IRunContext;
  pickDataset: (project: string) => Promise<IPickerRow | undefined>;
}): Promise<{ project: string; task: ITask } | undefined> {
  const { trans, run } = options;
  let created: { project: string; task: ITask } | undefined;
  let dialog: Dialog<unknown> | undefined = undefined;
  const body = ReactWidget.create(
    <RunTaskForm
      {...options}
      onCreated={(project, task) => {
        created = { project, task };
        dialog?.resolve(0);
      }}
    />
  );
  body.addClass('openi-RunTaskDialog');
  const file = run.path.split('/').pop() ?? run.path;
  dialog = new Dialog({
    title: trans.__('Run as training task: %1', file),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') })]
  });
  await dialog.launch();
  dialog.dispose();
  return created;
}
