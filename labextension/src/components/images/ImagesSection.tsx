import * as React from 'react';

import { errorMessage, type IPage, type OpenIClient } from '../../api';
import { ImagesClient, type IImage } from '../../api/images';
import type { ITrans } from '../../i18n';
import { usePagedList } from '../hooks';
import { PagedBody } from '../PagedBody';
import { NewImageForm } from './NewImageForm';
import { EnvBadge } from './EnvBadge';

const PER_PAGE = 20;
/** How often the list is reloaded while an environment builds (ms). */
const BUILD_POLL_MS = 2000;

/** Cloud-brain images (云脑镜像) in the sidebar: search, create, build, log. */
export function ImagesSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const images = React.useMemo(
    () => new ImagesClient(client.serverSettings),
    [client]
  );
  const [q, setQ] = React.useState('');
  const [draft, setDraft] = React.useState('');
  const [creating, setCreating] = React.useState(false);
  const [tick, setTick] = React.useState(0);
  const load = (page: number): Promise<IPage<IImage>> =>
    images.list({ q, page, per_page: PER_PAGE });
  const list = usePagedList(load, JSON.stringify([generation, q, tick]));
  const building = list.items.some(i => i.env.state === 'building');

  React.useEffect(() => {
    if (!building) {
      return;
    }
    const timer = window.setTimeout(() => setTick(t => t + 1), BUILD_POLL_MS);
    return () => window.clearTimeout(timer);
  }, [building, list.items]);

  const empty = q
    ? trans.__('No images match “%1”.', q)
    : trans.__(
        'No images yet. Click “New image” to configure an environment once and use it in every task.'
      );

  return (
    <div className="openi-ImagesSection" data-testid="openi-images-section">
      <h3 className="openi-SubTitle">{trans.__('Images')}</h3>
      <div className="openi-ProjectFilterBar">
        <div className="openi-ProjectFilterBar-row">
          <form
            className="openi-SearchForm"
            onSubmit={e => {
              e.preventDefault();
              setQ(draft.trim());
            }}
          >
            <input
              className="openi-Input"
              type="search"
              value={draft}
              placeholder={trans.__('Search images…')}
              aria-label={trans.__('Search images')}
              data-testid="openi-image-search"
              onChange={e => {
                setDraft(e.currentTarget.value);
                if (!e.currentTarget.value) {
                  setQ('');
                }
              }}
            />
          </form>
          {!creating && (
            <button
              type="button"
              className="openi-Button"
              data-testid="openi-new-image"
              onClick={() => setCreating(true)}
            >
              {trans.__('New image')}
            </button>
          )}
        </div>
      </div>
      {creating && (
        <NewImageForm
          images={images}
          trans={trans}
          onCreated={() => {
            setCreating(false);
            setTick(t => t + 1);
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <PagedBody
        list={list}
        trans={trans}
        emptyMessage={empty}
        renderItem={image => (
          <ImageItem
            key={image.id}
            image={image}
            images={images}
            trans={trans}
            onChanged={() => setTick(t => t + 1)}
          />
        )}
      />
    </div>
  );
}

function ImageItem(props: {
  image: IImage;
  images: ImagesClient;
  trans: ITrans;
  onChanged: () => void;
}): JSX.Element {
  const { image, images, trans, onChanged } = props;
  const [log, setLog] = React.useState<string | undefined>();
  const [error, setError] = React.useState<string | undefined>();
  const isEnv = image.environment === 'requirements';

  const showLog = async (): Promise<void> => {
    try {
      const got = await images.buildLog(image.id);
      setLog(got.text || trans.__('No build log yet.'));
    } catch (reason) {
      setError(errorMessage(reason));
    }
  };
  const build = async (): Promise<void> => {
    setError(undefined);
    try {
      await images.build(image.id);
      onChanged();
    } catch (reason) {
      setError(errorMessage(reason));
    }
  };
  const remove = async (): Promise<void> => {
    if (!window.confirm(trans.__('Delete image %1?', image.full_name))) {
      return;
    }
    setError(undefined);
    try {
      await images.delete(image.id);
      onChanged();
    } catch (reason) {
      setError(errorMessage(reason));
    }
  };

  return (
    <li className="openi-ListItem" data-testid="openi-image-item">
      <div className="openi-ListItem-title">
        <span className="openi-ListItem-name" title={image.full_name}>
          {image.full_name}
        </span>
        {image.visibility === 'private' && (
          <span className="openi-Badge">{trans.__('Private')}</span>
        )}
        <EnvBadge image={image} trans={trans} />
      </div>
      <div className="openi-ListItem-subtitle">
        {image.description || trans.__('No description')}
      </div>
      {image.container_image && (
        <div className="openi-ListItem-subtitle openi-mono">
          {image.container_image}
        </div>
      )}
      {isEnv && (
        <div className="openi-ListItem-subtitle openi-mono">
          {image.requirements.split('\n').join(', ')}
        </div>
      )}
      <div className="openi-ListItem-meta">
        {image.creator && (
          <span>{trans.__('by %1', image.creator.username)}</span>
        )}
        <time dateTime={image.updated_at}>
          {trans.__('Updated %1', trans.relativeTime(image.updated_at))}
        </time>
        {isEnv && image.env.builds > 0 && (
          <span>{trans.__('Built %1 times', image.env.builds)}</span>
        )}
      </div>
      <div className="openi-Toolbar">
        {isEnv && ['missing', 'failed'].includes(image.env.state) && (
          <button
            type="button"
            className="openi-LinkButton"
            data-testid="openi-image-build"
            onClick={() => void build()}
          >
            {trans.__('Build now')}
          </button>
        )}
        {isEnv && (
          <button
            type="button"
            className="openi-LinkButton"
            data-testid="openi-image-log"
            onClick={() =>
              log === undefined ? void showLog() : setLog(undefined)
            }
          >
            {log === undefined ? trans.__('Build log') : trans.__('Hide log')}
          </button>
        )}
        {image.can_edit && (
          <button
            type="button"
            className="openi-LinkButton"
            data-testid="openi-image-delete"
            onClick={() => void remove()}
          >
            {trans.__('Delete')}
          </button>
        )}
      </div>
      {image.env.state === 'failed' &&
        log === undefined &&
        image.env.log_tail && (
          <pre className="openi-Pre" data-testid="openi-image-log-tail">
            {image.env.log_tail}
          </pre>
        )}
      {log !== undefined && (
        <pre className="openi-Pre" data-testid="openi-image-log-text">
          {log}
        </pre>
      )}
      {error && (
        <div className="openi-FieldError" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}
