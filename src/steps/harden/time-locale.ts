import type { Step } from '../../plan/step.js';
import { sh, type HardenContext } from './context.js';

export function timeLocaleSteps(ctx: HardenContext): Step[] {
  const { timezone, locale } = ctx.profile.locale;
  // `locale -a` lists fr_FR.UTF-8 as fr_FR.utf8.
  const localeId = locale.replace(/\.UTF-8$/, '.utf8');
  return [
    {
      id: 'harden.system.timezone',
      describe: `Time zone ${timezone}`,
      host: ctx.host.name,
      check: { argv: sh('[ "$(readlink /etc/localtime)" = "/usr/share/zoneinfo/$1" ] && [ "$(cat /etc/timezone 2>/dev/null)" = "$1" ]', timezone) },
      apply: [{ argv: sh('[ -f "/usr/share/zoneinfo/$1" ] && ln -sfn "/usr/share/zoneinfo/$1" /etc/localtime && echo "$1" > /etc/timezone', timezone) }],
      risk: 'safe',
      effect: 'update',
    },
    {
      id: 'harden.system.locale',
      describe: `Locale ${locale}`,
      host: ctx.host.name,
      check: { argv: sh('locale -a 2>/dev/null | grep -qx "$2" && grep -qx "LANG=$1" /etc/default/locale', locale, localeId) },
      apply: [
        {
          argv: sh(
            'case "$1" in C.*) ;; *) grep -q "^$1 UTF-8" /etc/locale.gen || echo "$1 UTF-8" >> /etc/locale.gen; locale-gen >/dev/null || exit 1 ;; esac; update-locale "LANG=$1"',
            locale,
          ),
        },
      ],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
