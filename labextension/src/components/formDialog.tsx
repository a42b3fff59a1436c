import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ITrans } from '../i18n';

/** What a form inside `showFormDialog` tells its dialog. */
export interface IFormDialogControl {
  /** Enables the footer's primary button while the form can be sent. */
  setCanSubmit(can: boolean): void;
  /** Closes the dialog: the form's request succeeded. */
  finish(): void;
}

/**
 * A dialog whose body is a form sending its own request. Its primary button
 * (and Enter in a field) submits the form instead of closing the dialog, so
 * a refused request keeps it open with the server's field errors, while
 * Cancel and the primary action stay together in the footer, always in view.
 */
class FormDialog extends Dialog<unknown> implements IFormDialogControl {
  setCanSubmit(can: boolean): void {
    this._canSubmit = can;
    const accept = this._acceptNode();
    if (accept) {
      accept.disabled = !can;
    }
  }

  finish(): void {
    // Button 0 is Cancel: the caller keeps what the form created.
    super.resolve(0);
  }

  /** Cancel (index 0) closes; the primary button submits the form. */
  override resolve(index?: number): void {
    if (index === 0) {
      super.resolve(0);
    } else if (this._canSubmit) {
      this.node.querySelector('form')?.requestSubmit();
    }
  }

  private _acceptNode(): HTMLButtonElement | null {
    return this.node.querySelector('.jp-Dialog-footer .jp-mod-accept');
  }

  private _canSubmit = false;
}

/**
 * Shows `renderForm`'s form in a dialog with Cancel and `accept` in its
 * footer; resolves once the form closed it or the user cancelled.
 */
export async function showFormDialog(options: {
  trans: ITrans;
  title: string;
  /** The primary button's label. */
  accept: string;
  /** `data-testid` of the primary button. */
  acceptTestId: string;
  /** Class of the dialog's node (sizes the body). */
  className: string;
  /** The field focused first. */
  focusNodeSelector?: string;
  renderForm: (control: IFormDialogControl) => JSX.Element;
}): Promise<void> {
  const { trans, renderForm } = options;
  // Assigned before the form renders: the body renders once attached.
  let dialog: FormDialog | undefined = undefined;
  const control: IFormDialogControl = {
    setCanSubmit: can => dialog?.setCanSubmit(can),
    finish: () => dialog?.finish()
  };
  dialog = new FormDialog({
    title: options.title,
    body: ReactWidget.create(renderForm(control)),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: options.accept })
    ],
    focusNodeSelector: options.focusNodeSelector
  });
  dialog.addClass('openi-FormDialog');
  dialog.addClass(options.className);
  dialog.node
    .querySelector('.jp-Dialog-footer .jp-mod-accept')
    ?.setAttribute('data-testid', options.acceptTestId);
  dialog.setCanSubmit(false);
  const closed = dialog.launch();
  void focusInside(dialog);
  await closed;
  dialog.dispose();
}

const FIELD = ['input:not([type="hidden"])', 'select', 'textarea']
  .map(f => `.jp-Dialog-body ${f}:not([disabled])`)
  .join(', ');

/**
 * Puts the focus in the dialog: JupyterLab focuses the primary button, which
 * is disabled until the form can be sent and so takes no focus, and Escape
 * and Enter only reach a dialog holding it. The first field gets it once the
 * form has rendered, else Cancel.
 */
async function focusInside(dialog: Dialog<unknown>): Promise<void> {
  for (let frame = 0; frame < 30 && !dialog.isDisposed; frame++) {
    if (dialog.node.contains(document.activeElement)) {
      return;
    }
    const field = dialog.node.querySelector<HTMLElement>(FIELD);
    if (field) {
      field.focus();
      return;
    }
    await new Promise(resolve => requestAnimationFrame(resolve));
  }
  if (!dialog.isDisposed && !dialog.node.contains(document.activeElement)) {
    dialog.node
      .querySelector<HTMLElement>('.jp-Dialog-footer .jp-mod-reject')
      ?.focus();
  }
}

/**
 * Keeps the dialog's primary button enabled exactly while `can`. Runs after
 * every render: the dialog's own check on each input re-enables the button
 * whenever no field is `:invalid`.
 */
export function useCanSubmit(control: IFormDialogControl, can: boolean): void {
  React.useEffect(() => control.setCanSubmit(can));
}
