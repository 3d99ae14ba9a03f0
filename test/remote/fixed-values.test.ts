import { describe, expect, it } from 'vitest';
import { LIB_APT, LIB_PROBE, PRUNE_RELEASES, STACK_CHECK, STACK_UP } from '../../src/remote/generated-scripts.js';
import { GUARD_HEADER } from '../../src/engine/guards.js';
import { CHECK_REPORT_LINES, CHECK_TIMEOUT_S, MARK, MAX_DIFF_BYTES } from '../../src/engine/probe-script.js';
import { APT_GET, APT_WAIT, DPKG_LOCK_TIMEOUT_SECONDS } from '../../src/steps/apt.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS } from '../../src/steps/deploy/health-gate.js';
import { INPUTS_LABEL } from '../../src/render/compose.js';
import { MANIFEST_FILE } from '../../src/render/release-manifest.js';
import { PROGRESS_FN, PROGRESS_MARK } from '../../src/shell/progress.js';

/**
 * A few fixed names and numbers of the protocol between this tool and its remote scripts are
 * written in the .sh files themselves (a script is a real file, not text built around values):
 * they must agree with the TypeScript side.
 */
describe('fixed values in src/remote', () => {
  it('agree with the TypeScript constants of the same meaning', () => {
    expect(STACK_CHECK).toContain(`{{.Label "${INPUTS_LABEL}"}}`);
    expect(STACK_UP).toContain(`--filter "label=${INPUTS_LABEL}=$want"`);
    expect(STACK_UP.match(/hlw_gate "\$2" (\d+) \$gate/g)).toEqual([`hlw_gate "$2" ${DEFAULT_HEALTH_TIMEOUT_SECONDS} $gate`, `hlw_gate "$2" ${DEFAULT_HEALTH_TIMEOUT_SECONDS} $gate`]);
    expect(PRUNE_RELEASES).toContain(`[ -f "$r/${MANIFEST_FILE}" ]`);
    expect(PROGRESS_FN).toContain(`\nhlw_progress() { printf '${PROGRESS_MARK}%s\\n' "$*"; }`);
    expect(APT_WAIT).toContain(`_al_bound=\${1:-${DPKG_LOCK_TIMEOUT_SECONDS}}`);
    expect(LIB_APT).toContain(`hlw_apt_get() { ${APT_GET} "$@"; }`);
    expect(LIB_PROBE).toContain(`e() { printf '${MARK} %s\\n' "$*"; }`);
    expect(LIB_PROBE).toContain(`printf '${MARK} content %s %s '`);
    expect(LIB_PROBE).toContain(`if [ "\${m##* }" -le ${MAX_DIFF_BYTES} ]`);
    expect(LIB_PROBE.match(/\( timeout (\d+) "\$@" \)/g)).toEqual([`( timeout ${CHECK_TIMEOUT_S} "$@" )`, `( timeout ${CHECK_TIMEOUT_S} "$@" )`]);
    expect(LIB_PROBE).toContain(`head -n ${CHECK_REPORT_LINES} | base64`);
    expect(LIB_PROBE).toContain(`sed -n 's/^${GUARD_HEADER}//p'`);
  });
});
