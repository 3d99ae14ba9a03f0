import { LIB_UFW } from '../../remote/generated-scripts.js';

/**
 * ufw's state read from its files and the kernel instead of by running `ufw` (a Python program
 * that costs 150-300 ms a start): src/remote/lib/ufw.sh defines `ufw_on`, `ufw_added` and
 * `ufw_keep_vpn_ssh` (a script that needs them says `# uses: ufw`). Changes still go through
 * `ufw` itself.
 */
export const UFW_ADDED = LIB_UFW;

/** The shell call that is true when the firewall is on (defined by UFW_ADDED's library). */
export const UFW_ON = 'ufw_on';
