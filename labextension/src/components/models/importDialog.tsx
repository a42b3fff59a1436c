import * as React from 'react';

import type { IModelVersion } from '../../api/modelTypes';
import { showFormDialog } from '../formDialog';
import { EnvContext, type IOpenIEnv } from '../project/env';
import { ImportModelForm } from './ImportModelForm';

/**
 * Shows 导入新模型 (or 创建新版本 of `model`); resolves to the created
 * version, or undefined when cancelled.
 */
export async function showImportDialog(
  env: IOpenIEnv,
  project: string,
  model?: string
): Promise<IModelVersion | undefined> {
  const { trans } = env;
  let created: IModelVersion | undefined;
  await showFormDialog({
    trans,
    title: model
      ? trans.__('New version of %1', model)
      : trans.__('Import a model'),
    accept: trans.__('Save'),
    acceptTestId: 'openi-import-submit',
    className: 'openi-ImportModelDialog',
    renderForm: control => (
      <EnvContext.Provider value={env}>
        <ImportModelForm
          project={project}
          model={model}
          control={control}
          onCreated={version => {
            created = version;
            control.finish();
          }}
        />
      </EnvContext.Provider>
    )
  });
  return created;
}
