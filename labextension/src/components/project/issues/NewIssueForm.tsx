import * as React from 'react';

import { useEnv, useProject } from '../env';
import { FieldError, FormError, fieldErrors } from '../FieldErrors';

/** "New issue": title and markdown body (`POST …/issues`). */
export function NewIssueForm(props: {
  onCreated: (number: number) => void;
  onCancel: () => void;
}): JSX.Element {
  const { onCreated, onCancel } = props;
  const { trans } = useEnv();
  const { repo, reload } = useProject();
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
      const issue = await repo.createIssue({ title, body });
      reload();
      onCreated(issue.number);
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <form
      className="openi-Form"
      data-testid="openi-new-issue-form"
      onSubmit={e => void submit(e)}
    >
      <h3 className="openi-SubTitle">{trans.__('New issue')}</h3>
      <label className="openi-Field">
        <span>{trans.__('Title')}</span>
        <input
          className="openi-Input"
          name="title"
          value={title}
          required
          autoFocus
          onChange={e => setTitle(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="title" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Description (markdown)')}</span>
        <textarea
          className="openi-Input openi-Textarea"
          name="body"
          value={body}
          rows={8}
          onChange={e => setBody(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="body" />
      </label>
      <FormError error={error} />
      <div className="openi-Form-buttons">
        <button type="button" className="openi-Button" onClick={onCancel}>
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="openi-Button openi-mod-primary"
          disabled={busy || !title.trim()}
          data-testid="openi-submit-issue"
        >
          {trans.__('Submit new issue')}
        </button>
      </div>
    </form>
  );
}
