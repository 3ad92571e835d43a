/**
 * `frontier train --checkpoint-every K --resume` with real processes: a run killed with SIGKILL
 * in the middle of boosting resumes from its checkpoints and saves models byte-identical to an
 * uninterrupted run's.
 */
import assert from "node:assert/strict";
import { generatedCsv } from "./train_fixture.ts";

const CLI = new URL("../../../scripts/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const decoder = new TextDecoder();

function trainArgs(input: string, out: string, extra: readonly string[]): string[] {
  return [
    "run",
    "-A",
    CLI,
    "train",
    "--input",
    input,
    "--label",
    "bought",
    "--models",
    "rf,gbt",
    "--importance-repeats",
    "0",
    "--seed",
    "3",
    "--executors",
    "1",
    "--out",
    out,
    "--progress",
    ...extra,
  ];
}

/** Runs `frontier train` to the end. */
async function train(input: string, out: string, extra: readonly string[]): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: trainArgs(input, out, extra),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = decoder.decode(r.stderr);
  assert.equal(r.code, 0, err);
  return err;
}

/** Runs `frontier train` and kills it (SIGKILL) once its stderr has a line matching `when`. */
async function trainAndKill(
  input: string,
  out: string,
  extra: readonly string[],
  when: RegExp,
): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: trainArgs(input, out, extra),
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (!when.test(err)) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    assert.match(err, when, "the run ended before the kill point");
    child.kill("SIGKILL");
  } finally {
    await reader.cancel();
  }
  const status = await child.status;
  assert.equal(status.success, false);
  assert.equal(status.signal, "SIGKILL");
  return err;
}

async function modelFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of ["body.bin", "body.json"]) {
    const bytes = await Deno.readFile(`${dir}/${file}`);
    out[file] = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  const model = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  out["params"] = JSON.stringify(model.params);
  out["metrics"] = JSON.stringify(model.metrics);
  return out;
}

/** The steps of the checkpoints in `dir` (`step-000000006` → 6). */
async function checkpointSteps(dir: string): Promise<number[]> {
  const steps: number[] = [];
  for await (const e of Deno.readDir(dir)) {
    const m = /^step-(\d+)$/.exec(e.name);
    if (m) steps.push(Number(m[1]));
  }
  return steps;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("a train run killed mid-boosting resumes with --resume and saves the models an uninterrupted run saves", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-resume-" });
  try {
    const input = `${dir}/purchases.csv`;
    await Deno.writeTextFile(input, generatedCsv(3000, 21).text);
    const every = ["--checkpoint-every", "2"];

    await train(input, `${dir}/whole`, every);
    assert.equal(await exists(`${dir}/whole/checkpoints`), false, "checkpoints are removed after a run");

    // rf (50 trees in groups of 20) completes first; gbt checkpoints after rounds 2, 4, 6, …
    const killed = await trainAndKill(input, `${dir}/resumed`, every, /gbt: round 7,/);
    assert.match(killed, /rf: saved/);
    assert.equal(await exists(`${dir}/resumed/models/gbt`), false);
    // The line of round 7 comes after the checkpoint of 6 rounds is in place; the run may already
    // have saved the one of 8 rounds, which removes it, before the kill lands.
    const steps = await checkpointSteps(`${dir}/resumed/checkpoints/gbt/fit`);
    assert.ok(steps.length > 0 && Math.max(...steps) >= 6, `checkpoint steps: ${steps}`);

    const resumed = await train(input, `${dir}/resumed`, [...every, "--resume"]);
    assert.match(resumed, /resuming from the checkpoints in/);
    assert.match(resumed, /gbt: resumed from the checkpoint after \d+ rounds/);
    assert.match(resumed, /rf: resumed from the checkpoint after 40 trees/);
    assert.doesNotMatch(resumed, /gbt: round 0,/);
    for (const model of ["rf", "gbt"]) {
      assert.deepEqual(
        await modelFiles(`${dir}/resumed/models/${model}`),
        await modelFiles(`${dir}/whole/models/${model}`),
        `${model} after resuming`,
      );
    }

    // another seed is another run: its checkpoints are not resumed
    await trainAndKill(input, `${dir}/other`, every, /gbt: round 3,/);
    const other = await new Deno.Command(Deno.execPath(), {
      args: trainArgs(input, `${dir}/other`, [...every, "--resume", "--seed", "4"]),
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.notEqual(other.code, 0);
    assert.match(decoder.decode(other.stderr), /Cannot resume: the checkpoints in .* another .*seed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
