import * as React from 'react';

import type { Visibility } from '../../api';
import type { IImage, ImagesClient } from '../../api/images';
import type { ITrans } from '../../i18n';
import { FieldError, FormError, fieldErrors } from '../project/FieldErrors';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
const DESCRIPTION_MAX = 255;

/** "New image": name, description, visibility, container address, requirements. */
export function NewImageForm(props: {
  images: ImagesClient;
  trans: ITrans;
  onCreated: (image: IImage) => void;
  onCancel: () => void;
}): JSX.Element {
  const { images, trans, onCreated, onCancel } = props;
  const [name, setName] = React.useState('');
  const [description, setDescription] = React.useState('');
  const [visibility, setVisibility] = React.useState<Visibility>('public');
  const [container, setContainer] = React.useState('');
  const [requirements, setRequirements] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<unknown>(undefined);
  const errors = fieldErrors(error);
  const nameOk = NAME_PATTERN.test(name);

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await images.create({
          name,
          description,
          visibility,
          container_image: container.trim(),
          requirements
        })
      );
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <form
      className="openi-Form openi-NewImageForm"
      data-testid="openi-new-image-form"
      onSubmit={e => void submit(e)}
    >
      <label className="openi-Field">
        <span>{trans.__('Image name')}</span>
        <input
          className="openi-Input"
          name="name"
          value={name}
          required
          maxLength={40}
          data-testid="openi-image-name"
          onChange={e => setName(e.currentTarget.value)}
        />
        <FieldError errors={errors} field="name" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Description')}</span>
        <textarea
          className="openi-Textarea"
          name="description"
          rows={2}
          maxLength={DESCRIPTION_MAX}
          value={description}
          onChange={e => setDescription(e.currentTarget.value)}
        />
        <span className="openi-Field-hint">
          {description.length}/{DESCRIPTION_MAX}
        </span>
        <FieldError errors={errors} field="description" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Visibility')}</span>
        <select
          className="openi-Select"
          name="visibility"
          value={visibility}
          data-testid="openi-image-visibility"
          onChange={e => setVisibility(e.currentTarget.value as Visibility)}
        >
          <option value="public">{trans.__('Public')}</option>
          <option value="private">{trans.__('Private')}</option>
        </select>
      </label>
      <label className="openi-Field">
        <span>{trans.__('Container image address')}</span>
        <input
          className="openi-Input openi-mono"
          name="container_image"
          value={container}
          placeholder="registry.example.com/team/pytorch:2.1"
          data-testid="openi-image-container"
          onChange={e => setContainer(e.currentTarget.value)}
        />
        <span className="openi-Field-hint">
          {trans.__(
            'Used by cluster executors, e.g. registry.example.com/team/pytorch:2.1'
          )}
        </span>
        <FieldError errors={errors} field="container_image" />
      </label>
      <label className="openi-Field">
        <span>{trans.__('Requirements')}</span>
        <textarea
          className="openi-Textarea openi-mono"
          name="requirements"
          rows={5}
          value={requirements}
          placeholder={'numpy>=1.26\nscikit-learn==1.5.*'}
          data-testid="openi-image-requirements"
          onChange={e => setRequirements(e.currentTarget.value)}
        />
        <span className="openi-Field-hint">
          {trans.__(
            'One PEP 508 requirement a line; empty: this server’s Python.'
          )}
        </span>
        <FieldError errors={errors} field="requirements" />
      </label>
      <FormError error={error} />
      <div className="openi-Form-buttons">
        <button type="button" className="openi-Button" onClick={onCancel}>
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="openi-Button openi-mod-primary"
          disabled={busy || !nameOk}
          data-testid="openi-create-image"
        >
          {busy ? trans.__('Creating…') : trans.__('Create image')}
        </button>
      </div>
    </form>
  );
}
