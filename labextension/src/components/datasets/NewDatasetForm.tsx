import * as React from 'react';

import type { IDataset, IDatasetCreate, Visibility } from '../../api';
import { useEnv } from '../project/env';
import { FieldError, FormError, fieldErrors } from '../project/FieldErrors';

/** "New dataset": name, description, visibility; field errors under fields. */
export function NewDatasetForm(props: {
  /** `owner/name` of the project. */
  project: string;
  onCreated: (dataset: IDataset) => void;
  onCancel: () => void;
}): JSX.Element {
  const { project, onCreated, onCancel } = props;
  const { client, trans } = useEnv();
  const [form, setForm] = React.useState<Required<IDatasetCreate>>({
    name: '',
    description: '',
    visibility: 'public'
  });
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);
  const set = (patch: Partial<IDatasetCreate>): void =>
    setForm(f => ({ ...f, ...patch }));

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await client.datasets.create(project, {
          ...form,
          name: form.name.trim()
        })
      );
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <form
      className="openi-Form"
      data-testid="openi-new-dataset-form"
      onSubmit={e => void submit(e)}
    >
      <h3 className="openi-SubTitle">{trans.__('New dataset')}</h3>
      <label className="openi-Field">
        <span>{trans.__('Dataset name')}</span>
        <input
          className="openi-Input"
          name="name"
          value={form.name}
          required
          autoFocus
          onChange={e => set({ name: e.currentTarget.value })}
        />
        <FieldError errors={errors} field="name" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Description')}</span>
        <textarea
          className="openi-Textarea"
          name="description"
          rows={3}
          maxLength={1024}
          value={form.description}
          onChange={e => set({ description: e.currentTarget.value })}
        />
        <FieldError errors={errors} field="description" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Visibility')}</span>
        <select
          className="openi-Select"
          name="visibility"
          value={form.visibility}
          onChange={e =>
            set({ visibility: e.currentTarget.value as Visibility })
          }
        >
          <option value="public">{trans.__('Public')}</option>
          <option value="private">{trans.__('Private')}</option>
        </select>
        <FieldError errors={errors} field="visibility" />
      </label>
      <FormError error={error} />
      <div className="openi-Form-buttons">
        <button
          type="submit"
          className="openi-Button openi-mod-primary"
          disabled={busy || !form.name.trim()}
          data-testid="openi-create-dataset"
        >
          {busy ? trans.__('Creating…') : trans.__('Create dataset')}
        </button>
        <button type="button" className="openi-Button" onClick={onCancel}>
          {trans.__('Cancel')}
        </button>
      </div>
    </form>
  );
}
