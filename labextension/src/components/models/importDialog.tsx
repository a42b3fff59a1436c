import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IModelVersion } from '../../api/modelTypes';
import { EnvContext, type IOpenIEnv } from '../project/env';
import { ImportModelForm } from './ImportModelForm';

/**
 * Shows 导入新模型 (or 创建新版本 of `model`). The form submits itself, so
 * a refused request keeps the dialog open with the server's field errors;
 * resolves to the created version, or undefined when cancelled.
 */
export async function showImportDialog(
  env: IOpenIEnv,
  project: string,
  model?: string
): Promise<IModelVersion | undefined> {
  const { trans } = env;
  let created: IModelVersion | undefined;
  // Assigned before the form can submit.
  let dialog: Dialog<unknown> | undefined = undefined;
  const body = ReactWidget.create(
    <EnvContext.Provider value={env}>
      <ImportModelForm
        project={project}
        model={model}
        onCreated={version => {
          created = version;
          dialog?.resolve(0);
        }}
      />
    </EnvContext.Provider>
  );
  body.addClass('openi-ImportModelDialog');
  dialog = new Dialog({
    title: model
      ? trans.__('New version of %1', model)
      : trans.__('Import a model'),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') })]
  });
  await dialog.launch();
  dialog.dispose();
  return created;
}
