import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { errorMessage } from '../../api';
import type { CommunityClient } from '../../api/community';
import type { IRecRequestCreate } from '../../api/communityTypes';
import type { ITrans } from '../../i18n';

/** The dialog's form: kind, target and a reason. */
class RequestForm
  extends Widget
  implements Dialog.IBodyWidget<IRecRequestCreate>
{
  constructor(trans: ITrans) {
    super();
    this.addClass('openi-RecRequestForm');
    const kind = document.createElement('select');
    kind.dataset.testid = 'openi-recommend-kind';
    for (const [value, label] of [
      ['project', trans.__('Project (owner/name)')],
      ['org', trans.__('Organisation')]
    ]) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      kind.appendChild(option);
    }
    const target = document.createElement('input');
    target.placeholder = 'OpenI/aiforge';
    target.dataset.testid = 'openi-recommend-target';
    const reason = document.createElement('textarea');
    reason.maxLength = 500;
    reason.rows = 4;
    reason.placeholder = trans.__('Why should others look at it?');
    for (const [label, input] of [
      [trans.__('Kind'), kind],
      [trans.__('Name'), target],
      [trans.__('Reason'), reason]
    ] as const) {
      const row = document.createElement('label');
      row.className = 'openi-RecRequestForm-row';
      const text = document.createElement('span');
      text.textContent = label;
      row.append(text, input);
      this.node.appendChild(row);
    }
    this._kind = kind;
    this._target = target;
    this._reason = reason;
  }

  getValue(): IRecRequestCreate {
    return {
      kind: this._kind.value as 'org' | 'project',
      target: this._target.value.trim(),
      reason: this._reason.value.trim()
    };
  }

  private _kind: HTMLSelectElement;
  private _target: HTMLInputElement;
  private _reason: HTMLTextAreaElement;
}

/**
 * "Submit yours" (推荐): asks the admins to recommend an organisation I own
 * or a public project I administer; they approve or reject it.
 */
export async function submitRecommendation(
  community: CommunityClient,
  trans: ITrans
): Promise<void> {
  const result = await showDialog({
    title: trans.__('Submit for recommendation'),
    body: new RequestForm(trans),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Submit') })
    ]
  });
  if (!result.button.accept || !result.value || !result.value.target) {
    return;
  }
  try {
    await community.requestRecommendation(result.value);
    Notification.success(
      trans.__('Request sent: an administrator will review it.'),
      { autoClose: 5000 }
    );
  } catch (error) {
    Notification.error(errorMessage(error), { autoClose: 8000 });
  }
}
