import * as React from 'react';

import type { Visibility } from '../../api';
import { EmptyState } from '../status';
import { DeleteProject } from './DeleteProject';
import { useEnv, useProject } from './env';
import { FieldError, FormError, fieldErrors } from './FieldErrors';
import { useAsync } from './useAsync';

/** Settings (项目设置), for admins: `PATCH projects/{o}/{n}`, delete. */
export function SettingsTab(): JSX.Element {
  const { trans } = useEnv();
  const { repo, project, isAdmin, reload } = useProject();
  const branches = useAsync(() => repo.branches(), repo.fullName);
  const [description, setDescription] = React.useState(project.description);
  const [visibility, setVisibility] = React.useState<Visibility>(
    project.visibility
  );
  const [topics, setTopics] = React.useState((project.topics ?? []).join(', '));
  const [archived, setArchived] = React.useState(!!project.is_archived);
  const [branch, setBranch] = React.useState(project.default_branch ?? '');
  const [error, setError] = React.useState<unknown>(undefined);
  const [saved, setSaved] = React.useState(false);
  const errors = fieldErrors(error);

  if (!isAdmin) {
    return (
      <EmptyState
        message={trans.__('Only project admins can change settings.')}
      />
    );
  }

  const save = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      await repo.update({
        description,
        visibility,
        topics: topics
          .split(/[,\s]+/)
          .map(t => t.trim())
          .filter(Boolean),
        archived,
        ...(branch ? { default_branch: branch } : {})
      });
      setSaved(true);
      reload();
    } catch (reason) {
      setError(reason);
    }
  };

  return (
    <div className="openi-SettingsTab" data-testid="openi-settings-tab">
      <form className="openi-Form" onSubmit={e => void save(e)}>
        <label className="openi-Field">
          <span>{trans.__('Description')}</span>
          <input
            className="openi-Input"
            value={description}
            onChange={e => setDescription(e.currentTarget.value)}
          />
          <FieldError errors={errors} field="description" />
        </label>
        <label className="openi-Field">
          <span>{trans.__('Visibility')}</span>
          <select
            className="openi-Select"
            value={visibility}
            onChange={e => setVisibility(e.currentTarget.value as Visibility)}
          >
            <option value="public">{trans.__('Public')}</option>
            <option value="private">{trans.__('Private')}</option>
          </select>
          <FieldError errors={errors} field="visibility" />
        </label>
        <label className="openi-Field">
          <span>{trans.__('Topics (comma separated)')}</span>
          <input
            className="openi-Input"
            value={topics}
            onChange={e => setTopics(e.currentTarget.value)}
          />
          <FieldError errors={errors} field="topics" />
        </label>
        <label className="openi-Field">
          <span>{trans.__('Default branch')}</span>
          <select
            className="openi-Select"
            value={branch}
            onChange={e => setBranch(e.currentTarget.value)}
          >
            {!(branches.data ?? []).some(b => b.name === branch) && (
              <option value={branch}>{branch}</option>
            )}
            {(branches.data ?? []).map(b => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="default_branch" />
        </label>
        <label className="openi-Field openi-mod-inline">
          <input
            type="checkbox"
            checked={archived}
            onChange={e => setArchived(e.currentTarget.checked)}
          />
          <span>{trans.__('Archived (read-only)')}</span>
        </label>
        <FormError error={error} />
        <div className="openi-Form-buttons">
          {saved && <span className="openi-muted">{trans.__('Saved')}</span>}
          <button type="submit" className="openi-Button openi-mod-primary">
            {trans.__('Save')}
          </button>
        </div>
      </form>
      <DeleteProject />
    </div>
  );
}
