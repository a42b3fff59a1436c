import { Token } from '@lumino/coreutils';

import type { OpenIClient } from './api';

/**
 * The shared REST API client. Plugins require this token instead of building
 * their own client, so every view talks to the server the same way.
 */
export const IOpenIClient = new Token<IOpenIClient>(
  'openi_lab:IOpenIClient',
  'The OpenI REST API client.'
);

/** Public interface of the API client service. */
export type IOpenIClient = OpenIClient;

/**
 * The OpenI sidebar, so commands (and later plugins) can reveal or reload it
 * without knowing how it is built.
 */
export const IOpenISidebar = new Token<IOpenISidebar>(
  'openi_lab:IOpenISidebar',
  'The OpenI left sidebar panel.'
);

export interface IOpenISidebar {
  /** Widget id in the shell (`openi-lab-sidebar`). */
  readonly id: string;
  /** Reloads every section from the server. */
  refresh(): void;
}
