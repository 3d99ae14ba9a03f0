import type { Step } from '../../plan/step.js';
import { sh, type HardenContext } from './context.js';
import { LOCALE_APPLY, LOCALE_CHECK, TIMEZONE_APPLY, TIMEZONE_CHECK } from '../../remote/generated-scripts.js';

export function timeLocaleSteps(ctx: HardenContext): Step[] {
  const { timezone, locale } = ctx.profile.locale;
  // `locale -a` lists fr_FR.UTF-8 as fr_FR.utf8.
  const localeId = locale.replace(/\.UTF-8$/, '.utf8');
  return [
    {
      id: 'harden.system.timezone',
      describe: `Time zone ${timezone}`,
      host: ctx.host.name,
      check: { argv: sh(TIMEZONE_CHECK, timezone) },
      apply: [{ argv: sh(TIMEZONE_APPLY, timezone) }],
      risk: 'safe',
      effect: 'update',
    },
    {
      id: 'harden.system.locale',
      describe: `Locale ${locale}`,
      host: ctx.host.name,
      check: { argv: sh(LOCALE_CHECK, locale, localeId) },
      apply: [
        {
          argv: sh(LOCALE_APPLY, locale),
        },
      ],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
