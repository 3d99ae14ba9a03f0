// Builds and publishes the test bed (called by bootstrap.sh after the build): quiet unless it does something.
import { prepareBed } from '../../dist/sandbox/prepare-bed.js';

const started = Date.now();
try {
  const bed = await prepareBed(process.env, (line) => process.stderr.write(`bootstrap: ${line}\n`));
  if (bed.built.length > 0 || bed.published > 0) {
    process.stderr.write(`bootstrap: test bed ready in ${Math.round((Date.now() - started) / 1000)} s (${bed.built.length} images built, ${bed.published} published)\n`);
  }
} catch (error) {
  process.stderr.write(`bootstrap: error: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}`);
  process.exitCode = 1;
}
