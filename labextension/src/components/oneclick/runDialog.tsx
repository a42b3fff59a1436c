import * as React from 'react';

import type { IPickerRow, ITask, OpenIClient } from '../../api';
import type { ITrans } from '../../i18n';
import { showFormDialog } from '../formDialog';
import type { OneClickApi } from './api';
import { RunTaskForm, type IRunContext } from './RunTaskForm';

/**
 * Shows the "Run as training task" dialog: Cancel and Run in its footer, Run
 * (or Enter in a field) submitting the form, so a refused request keeps the
 * dialog open with the server's field errors. Resolves to the created task
 * and its project, or undefined when cancelled.
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
  const file = run.path.split('/').pop() ?? run.path;
  await showFormDialog({
    trans,
    title: trans.__('Run as training task: %1', file),
    accept: trans.__('Run'),
    acceptTestId: 'openi-oneclick-run',
    className: 'openi-RunTaskDialog',
    renderForm: control => (
      <RunTaskForm
        {...options}
        control={control}
        onCreated={(project, task) => {
          created = { project, task };
          control.finish();
        }}
      />
    )
  });
  return created;
}
