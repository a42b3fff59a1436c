import * as React from 'react';

import type { IComment } from '../../../api';
import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { FormError } from '../FieldErrors';
import { useAsync } from '../useAsync';
import { Markdown } from './Markdown';

/** One comment (or the opening post) with its author and time. */
export function CommentCard(props: {
  author: string;
  createdAt: string;
  body: string;
}): JSX.Element {
  const { author, createdAt, body } = props;
  const { trans } = useEnv();
  return (
    <article className="openi-Comment" data-testid="openi-comment">
      <header className="openi-Comment-head">
        <strong>{author}</strong>{' '}
        <time className="openi-muted" dateTime={createdAt}>
          {trans.relativeTime(createdAt)}
        </time>
      </header>
      <div className="openi-Comment-body">
        {body ? (
          <Markdown source={body} />
        ) : (
          <span className="openi-muted">{trans.__('No description')}</span>
        )}
      </div>
    </article>
  );
}

/** Comments of an issue or pull request, and the box to add one. */
export function Comments(props: {
  number: number;
  onChange?: () => void;
}): JSX.Element {
  const { number, onChange } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const comments = useAsync(
    () => repo.comments(number),
    `${repo.fullName}#${number}`
  );
  const [draft, setDraft] = React.useState('');
  const [error, setError] = React.useState<unknown>(undefined);
  const [busy, setBusy] = React.useState(false);

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await repo.addComment(number, draft);
      setDraft('');
      comments.reload();
      onChange?.();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="openi-Comments">
      <AsyncView state={comments}>
        {data =>
          data.items.map((c: IComment) => (
            <CommentCard
              key={c.id}
              author={c.author?.username ?? '?'}
              createdAt={c.created_at}
              body={c.body}
            />
          ))
        }
      </AsyncView>
      <form className="openi-Form" onSubmit={e => void submit(e)}>
        <textarea
          className="openi-Input openi-Textarea"
          value={draft}
          rows={4}
          placeholder={trans.__('Leave a comment (markdown)')}
          aria-label={trans.__('Comment')}
          onChange={e => setDraft(e.currentTarget.value)}
        />
        <FormError error={error} />
        <div className="openi-Form-buttons">
          <button
            type="submit"
            className="openi-Button openi-mod-primary"
            disabled={busy || !draft.trim()}
          >
            {trans.__('Comment')}
          </button>
        </div>
      </form>
    </div>
  );
}
