// SPDX-License-Identifier: Apache-2.0
// The playground of `cordon serve --playground` in a real browser (Debian's chromium, headless,
// driven by puppeteer-core). It starts the server on a free port, then does what a regulator
// would: opens the draft examples/drafts/iaas_rental.cordon, types a rule with a misspelt name,
// sees the diagnostic at its line:col, clicks it and fixes the name, sees the diagnostics go to
// none, decides an iFLYTEK rental story (the decision, the new rule, the citation 15 CFR 734.13
// and the explain trace), diffs the draft against the served policy (the draft's rules among the
// changes), and saves a screenshot. Every wait is bounded; the whole test stops itself at 55 s.
//
//   node playground.test.mjs --cordon build/compiler/cordon [--repo DIR] [--screenshot PNG]
//                            [--chromium PATH]
//
// --repo defaults to the checkout holding this file, --screenshot to the build directory's
// tests/playground/playground.png (the build directory being the one above the cordon binary's
// directory), --chromium to $CHROMIUM, or chromium, chromium-browser or google-chrome on PATH.
// puppeteer-core is found from the working directory's node_modules (where the ctest fixture runs
// `npm ci`), or through NODE_PATH. Exit status: 0 passed, 1 failed, 77 skipped (no chromium).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIP = 77;
const WHOLE_TEST_MS = 55_000;
const WAIT_MS = 10_000;
const DRAFT = 'examples/drafts/iaas_rental.cordon';
const STORY = 'iflytek_cloud_rental:1';  // iFLYTEK rents 8 A100s for an hour (8 chip-hours)
const CITATION = '15 CFR 734.13';

// ---- Arguments ---------------------------------------------------------------------------------

function usage(message) {
  console.error(`playground.test.mjs: ${message}`);
  console.error('usage: node playground.test.mjs --cordon PATH [--repo DIR] [--screenshot PNG] [--chromium PATH]');
  process.exit(1);
}
function parseArgs(argv) {
  const known = new Set(['--cordon', '--repo', '--screenshot', '--chromium']);
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    let [key, value] = argv[i].split(/=(.*)/s, 2);
    if (!known.has(key)) usage(`unknown argument ${argv[i]}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) usage(`${key} needs a value`);
      value = argv[++i];
    }
    out[key.slice(2)] = value;
  }
  if (!out.cordon) usage('--cordon PATH is required');
  return out;
}

const args = parseArgs(process.argv.slice(2));
const here = path.dirname(fileURLToPath(import.meta.url));
const cordon = path.resolve(args.cordon);
const repo = path.resolve(args.repo || path.join(here, '..', '..'));
const screenshot = path.resolve(args.screenshot
  || path.join(path.dirname(cordon), '..', 'tests', 'playground', 'playground.png'));

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch (_) { /* not here */ }
  }
  return null;
}
function findChromium() {
  const given = args.chromium || process.env.CHROMIUM;
  if (given) return fs.existsSync(given) ? given : null;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    const found = onPath(name);
    if (found) return found;
  }
  return null;
}
const chromium = findChromium();
if (!chromium) {
  console.log('SKIP: no Chromium (install Debian\'s `chromium`, or pass --chromium PATH): the playground\'s browser test did not run');
  process.exit(SKIP);
}
if (!fs.existsSync(cordon)) usage(`no cordon binary at ${cordon}`);
if (!fs.existsSync(path.join(repo, DRAFT))) usage(`${repo} is not a Cordon checkout (no ${DRAFT})`);

function loadPuppeteer() {
  const from = [process.cwd(), path.join(path.dirname(cordon), '..', 'tests', 'playground'), here];
  for (const dir of from) {
    try {
      return createRequire(path.join(dir, 'noop.cjs'))('puppeteer-core');
    } catch (_) { /* try the next place */ }
  }
  // The fixture records a registry it could not reach (a network or TLS failure, not a bad
  // lock file): then this machine cannot run the test, which says so and why.
  const unreachable = path.join(process.cwd(), 'npm-registry-unreachable.txt');
  if (fs.existsSync(unreachable)) {
    console.log('SKIP: the npm registry could not be reached, so puppeteer-core is not installed: '
      + fs.readFileSync(unreachable, 'utf8').trim());
    process.exit(SKIP);
  }
  console.error('FAIL: cannot find puppeteer-core: run `npm ci` where package-lock.json was copied '
    + '(the ctest fixture playground.npm_ci does), then run this from there or set NODE_PATH');
  process.exit(1);
}
const puppeteer = loadPuppeteer();

// ---- The run ---------------------------------------------------------------------------------

let server = null;
let serverLog = '';
let browser = null;
let currentStep = 'starting';
let stepCount = 0;
const pageProblems = [];

async function cleanup() {
  if (browser) {
    const b = browser;
    browser = null;
    await Promise.race([b.close().catch(() => {}), sleep(5000)]);
    try { b.process()?.kill('SIGKILL'); } catch (_) { /* already gone */ }
  }
  if (server && server.exitCode === null && server.signalCode === null) {
    const s = server;
    const exited = new Promise((resolve) => s.once('exit', () => resolve(true)));
    s.kill('SIGTERM');
    const ok = await Promise.race([exited, sleep(5000).then(() => false)]);
    if (!ok) {
      s.kill('SIGKILL');
      return 'the server did not exit within 5 s of SIGTERM (killed)';
    }
  }
  return null;
}

async function fail(message) {
  console.error(`FAIL at "${currentStep}": ${message}`);
  if (pageProblems.length) console.error(`page errors:\n  ${pageProblems.join('\n  ')}`);
  if (serverLog.trim()) console.error(`server stderr (last 2000 characters):\n${serverLog.slice(-2000)}`);
  await cleanup();
  console.log(`playground.browser: ${stepCount} passed, 1 failed`);
  process.exit(1);
}

const watchdog = setTimeout(() => {
  fail(`the whole test took longer than ${WHOLE_TEST_MS / 1000} s`);
}, WHOLE_TEST_MS);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function step(name, fn) {
  currentStep = name;
  const t0 = Date.now();
  await fn();
  stepCount++;
  console.log(`ok ${stepCount} - ${name} (${Date.now() - t0} ms)`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Starts `cordon serve --playground` and resolves with its URL, from the first stderr line.
function startServer() {
  return new Promise((resolve, reject) => {
    const argv = ['serve', '--playground', '--policy', 'stdlib/ear', '--listen', '127.0.0.1:0'];
    server = spawn(cordon, argv, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = null;
    let pending = '';
    const timer = setTimeout(() => reject(new Error('no "listening" line from the server within 15 s')), 15_000);
    server.stdout.on('data', () => { /* drained */ });
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (chunk) => {
      serverLog += chunk;
      if (serverLog.length > 100_000) serverLog = serverLog.slice(-50_000);
      if (first !== null) return;
      pending += chunk;
      const nl = pending.indexOf('\n');
      if (nl < 0) return;
      first = pending.slice(0, nl);
      clearTimeout(timer);
      const m = /^cordon serve: listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first);
      if (m && Number(m[2]) > 0) resolve(m[1]);
      else reject(new Error(`the server's first stderr line is not "cordon serve: listening on http://127.0.0.1:PORT": ${JSON.stringify(first)}`));
    });
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${cordon}: ${e.message}`));
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (first === null) reject(new Error(`the server exited (${signal || code}) before listening`));
      else if (browser) pageProblems.push(`the server exited (${signal || code}) during the test`);
    });
  });
}

// What the page shows, for failure messages.
async function pageState(page) {
  try {
    return await page.evaluate(() => {
      const text = (id) => (document.getElementById(id)?.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 400);
      return JSON.stringify({
        check: text('check-status'),
        diagnostics: text('diagnostics'),
        decideStatus: text('decide-status'),
        decision: text('decision'),
        diffStatus: text('diff-status'),
        diff: text('diff'),
        error: document.getElementById('error-banner')?.hidden ? '' : text('error-banner'),
      });
    });
  } catch (e) {
    return `(cannot read the page: ${e.message})`;
  }
}

async function waitUntil(page, what, fn, ...fnArgs) {
  try {
    await page.waitForFunction(fn, { timeout: WAIT_MS, polling: 50 }, ...fnArgs);
  } catch (e) {
    throw new Error(`waited ${WAIT_MS / 1000} s for ${what}: ${e.message.split('\n')[0]}\n  the page: ${await pageState(page)}`);
  }
}

// 1-based line and column (in code points, as cordon counts them) of NEEDLE's first occurrence.
function lineColOf(text, needle) {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = Array.from(before.slice(before.lastIndexOf('\n') + 1)).length + 1;
  return { line, column, offset: at };
}

async function main() {
  const draftText = fs.readFileSync(path.join(repo, DRAFT), 'utf8');
  const storyRequest = JSON.parse(fs.readFileSync(path.join(repo, 'examples/iflytek_cloud_rental/requests.jsonl'), 'utf8')
    .split('\n')[0]);
  const MISSPELT = 'report_chip_hourz';
  const FIXED = 'report_chip_hours';
  const RULE = 'draft_short_burst';
  const typed = '\n'
    + `rule ${RULE}\n`
    + '  cites "ILLUSTRATIVE DRAFT, not law: rentals below the report threshold"\n'
    + '  effective 2019-01-01\n'
    + `  when draft_scope and rented_hours > 0 h and rented_chip_hours < ${MISSPELT}\n`
    + '  then report "DRAFT, not law: a rental below 1,000 chip-hours is reported too"\n';
  const broken = draftText + typed;
  const fixed = broken.replace(MISSPELT, FIXED);
  const mistake = lineColOf(broken, MISSPELT);

  let url;
  await step('start `cordon serve --playground` on a free port', async () => {
    url = await startServer();
  });

  let page;
  await step(`launch headless ${path.basename(chromium)} and load the page at 1280x800`, async () => {
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run',
        '--no-default-browser-check', '--disable-extensions', '--disable-background-networking'],
      defaultViewport: { width: 1280, height: 800 },
      timeout: 20_000,
      protocolTimeout: 20_000,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (e) => pageProblems.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageProblems.push(`console.error: ${m.text()} ${m.location()?.url || ''}`);
    });
    page.on('requestfailed', (r) => {
      const error = r.failure()?.errorText || '';
      // The page aborts a check that a newer keystroke has made stale: that is by design.
      const superseded = error === 'net::ERR_ABORTED' && r.url().endsWith('/v1/playground/check');
      if (!r.url().startsWith('data:') && !superseded) pageProblems.push(`request failed: ${r.url()} ${error}`);
    });
    const response = await page.goto(url + '/', { waitUntil: 'load', timeout: WAIT_MS });
    check(response && response.ok(), `GET / answered ${response && response.status()}`);
    await waitUntil(page, 'the page to load /v1/playground/start', () => document.body.dataset.ready === 'true');
    const info = await page.$eval('#policy-info', (e) => e.textContent);
    check(info.includes('stdlib/ear'), `#policy-info does not name stdlib/ear: ${info}`);
    check(await page.$(`#file-picker option[value="${DRAFT}"]`), `#file-picker has no ${DRAFT}`);
  });

  await step(`pick the draft ${DRAFT} in the file picker; it checks without diagnostics`, async () => {
    // Another file first, so that picking the draft is a real change of file.
    const other = await page.$eval('#file-picker', (s, draft) =>
      Array.from(s.options).map((o) => o.value).find((v) => v !== draft && v.startsWith('stdlib/ear/')), DRAFT);
    check(other, '#file-picker lists no file of stdlib/ear');
    await page.select('#file-picker', other);
    await waitUntil(page, `${other} to be checked`, (p) =>
      document.getElementById('check-status').dataset.state === 'ok'
      && document.querySelector('#diagnostics:not(.stale) li.none')?.textContent.includes(p), other);
    await page.select('#file-picker', DRAFT);
    await waitUntil(page, `${DRAFT} in the editor, checked with no diagnostics`, (p, text) =>
      document.getElementById('editor').value === text
      && document.getElementById('check-status').dataset.state === 'ok'
      && document.querySelector('#diagnostics:not(.stale) li.none')?.textContent.includes(p), DRAFT, draftText);
    const mode = await page.$eval('#file-mode', (e) => e.textContent);
    check(/draft/i.test(mode), `#file-mode does not call ${DRAFT} a draft: ${mode}`);
  });

  await step(`type a rule that misspells ${FIXED}; see the diagnostic at ${mistake.line}:${mistake.column}`, async () => {
    await page.focus('#editor');
    await page.$eval('#editor', (e) => e.setSelectionRange(e.value.length, e.value.length));
    await page.keyboard.type(typed);
    const value = await page.$eval('#editor', (e) => e.value);
    check(value === broken, 'the editor does not hold exactly the draft plus the typed rule');
    const loc = `${mistake.line}:${mistake.column}`;
    await waitUntil(page, `an error at ${loc} naming ${MISSPELT}`, (l, name) => {
      const status = document.getElementById('check-status');
      if (status.dataset.state !== 'problems' || document.getElementById('diagnostics').classList.contains('stale')) return false;
      return Array.from(document.querySelectorAll('#diagnostics li.diagnostic[data-severity="error"]')).some((li) =>
        li.querySelector('.diag-loc')?.textContent === l && li.textContent.includes(name));
    }, loc, MISSPELT);
    const shown = await page.$eval('#diagnostics', (e) => e.innerText);
    check(/did you mean/.test(shown) && shown.includes(FIXED), `the diagnostic shows no help naming ${FIXED}: ${shown}`);
    check(await page.$(`#gutter-lines .gl[data-line="${mistake.line}"].sev-error`),
      `gutter line ${mistake.line} is not marked as an error`);
    const status = await page.$eval('#check-status', (e) => ({ errors: e.dataset.errors, text: e.textContent }));
    check(status.errors === '1', `#check-status counts ${status.errors} errors (${status.text}), not 1`);
  });

  await step('click the diagnostic (it selects the misspelt name), type the right name; no diagnostics remain', async () => {
    await page.click('#diagnostics li.diagnostic[data-severity="error"] button.diag-jump');
    const sel = await page.$eval('#editor', (e) => [e.selectionStart, e.selectionEnd, document.activeElement === e]);
    check(sel[2], 'the editor does not have the focus after clicking the diagnostic');
    check(sel[0] === mistake.offset && sel[1] === mistake.offset + MISSPELT.length,
      `the selection is ${sel[0]}..${sel[1]}, not the misspelt name at ${mistake.offset}..${mistake.offset + MISSPELT.length}`);
    const cursor = await page.$eval('#cursor-position', (e) => e.textContent);
    check(cursor.startsWith(`Ln ${mistake.line}, Col ${mistake.column}`), `#cursor-position says ${cursor}`);
    await page.keyboard.type(FIXED);
    const value = await page.$eval('#editor', (e) => e.value);
    check(value === fixed, 'the editor does not hold the fixed text');
    await waitUntil(page, 'the fixed draft to check with no diagnostics', () =>
      document.getElementById('check-status').dataset.state === 'ok'
      && document.querySelector('#diagnostics:not(.stale) li.none') !== null
      && document.querySelectorAll('#diagnostics li.diagnostic').length === 0);
    const counts = await page.$eval('#check-status', (e) => [e.dataset.errors, e.dataset.warnings]);
    check(counts[0] === '0' && counts[1] === '0', `#check-status counts ${counts[0]} errors, ${counts[1]} warnings`);
    check(!(await page.$('#gutter-lines .sev-error, #gutter-lines .sev-warning')), 'the gutter still marks a line');
    const option = await page.$eval(`#file-picker option[value="${DRAFT}"]`, (o) => o.textContent);
    check(option.includes('edited'), `the picker does not mark the draft as edited: ${option}`);
  });

  await step(`pick the story ${STORY} and decide it with the edited draft`, async () => {
    await page.select('#story-picker', STORY);
    const request = JSON.parse(await page.$eval('#request', (e) => e.value));
    check(JSON.stringify(request) === JSON.stringify(storyRequest), '#request is not the story\'s request');
    await page.click('#decide');
    await waitUntil(page, 'a decision', () => document.getElementById('decision').dataset.outcome !== undefined
      || /Could not/.test(document.getElementById('decide-status').textContent));
    const d = await page.evaluate(() => ({
      outcome: document.getElementById('decision-outcome')?.textContent,
      rules: Array.from(document.querySelectorAll('#reasons li.reason')).map((li) => li.dataset.rule),
      text: document.getElementById('decision').innerText,
      trace: document.querySelector('#explain-trace summary')?.textContent || '',
      heldRows: Array.from(document.querySelectorAll('#explain-trace tr[data-rule]'))
        .filter((tr) => tr.querySelector('.held')).map((tr) => tr.dataset.rule),
      recorded: document.getElementById('recorded')?.textContent || '',
    }));
    check(d.outcome === 'report', `the decision is ${d.outcome}, not report (the typed rule fires for 8 chip-hours)`);
    check(d.rules.includes(RULE) && d.rules.includes('iaas_not_an_export'),
      `the reasons are ${d.rules.join(', ')}: ${RULE} and iaas_not_an_export expected`);
    check(d.text.includes(CITATION), `the decision shows no citation ${CITATION}`);
    check(d.text.includes('rentals below the report threshold'), `the decision does not show ${RULE}'s citation`);
    check(/Explain trace/.test(d.trace), 'no explain trace');
    check(d.heldRows.includes(RULE) && d.heldRows.includes('iaas_not_an_export'),
      `the trace's rules that held are ${d.heldRows.join(', ')}`);
    check(/differs from recorded/.test(d.recorded) && d.recorded.includes('no_license_required'),
      `#recorded does not say the draft changed the recorded no_license_required: ${d.recorded}`);
  });

  await step('diff the edited draft against the served policy', async () => {
    await page.click('#diff-run');
    await waitUntil(page, 'the diff', () => document.getElementById('diff-summary') !== null
      || /Could not/.test(document.getElementById('diff-status').textContent));
    const diff = await page.evaluate((story) => ({
      summary: document.getElementById('diff-summary')?.textContent || '',
      row: document.querySelector(`#diff-table tr[data-story="${story}"]`)?.innerText || '',
      began: Array.from(document.querySelectorAll('#diff-table .rule-change.began')).map((e) => e.dataset.rule),
      rules: Array.from(document.querySelectorAll('#diff-rules tr[data-rule]')).map((tr) => tr.dataset.rule),
    }), STORY);
    check(/decisions? changed/.test(diff.summary), `#diff-summary says: ${diff.summary}`);
    check(diff.row.includes('no_license_required') && diff.row.includes('report') && diff.row.includes(RULE),
      `the diff's row for ${STORY} is: ${diff.row || '(missing)'}`);
    for (const rule of [RULE, 'draft_controlled_rental']) {
      check(diff.began.includes(rule) && diff.rules.includes(rule), `the diff does not show ${rule} beginning to fire`);
    }
  });

  await step(`save a screenshot to ${screenshot}`, async () => {
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.$eval('#decision', (e) => e.scrollIntoView({ block: 'start' }));
    await page.$eval('#editor', (e) => { e.scrollLeft = 0; });
    await sleep(100);  // the gutter and highlights follow the editor's scroll event
    await page.screenshot({ path: screenshot });
    check(fs.statSync(screenshot).size > 10_000, 'the screenshot is suspiciously small');
  });

  await step('no errors in the page', async () => {
    check(pageProblems.length === 0, pageProblems.join('; '));
  });

  currentStep = 'stopping the server (SIGTERM)';
  const problem = await cleanup();
  if (problem) await fail(problem);
  clearTimeout(watchdog);
  console.log(`playground.browser: ${stepCount} passed, 0 failed`);
  process.exit(0);
}

main().catch((e) => fail(e && e.stack ? e.message : String(e)));
