// Runs every test stage in order — unit (node:test), the fault suite
// (test/faults: hostile processes, users and files, node:test), the fused-kernel unit
// tests again on Node 24 (relaxed-SIMD build), integration inside VS
// Code (mocha in code-server), end to end in the browser (Playwright) — and
// ends with one line that counts them all: "N passed, N failed, N skipped".
// Each stage's own output streams through unchanged.
import { spawn } from 'node:child_process';

const stages = [
  { name: 'unit', command: 'npm', args: ['run', '--silent', 'test:unit'] },
  { name: 'faults', command: 'npm', args: ['run', '--silent', 'test:faults'] },
  { name: 'kernels-relaxed', command: 'npm', args: ['run', '--silent', 'test:kernels-relaxed'] },
  { name: 'integration', command: 'npm', args: ['run', '--silent', 'test:integration'] },
  { name: 'e2e', command: 'npm', args: ['run', '--silent', 'test:e2e'] },
].filter((s) => !process.env.RSL_TEST_STAGES || process.env.RSL_TEST_STAGES.split(',').includes(s.name));

/** node:test's TAP summary ("# pass N" / "# fail N" / "# skipped N") or the harness' "N passed, N failed[, N skipped]". */
function count(output) {
  const last = (pattern) => [...output.matchAll(pattern)].at(-1);
  const tapPass = last(/^# pass (\d+)$/gm);
  const tapFail = last(/^# fail (\d+)$/gm);
  if (tapPass && tapFail) return { passed: Number(tapPass[1]), failed: Number(tapFail[1]), skipped: Number(last(/^# skipped (\d+)$/gm)?.[1] ?? 0) };
  const plain = last(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm);
  if (plain) return { passed: Number(plain[1]), failed: Number(plain[2]), skipped: Number(plain[3] ?? 0) };
  return undefined;
}

/** The distinct reasons the stage's skipped tests gave (TAP's "# SKIP <reason>"), so the closing lines say why. */
function skipReasons(output) {
  return [...new Set([...output.matchAll(/ # SKIP (.+)$/gm)].map((m) => m[1].trim()))];
}

function run(stage) {
  return new Promise((resolve) => {
    const child = spawn(stage.command, stage.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => resolve({ code, counted: count(output), skipReasons: skipReasons(output) }));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
for (const stage of stages) {
  process.stdout.write(`\n===== ${stage.name} tests =====\n`);
  const { code, counted, skipReasons: reasons } = await run(stage);
  // A stage that failed without reporting a failed test (it crashed) counts as one failure.
  const stageFailed = counted?.failed ?? 0;
  const extra = code !== 0 && stageFailed === 0 ? 1 : 0;
  passed += counted?.passed ?? 0;
  failed += stageFailed + extra;
  skipped += counted?.skipped ?? 0;
  summary.push(`${stage.name}: ${counted ? `${counted.passed} passed, ${counted.failed} failed, ${counted.skipped} skipped` : 'no count'}${code !== 0 ? ` (exit ${code})` : ''}`);
  summary.push(...reasons.map((reason) => `  skipped because: ${reason}`));
}
process.stdout.write(`\n${summary.join('\n')}\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
