import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';

import { ZH_CN_CODE_HOSTING } from './i18nCodeHosting';
import { ZH_CN_COMMUNITY } from './i18nCommunity';
import { ZH_CN_DATASETS } from './i18nDatasets';
import { ZH_CN_IMAGES } from './components/images/i18n';
import { ZH_CN_MODELS } from './i18nModels';
import { ZH_CN_ONECLICK } from './components/oneclick/i18n';
import { ZH_CN_TASKS } from './i18nTasks';
import { I18N_DOMAIN } from './ids';

/**
 * Simplified Chinese catalog of the extension.
 *
 * No JupyterLab language pack ships the `openi_lab` domain, so the strings
 * live here and are used whenever the UI language is Chinese. Keys are the
 * English msgids; plural msgids are keyed by their singular form because
 * Chinese has a single plural form.
 */
export const ZH_CN_CATALOG: Readonly<Record<string, string>> = {
  // tasks first: the shared words of older catalogs win
  ...ZH_CN_TASKS,
  ...ZH_CN_COMMUNITY,
  OpenI: 'OpenI 启智',
  'Open OpenI sidebar': '打开 OpenI 侧边栏',
  'Refresh OpenI': '刷新 OpenI',
  'Open OpenI API document': '打开 OpenI API 文档',
  Refresh: '刷新',
  Explore: '探索',
  Projects: '项目',
  Datasets: '数据集',
  'Cloud brain': '云脑',
  Models: '模型',
  Dashboard: '数字看板',
  'Loading…': '加载中…',
  'Error: %1': '出错：%1',
  Retry: '重试',
  More: '更多',
  'Showing %1 of %2': '已显示 %1 / %2',
  'Signed in as %1': '当前用户：%1',
  'Not signed in': '未登录',
  Admin: '管理员',
  Private: '私有',
  Public: '公开',
  'No description': '暂无描述',
  '%1 member': '%1 名成员',
  '%1 team': '%1 个团队',
  '%1 project': '%1 个项目',
  'No organisations yet.': '暂无组织。',
  'No projects yet.': '暂无项目。',
  'Updated %1': '更新于 %1',
  'just now': '刚刚',
  'Coming soon': '即将推出',
  'Your cloud brain debugging, training and inference tasks will appear here.':
    '你的云脑调试、训练和推理任务将显示在这里。',
  'Models you have trained or registered will appear here.':
    '你训练或登记的模型将显示在这里。',
  'Statistics of your projects, tasks and resource usage will appear here.':
    '你的项目、任务和资源使用统计将显示在这里。',
  ...ZH_CN_CODE_HOSTING,
  ...ZH_CN_DATASETS,
  ...ZH_CN_IMAGES,
  ...ZH_CN_MODELS,
  ...ZH_CN_ONECLICK
};

/** The translation helpers every view receives. */
export interface ITrans {
  /** BCP 47 tag of the UI language, e.g. `en` or `zh-CN`. */
  readonly locale: string;
  /** Whether the Chinese catalog is in use. */
  readonly isChinese: boolean;
  /** Translates a message; `%1`, `%2`… are replaced by `args`. */
  __(msgid: string, ...args: Array<string | number>): string;
  /** Translates a count message; `%1` is `n`, `%2`… are `args`. */
  _n(
    singular: string,
    plural: string,
    n: number,
    ...args: Array<string | number>
  ): string;
  /** "3 hours ago" / "3小时前". */
  relativeTime(date: string | Date, now?: Date): string;
}

/** Whether a JupyterLab language code (`zh-CN`, `zh_CN`, `zh`) is Chinese. */
export function isChineseLocale(languageCode: string): boolean {
  return languageCode.toLowerCase().startsWith('zh');
}

/** Replaces `%1`, `%2`… in `text`, like JupyterLab's gettext. */
export function format(text: string, ...args: Array<string | number>): string {
  return text.replace(/%(\d+)/g, (match, index: string) => {
    const value = args[Number(index) - 1];
    return value === undefined ? match : String(value);
  });
}

// Largest unit first; the first one the elapsed time reaches is used.
const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60]
];

/**
 * Formats `date` relative to `now` with `Intl.RelativeTimeFormat`, which
 * speaks both English ("3 hours ago") and Chinese ("3小时前").
 */
export function formatRelativeTime(
  date: string | Date,
  locale: string,
  justNow: string,
  now: Date = new Date()
): string {
  const time = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(time.getTime())) {
    return typeof date === 'string' ? date : '';
  }
  const seconds = Math.round((time.getTime() - now.getTime()) / 1000);
  const elapsed = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) {
      return rtf.format(Math.trunc(seconds / size), unit);
    }
  }
  // Under a minute, and small clock skews into the future.
  return justNow;
}

/**
 * Builds the translation helpers: the Chinese catalog when the UI is Chinese,
 * JupyterLab's bundle for `openi_lab` otherwise (English msgids, or a
 * language pack should one ever ship the domain).
 */
export function createTrans(translator: ITranslator): ITrans {
  const bundle: TranslationBundle = translator.load(I18N_DOMAIN);
  const languageCode = (translator.languageCode || 'en').replace('_', '-');
  const isChinese = isChineseLocale(languageCode);
  // English is the fallback for every other language (see module comment).
  const locale = isChinese ? 'zh-CN' : 'en';

  const __ = (msgid: string, ...args: Array<string | number>): string => {
    const zh = isChinese ? ZH_CN_CATALOG[msgid] : undefined;
    return zh !== undefined ? format(zh, ...args) : bundle.__(msgid, ...args);
  };
  const _n = (
    singular: string,
    plural: string,
    n: number,
    ...args: Array<string | number>
  ): string => {
    const zh = isChinese ? ZH_CN_CATALOG[singular] : undefined;
    return zh !== undefined
      ? format(zh, n, ...args)
      : bundle._n(singular, plural, n, ...args);
  };

  return {
    locale,
    isChinese,
    __,
    _n,
    relativeTime: (date, now) =>
      formatRelativeTime(date, locale, __('just now'), now)
  };
}
