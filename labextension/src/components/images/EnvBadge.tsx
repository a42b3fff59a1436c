import * as React from 'react';

import type { IImage } from '../../api/images';
import type { ITrans } from '../../i18n';

/** The msgid of an image's environment state. */
export function envLabel(image: IImage): string {
  if (image.environment === 'server') {
    return 'This server’s Python';
  }
  switch (image.env.state) {
    case 'ready':
      return 'Ready';
    case 'building':
      return 'Building…';
    case 'failed':
      return 'Build failed';
    default:
      return 'Not built yet';
  }
}

/** A small badge with the state of an image's environment. */
export function EnvBadge(props: { image: IImage; trans: ITrans }): JSX.Element {
  const { image, trans } = props;
  const warn = image.env.state === 'failed' ? ' openi-mod-warn' : '';
  return (
    <span
      className={`openi-Badge${warn}`}
      data-testid="openi-image-env-state"
      data-state={image.environment === 'server' ? 'server' : image.env.state}
      title={image.env.python ?? ''}
    >
      {trans.__(envLabel(image))}
    </span>
  );
}
