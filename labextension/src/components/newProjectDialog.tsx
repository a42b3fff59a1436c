import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IProject, OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { NewProjectForm } from './NewProjectForm';

/**
 * Shows the "New project" dialog. The form submits itself, so a failed
 * request keeps the dialog open with the server's field errors; resolves to
 * the created project, or undefined when cancelled.
 */
export async function showNewProjectDialog(
  client: OpenIClient,
  trans: ITrans
): Promise<IProject | undefined> {
  let created: IProject | undefined;
  // Assigned before the form can submit.
  let dialog: Dialog<unknown> | undefined = undefined;
  const body = ReactWidget.create(
    <NewProjectForm
      client={client}
      trans={trans}
      onCreated={project => {
        created = project;
        dialog?.resolve(0);
      }}
    />
  );
  body.addClass('openi-NewProjectDialog');
  dialog = new Dialog({
    title: trans.__('New project'),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') })]
  });
  await dialog.launch();
  dialog.dispose();
  return created;
}
