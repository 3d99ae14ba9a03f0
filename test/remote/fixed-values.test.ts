import { describe, expect, it } from 'vitest';
import { DAY2_RELEASE_CHECK, DAY2_RESTART, DAY2_SERVICE_UP, DAY2_STACK_SWITCH, LIB_APT, LIB_PROBE, PRUNE_RELEASES, STACK_CHECK, STACK_UP } from '../../src/remote/generated-scripts.js';
import { EXIT_GATE_NOT_RESTORED, EXIT_GATE_RESTORED } from '../../src/steps/day2/scripts.js';
import { GUARD_HEADER } from '../../src/engine/guards.js';
import { CHECK_REPORT_LINES, CHECK_TIMEOUT_S, MARK, MAX_DIFF_BYTES } from '../../src/engine/probe-script.js';
import { APT_GET, APT_WAIT, DPKG_LOCK_TIMEOUT_SECONDS } from '../../src/steps/apt.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS } from '../../src/steps/deploy/health-gate.js';
import { INPUTS_LABEL } from '../../src/render/compose.js';
import { COMPOSE_FILES, MANIFEST_FILE } from '../../src/render/release-manifest.js';
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
    expect(DAY2_RELEASE_CHECK).toContain(`{{.Label "${INPUTS_LABEL}"}}`);
    // The day-2 outcomes are exit codes: restored (3) or not (4).
    expect(DAY2_STACK_SWITCH).toContain(`healthy" >&2; exit ${EXIT_GATE_RESTORED}; fi`);
    expect(DAY2_STACK_SWITCH).toMatch(new RegExp(`either" >&2\\nexit ${EXIT_GATE_NOT_RESTORED}$`));
    expect(DAY2_SERVICE_UP).toContain(`code=${EXIT_GATE_RESTORED}`);
    expect(DAY2_SERVICE_UP).toContain(`code=${EXIT_GATE_NOT_RESTORED}`);
    expect(DAY2_RESTART).toContain(`|| exit ${EXIT_GATE_NOT_RESTORED}`);
    expect(LIB_PROBE).toContain(`{{.ID}}\t{{.Label "${INPUTS_LABEL}"}}`);
    expect(LIB_PROBE).toContain(`base64 -w0 -- "\${r}${MANIFEST_FILE}"`);
    expect(LIB_PROBE).toContain(`for c in ${COMPOSE_FILES.infra} ${COMPOSE_FILES.apps}; do`);
  });
});
