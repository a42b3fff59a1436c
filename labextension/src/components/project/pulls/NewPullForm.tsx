import * as React from 'react';

import { useEnv, useProject } from '../env';
import { FieldError, FormError, fieldErrors } from '../FieldErrors';
import { useAsync } from '../useAsync';

/** "New pull request": base ← head branches, title, body. */
export function NewPullForm(props: {
  onCreated: (number: number) => void;
  onCancel: () => void;
}): JSX.Element {
  const { onCreated, onCancel } = props;
  const { trans } = useEnv();
  const { repo, project, reload } = useProject();
  const branches = useAsync(() => repo.branches(), repo.fullName);
  const names = (branches.data ?? []).map(b => b.name);
  const [base, setBase] = React.useState(project.default_branch ?? 'main');
  const [head, setHead] = React.useState('');
  const [title, setTitle] = React.useState('');
  const [body, setBody] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const pull = await repo.createPull({ title, body, head, base });
      reload();
      onCreated(pull.number);
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  const branchSelect = (
    field: 'base' | 'head',
    value: string,
    set: (v: string) => void
  ): JSX.Element => (
    <label className="openi-Field openi-mod-inline">
      <span>{field === 'base' ? trans.__('Base') : trans.__('Compare')}</span>
      <select
        className="openi-Select"
        name={field}
        value={value}
        onChange={e => set(e.currentTarget.value)}
      >
        <option value="">{trans.__('Choose a branch')}</option>
        {names.map(n => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <FieldError errors={errors} field={field} />
    </label>
  );

  return (
    <form className="openi-Form" onSubmit={e => void submit(e)}>
      <h3 className="openi-SubTitle">{trans.__('New pull request')}</h3>
      <div className="openi-Toolbar">
        {branchSelect('base', base, setBase)}
        <span>←</span>
        {branchSelect('head', head, setHead)}
      </div>
      <label className="openi-Field">
        <span>{trans.__('Title')}</span>
        <input
          className="openi-Input"
          value={title}
          required
          onChange={e => setTitle(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="title" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Description (markdown)')}</span>
        <textarea
          className="openi-Input openi-Textarea"
          value={body}
          rows={6}
          onChange={e => setBody(e.currentTarget.value)}
        />
      </label>
      <FormError error={error} />
      <div className="openi-Form-buttons">
        <button type="button" className="openi-Button" onClick={onCancel}>
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="openi-Button openi-mod-primary"
          disabled={busy || !title.trim() || !head || !base || head === base}
        >
          {trans.__('Create pull request')}
        </button>
      </div>
    </form>
  );
}
