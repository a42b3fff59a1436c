import * as React from 'react';

import type { IProject, IProjectCreate, OpenIClient, Visibility } from '../api';
import type { ITrans } from '../i18n';
import { useCanSubmit, type IFormDialogControl } from './formDialog';
import { FieldError, FormError, fieldErrors } from './project/FieldErrors';
import { useRequest } from './hooks';

/**
 * The "New project" form: `POST projects`, with field errors under fields.
 * Its dialog's footer holds the submit button.
 */
export function NewProjectForm(props: {
  client: OpenIClient;
  trans: ITrans;
  control: IFormDialogControl;
  onCreated: (project: IProject) => void;
}): JSX.Element {
  const { client, trans, control, onCreated } = props;
  const owners = useRequest(
    async () => [
      (await client.getCurrentUser()).username,
      ...(await client.listMyOrgs({ per_page: 100 })).items.map(o => o.name)
    ],
    0
  );
  const [form, setForm] = React.useState<IProjectCreate>({
    name: '',
    description: '',
    visibility: 'public',
    auto_init: true,
    gitignore: null,
    license: null
  });
  const [owner, setOwner] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);
  const set = (patch: Partial<IProjectCreate>): void =>
    setForm(f => ({ ...f, ...patch }));
  useCanSubmit(control, !busy && !!form.name.trim());

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await client.createProject({ ...form, owner: owner || undefined })
      );
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <form
      className="openi-Form"
      data-testid="openi-new-project-form"
      onSubmit={e => void submit(e)}
    >
      <div className="openi-Toolbar">
        <label className="openi-Field">
          <span>{trans.__('Owner')}</span>
          <select
            className="openi-Select"
            value={owner}
            onChange={e => setOwner(e.currentTarget.value)}
          >
            {(owners.data ?? ['']).map((o, i) => (
              <option key={o} value={i === 0 ? '' : o}>
                {o || trans.__('Me')}
              </option>
            ))}
          </select>
        </label>
        <label className="openi-Field openi-mod-grow">
          <span>{trans.__('Project name')}</span>
          <input
            className="openi-Input"
            name="name"
            value={form.name}
            required
            onChange={e => set({ name: e.currentTarget.value })}
          />
        </label>
      </div>
      <FieldError errors={errors} field="owner" />
      <FieldError errors={errors} field="name" />
      <label className="openi-Field">
        <span>{trans.__('Description')}</span>
        <input
          className="openi-Input"
          name="description"
          value={form.description}
          onChange={e => set({ description: e.currentTarget.value })}
        />
        <FieldError errors={errors} field="description" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Visibility')}</span>
        <select
          className="openi-Select"
          value={form.visibility}
          onChange={e =>
            set({ visibility: e.currentTarget.value as Visibility })
          }
        >
          <option value="public">{trans.__('Public')}</option>
          <option value="private">{trans.__('Private')}</option>
        </select>
      </label>
      <label className="openi-Field openi-mod-inline">
        <input
          type="checkbox"
          checked={!!form.auto_init}
          onChange={e => set({ auto_init: e.currentTarget.checked })}
        />
        <span>{trans.__('Initialise with a README')}</span>
      </label>
      <label className="openi-Field openi-mod-inline">
        <input
          type="checkbox"
          checked={form.gitignore === 'python'}
          onChange={e =>
            set({ gitignore: e.currentTarget.checked ? 'python' : null })
          }
        />
        <span>{trans.__('Add a Python .gitignore')}</span>
      </label>
      <label className="openi-Field">
        <span>{trans.__('Licence')}</span>
        <select
          className="openi-Select"
          value={form.license ?? ''}
          onChange={e =>
            set({
              license: (e.currentTarget.value ||
                null) as IProjectCreate['license']
            })
          }
        >
          <option value="">{trans.__('None')}</option>
          <option value="mit">MIT</option>
          <option value="apache-2.0">Apache-2.0</option>
        </select>
        <FieldError errors={errors} field="license" />
      </label>
      <FormError error={error} />
      {busy && (
        <p className="openi-muted" role="status">
          {trans.__('Creating…')}
        </p>
      )}
    </form>
  );
}
