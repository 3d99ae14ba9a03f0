// The launcher as it was before the bundle: loads the tsc output (dist/main.js), one file per
// module. Kept only so the cold-start section can show the bundle's effect side by side.
const { run } = await import('../../dist/main.js');
process.exitCode = await run(process.argv.slice(2));
