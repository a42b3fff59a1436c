import * as React from 'react';

import type { IProject, OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { showFormDialog } from './formDialog';
import { NewProjectForm } from './NewProjectForm';

/**
 * Shows the "New project" dialog; resolves to the created project, or
 * undefined when cancelled.
 */
export async function showNewProjectDialog(
  client: OpenIClient,
  trans: ITrans
): Promise<IProject | undefined> {
  let created: IProject | undefined;
  await showFormDialog({
    trans,
    title: trans.__('New project'),
    accept: trans.__('Create project'),
    acceptTestId: 'openi-create-project',
    className: 'openi-NewProjectDialog',
    focusNodeSelector: 'input[name="name"]',
    renderForm: control => (
      <NewProjectForm
        client={client}
        trans={trans}
        control={control}
        onCreated={project => {
          created = project;
          control.finish();
        }}
      />
    )
  });
  return created;
}
