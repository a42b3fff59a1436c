import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage } from '../../api';
import { ErrorLine } from '../status';
import { useEnv, useProject } from './env';

/** Body of the confirm dialog: type the project name to enable Delete. */
class ConfirmBody extends ReactWidget implements Dialog.IBodyWidget<string> {
  constructor(private readonly _prompt: string) {
    super();
  }
  getValue(): string {
    return this.node.querySelector('input')?.value ?? '';
  }
  protected render(): JSX.Element {
    return (
      <label className="openi-Field">
        <span>{this._prompt}</span>
        <input className="openi-Input" data-testid="openi-confirm-name" />
      </label>
    );
  }
}

/** The danger zone: delete the project after typing its name. */
export function DeleteProject(): JSX.Element {
  const { trans } = useEnv();
  const { repo, project } = useProject();
  const [error, setError] = React.useState<string | undefined>();
  const [deleted, setDeleted] = React.useState(false);

  const confirm = async (): Promise<void> => {
    const result = await showDialog({
      title: trans.__('Delete %1?', project.full_name),
      body: new ConfirmBody(
        trans.__('This cannot be undone. Type %1 to confirm.', project.name)
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    if (result.value !== project.name) {
      setError(trans.__('The name did not match; nothing was deleted.'));
      return;
    }
    try {
      await repo.delete();
      setDeleted(true);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <section className="openi-DangerZone">
      <h3 className="openi-SubTitle">{trans.__('Danger zone')}</h3>
      {deleted ? (
        <div>{trans.__('The project was deleted.')}</div>
      ) : (
        <button
          type="button"
          className="openi-Button openi-mod-danger"
          onClick={() => void confirm()}
        >
          {trans.__('Delete this project')}
        </button>
      )}
      {error && <ErrorLine trans={trans} message={error} />}
    </section>
  );
}
