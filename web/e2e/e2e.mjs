// End-to-end test of `heapscope serve` in Debian's headless Chromium, driven
// by playwright-core. Run by web/e2e_test.go (go test ./web), or by hand:
//
//   go build -o /tmp/heapscope ./cmd/heapscope
//   HEAPSCOPE_BIN=/tmp/heapscope node web/e2e/e2e.mjs
//
// It serves the createServer leak series, checks the page opens on its leak
// findings, that cut snapshot names have tooltips, that locations open the
// source view, that "Copy link" opens the same view in another browser (and
// an address without the token says how to reopen it), opens the leak
// finding for Server and checks its chain runs through Timeout and
// TimersList, sorts the Summary
// by retained size, opens a Comparison, an object page and the dominator tree,
// opens the HTML report of `heapscope demo --format html` from a file with the
// network cut, and saves a screenshot of each in web/e2e/artifacts/ (with
// e2e-results.json: each check's time, the load times). Then it serves a
// snapshot of at least 250 MB (made once by bench/gen.sh and cached) and
// checks that the Summary shows within 2 s after the engine is ready.
//
// Environment: HEAPSCOPE_BIN (required), CHROMIUM (default /usr/bin/chromium),
// E2E_ARTIFACTS (default web/e2e/artifacts), E2E_BIG_SNAPSHOT (a file to use
// instead of the cached one), E2E_SKIP_BIG=1 to leave the big snapshot out.
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const bin = process.env.HEAPSCOPE_BIN;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = process.env.E2E_ARTIFACTS || join(here, 'artifacts');
const BIG_MIN_BYTES = 250e6;
const SUMMARY_BUDGET_MS = 2000;

if (!bin) {
  console.error('e2e: set HEAPSCOPE_BIN to a heapscope binary');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const results = { checks: [], timings: {} };
let failures = 0;
const started = Date.now();
const log = (...a) => console.log(`e2e [${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

async function check(name, fn) {
  const t = Date.now();
  try {
    await fn();
    results.checks.push({ name, ok: true, ms: Date.now() - t });
    log('ok  ', name, `(${Date.now() - t} ms)`);
  } catch (e) {
    failures++;
    results.checks.push({ name, ok: false, ms: Date.now() - t, error: String(e.stack || e) });
    log('FAIL', name, '\n' + (e.stack || e));
  }
}

// serve starts `heapscope serve ARGS` and resolves when it prints its address,
// which it does once the snapshots are analysed (the engine is ready).
function serve(args) {
  return new Promise((resolveServe, reject) => {
    const t0 = Date.now();
    const proc = spawn(bin, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`heapscope serve did not print its address in 300 s; stderr:\n${err}`));
    }, 300_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^(http:\/\/\S+\?token=\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolveServe({ url: m[1], base: m[1].replace(/\/\?token=.*/, ''), token: m[1].replace(/.*token=/, ''), proc, readyAt: Date.now(), loadMs: Date.now() - t0 });
      }
    });
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`heapscope serve exited with ${code}; stderr:\n${err}`));
    });
  });
}

function stop(srv) {
  if (srv && srv.proc.exitCode === null) {
    srv.proc.removeAllListeners('exit');
    srv.proc.kill('SIGTERM');
  }
}

// bigSnapshot returns a snapshot of at least 250 MB, generating it once
// with bench/gen.sh into ${XDG_CACHE_HOME:-$HOME/.cache}/heapscope/bench.
function bigSnapshot() {
  if (process.env.E2E_BIG_SNAPSHOT) return process.env.E2E_BIG_SNAPSHOT;
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'heapscope', 'bench');
  const file = join(dir, 'snap-250m.heapsnapshot');
  if (!existsSync(file)) {
    log('generating', file, '(once; bench/gen.sh 250m)');
    const t = Date.now();
    const r = spawnSync('bash', [join(repo, 'bench', 'gen.sh'), '250m'], { stdio: 'inherit', env: { ...process.env, BENCH_DIR: dir } });
    if (r.status !== 0) throw new Error(`bench/gen.sh 250m failed with ${r.status}`);
    results.timings.generateBigMs = Date.now() - t;
  }
  return file;
}

const series = ['0', '1000', '2000'].map((n) => join(repo, 'testdata', 'corpus', `seed-leak-series__node-20.3.1__${n}.heapsnapshot.gz`));

const userDataDir = mkdtempSync(join(tmpdir(), 'heapscope-e2e-chromium-'));
let context;
let srv;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(20_000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  const shot = (name) => page.screenshot({ path: join(artifacts, name) });

  srv = await serve(series);
  results.timings.seriesLoadMs = srv.loadMs;
  log('serving the createServer series at', srv.base, `(ready in ${srv.loadMs} ms)`);

  await check('the API answers 401 without the token', async () => {
    const r = await fetch(srv.base + '/api/snapshots');
    assert.equal(r.status, 401);
    const p = await fetch(srv.base + '/');
    assert.equal(p.status, 401);
    const ok = await fetch(srv.base + '/api/snapshots', { headers: { Authorization: 'Bearer ' + srv.token } });
    assert.equal(ok.status, 200);
  });

  await check('the page opens with the token on the leak findings (the series has some)', async () => {
    await page.goto(srv.url);
    assert.ok(!page.url().includes('token='), 'the token is dropped from the address: ' + page.url());
    await page.locator('[data-testid=finding]').first().waitFor();
    assert.match(await page.locator('[data-testid=verdict]').innerText(), /LEAK: Server accumulates/);
    assert.equal(await page.locator('[data-testid=tab-leaks]').getAttribute('class'), 'tab active');
    await shot('home-leaks.png');
  });

  await check('long snapshot names have their full name as a tooltip', async () => {
    const names = await page.evaluate(async () => (await fetch('/api/snapshots').then((x) => x.json())).snapshots.map((s) => s.name));
    const cells = page.locator('[data-testid=leaks] td.sname');
    assert.equal(await cells.count(), names.length);
    for (let k = 0; k < names.length; k++) assert.equal(await cells.nth(k).getAttribute('title'), names[k]);
    // The cell is cut with an ellipsis when narrow: the title still has it all.
    await page.setViewportSize({ width: 700, height: 900 });
    const cut = await cells.first().evaluate((el) => el.scrollWidth > el.clientWidth);
    assert.ok(cut, 'the name is cut at 700 px');
    await shot('leaks-narrow.png');
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(srv.base + '/#/s/1/summary');
    assert.equal(await page.locator('[data-testid=snapshot]').getAttribute('title'), names[1]);
    await page.goto(srv.base + '/#/compare/0/2');
    assert.equal(await page.locator('[data-testid=base]').getAttribute('title'), names[0]);
    assert.equal(await page.locator('[data-testid=target] option').nth(2).getAttribute('title'), names[2]);
  });

  await check('a constructor location opens the source view around it', async () => {
    await page.goto(srv.base + '/#/s/2/summary?filter=Stream');
    const row = page.locator('[data-testid=summary] .tt-row[role=row]', { has: page.locator('.loc', { hasText: 'legacy:10' }) });
    await row.locator('[data-testid=source-link]').click();
    await page.locator('[data-testid=source-view]').waitFor();
    assert.match(page.url(), /#\/s\/2\/source\/\d+\/10/);
    const hl = page.locator('[data-testid=source] .sl.hl');
    assert.equal(await hl.getAttribute('data-line'), '10');
    assert.match(await hl.innerText(), /function Stream\(opts\) \{/);
    const lines = await page.locator('[data-testid=source] .sl').count();
    assert.ok(lines >= 20 && lines <= 41, `${lines} lines around line 10`);
    await shot('source.png');
    // http's Server is at line 510, past the 1,024 characters V8 keeps.
    await page.goto(srv.base + '/#/s/2/summary?filter=Server');
    const server = page.locator('[data-testid=summary] .tt-row[role=row]', { has: page.locator('.loc', { hasText: '_http_server:' }) });
    await server.locator('[data-testid=source-link]').click();
    assert.match(await page.locator('[data-testid=source-beyond]').innerText(), /first 1,024 characters[\s\S]*line 510/);
    await shot('source-beyond.png');
  });

  await check("a leak finding's locations link to the source view", async () => {
    await page.goto(srv.base + '/#/leaks');
    const link = page.locator('[data-testid=finding]').first().locator('table.where [data-testid=source-link]').first();
    await link.waitFor();
    await link.click();
    await page.locator('[data-testid=source-view]').waitFor();
  });

  await check('a copied link opens the same view in another browser; an address without the token says how to reopen it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
    await page.goto(srv.base + '/#/compare/0/2?sort=count');
    await page.locator('[data-testid=comparison] .tt-row[role=row]').first().waitFor();
    await page.click('[data-testid=copy-link]');
    await page.locator('[data-testid=copy-link]', { hasText: 'Copied' }).waitFor();
    await shot('copy-link.png');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(link, `${srv.base}/?token=${srv.token}#/compare/0/2?sort=count`);
    const other = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const p2 = await other.newPage({ viewport: { width: 1100, height: 500 } });
      const bare = await p2.goto(srv.base + '/#/compare/0/2?sort=count');
      assert.equal(bare.status(), 401);
      assert.match(await p2.locator('body').innerText(), /needs the token printed by heapscope serve/);
      await p2.screenshot({ path: join(artifacts, 'unauthorized.png') });
      await p2.goto(link);
      assert.ok(!p2.url().includes('token='), 'the token is dropped again: ' + p2.url());
      assert.ok(p2.url().endsWith('#/compare/0/2?sort=count'), p2.url());
      await p2.locator('[data-testid=comparison] .tt-row[role=row]').first().waitFor();
    } finally {
      await other.close();
    }
  });

  await check('the leak finding for Server shows its chain through Timeout and TimersList', async () => {
    await page.click('[data-testid=tab-leaks]');
    const finding = page.locator('[data-testid=finding]').first();
    await finding.waitFor();
    assert.match(await page.locator('[data-testid=verdict]').innerText(), /LEAK: Server accumulates/);
    assert.match(await finding.locator('h2').innerText(), /#1 Server/);
    const hops = await finding.locator('[data-testid=chain] li').allInnerTexts();
    const at = (re) => hops.findIndex((h) => re.test(h));
    const timersList = at(/TimersList/);
    const timeout = at(/\bTimeout @\d+/);
    const server = at(/\bServer @\d+/);
    assert.ok(hops[0].includes('global'), 'the chain starts at the global object: ' + hops[0]);
    assert.ok(timersList > 0 && timeout > timersList && server > timeout, 'root → TimersList → Timeout → Server:\n' + hops.join('\n'));
    assert.ok(server === hops.length - 1, 'the chain ends at the Server');
    assert.match(await finding.locator('li.acc').innerText(), /TimersList[\s\S]*accumulation point/);
    await page.setViewportSize({ width: 1400, height: 1300 });
    await shot('leaks.png');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  await check('an object of the chain opens its object page', async () => {
    const finding = page.locator('[data-testid=finding]').first();
    await finding.locator('[data-testid=chain] li.acc a.go').click();
    await page.locator('[data-testid=object-page]').waitFor();
    assert.match(await page.locator('.obj-head .title').innerText(), /TimersList @\d+/);
    await page.locator('[data-testid=path-0] li').first().waitFor();
    await page.locator('[data-testid=dominated] .tt-row[role=row]').first().waitFor();
    await shot('object.png');
  });

  await check('the Summary sorts by retained size', async () => {
    await page.click('[data-testid=tab-summary]');
    const head = (t) => page.locator('[data-testid=summary] .tt-th', { hasText: t });
    await head('Count').click();
    await page.waitForFunction(() => location.hash.includes('sort=count'));
    await head('Retained Size').click();
    await page.waitForFunction(() => location.hash.includes('sort=retained') && !location.hash.includes('reverse'));
    assert.equal(await head('Retained Size').getAttribute('aria-sort'), 'descending');
    const want = await page.evaluate(async () => {
      const s = location.hash.match(/#\/s\/(\d+)/)[1];
      const r = await fetch(`/api/snapshots/${s}/summary?sort=retained&limit=12`).then((x) => x.json());
      return r.items.map((c) => c.name);
    });
    await page.waitForFunction(
      (first) => document.querySelector('[data-testid=summary] .tt-row[role=row] .cname')?.textContent === first,
      want[0],
    );
    const got = await page.locator('[data-testid=summary] .tt-row[role=row] .cname').allInnerTexts();
    assert.deepEqual(got.slice(0, want.length), want);
    // Expand Server to its instances and select one: the retainers pane opens.
    await page.fill('[data-testid=filter]', 'Server');
    await page.waitForFunction(() => location.hash.includes('filter=Server'));
    // Two classes are named Server (net's and http's): http's is the leak.
    const server = page.locator('[data-testid=summary] .tt-row[role=row]', { has: page.locator('.loc', { hasText: 'node:_http_server' }) });
    await server.locator('button.twisty').click();
    const inst = page.locator('[data-testid=summary] .tt-row.k-instance').first();
    await inst.waitFor();
    await inst.click();
    await page.locator('[data-testid=retainers-tree] .tt-row[role=row]').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=retainers-tree] .tt-row[role=row]').length >= 6);
    await shot('summary.png');
    await page.fill('[data-testid=filter]', '');
    await page.waitForFunction(() => !location.hash.includes('filter='));
    await page.locator('[data-testid=summary] .tt-row[role=row]').nth(5).waitFor();
    await shot('summary-retained.png');
  });

  await check('a Comparison shows the 1,000 new Servers', async () => {
    await page.click('[data-testid=tab-compare]');
    const httpServer = { has: page.locator('.loc', { hasText: 'node:_http_server' }) };
    const row = page.locator('[data-testid=comparison] .tt-row[role=row]', httpServer);
    await row.waitFor();
    const cells = await row.locator('.tt-td').allInnerTexts();
    assert.equal(cells[1], '1,000', '# New: ' + cells.join(' | '));
    assert.equal(cells[3], '+1,000', '# Delta: ' + cells.join(' | '));
    await row.locator('button.twisty').click();
    await page.locator('[data-testid=comparison] .tt-row.k-group').first().waitFor();
    await page.locator('[data-testid=comparison] .tt-row.k-group button.twisty').first().click();
    await page.locator('[data-testid=comparison] .tt-row.k-instance').first().waitFor();
    await shot('comparison.png');
    // Any two snapshots: the first against the last.
    await page.selectOption('[data-testid=base]', '0');
    await page.waitForFunction(() => location.hash.startsWith('#/compare/0/2'));
    const row2 = page.locator('[data-testid=comparison] .tt-row[role=row]', httpServer);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=comparison] .tt-row[role=row]')].some((r) => r.textContent.includes('node:_http_server') && r.textContent.includes('2,000')));
    assert.equal((await row2.locator('.tt-td').allInnerTexts())[1], '2,000');
  });

  await check('the dominator tree opens at the root', async () => {
    await page.click('[data-testid=tab-dominators]');
    await page.locator('[data-testid=dominators] .tt-row[role=row]').nth(3).waitFor();
    await shot('dominators.png');
  });

  await check('every view has a URL', async () => {
    await page.goto(srv.base + '/#/compare/0/1?sort=count');
    await page.locator('[data-testid=comparison] .tt-row[role=row]').first().waitFor();
    assert.equal(await page.locator('[data-testid=base]').inputValue(), '0');
    await page.goto(srv.base + '/#/s/2/summary?filter=Timeout');
    await page.locator('[data-testid=summary] .tt-row[role=row]').first().waitFor();
    assert.equal(await page.locator('[data-testid=filter]').inputValue(), 'Timeout');
    assert.match(await page.locator('[data-testid=summary] .tt-row[role=row] .cname').first().innerText(), /Timeout/);
  });

  await check('the HTML report of the createServer leak opens from a file with no network and shows the chain', async () => {
    const file = join(artifacts, 'leak-report.html');
    const r = spawnSync(bin, ['demo', '--format', 'html'], { maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, 'heapscope demo --format html: ' + r.stderr);
    writeFileSync(file, r.stdout);
    const report = await context.newPage();
    const requests = [];
    await report.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:')) return route.continue();
      requests.push(u);
      return route.abort();
    });
    await report.goto('file://' + file);
    const text = await report.locator('body').innerText();
    assert.match(text, /LEAK: Server accumulates/);
    const chain = await report.locator('#finding-1 ol.chain li').allInnerTexts();
    const at = (re) => chain.findIndex((h) => re.test(h));
    assert.ok(at(/TimersList/) > 0 && at(/\bTimeout @/) > at(/TimersList/) && at(/\bServer @/) === chain.length - 1, chain.join('\n'));
    assert.match(await report.locator('#finding-1 li.acc').innerText(), /TimersList[\s\S]*accumulation point/);
    assert.deepEqual(requests, [], 'the report loads nothing from the network');
    await report.setViewportSize({ width: 1100, height: 1300 });
    await report.screenshot({ path: join(artifacts, 'leak-report.png') });
    await report.close();
  });

  if (process.env.E2E_NOLEAK_URL) {
    await check('a series without findings opens on the Summary', async () => {
      await page.goto(process.env.E2E_NOLEAK_URL);
      await page.locator('[data-testid=summary] .tt-row[role=row]').first().waitFor();
      assert.equal(await page.locator('[data-testid=tab-summary]').getAttribute('class'), 'tab active');
      assert.equal(await page.locator('[data-testid=leaks]').count(), 0);
    });
  }

  if (process.env.E2E_MARKS_URL) {
    await check('the heap curve marks when each snapshot was taken', async () => {
      await page.goto(process.env.E2E_MARKS_URL + '#/heap');
      await page.locator('[data-testid=heap-chart] canvas').first().waitFor();
      const marks = await page.locator('[data-testid=heap-mark]').allInnerTexts();
      assert.equal(marks.length, 3, marks.join(' | '));
      assert.match(marks[0], /^#1 .* at 1\.0 s$/);
      assert.match(marks[2], /^#3 .* at 9\.0 s$/);
      assert.ok(await page.locator('[data-testid=heap-mark]').first().getAttribute('title'));
      await page.locator('[data-testid=heap-chart]').screenshot({ path: join(artifacts, 'heap-marks.png') });
    });
  }

  await check('no script error in the page', async () => {
    assert.deepEqual(pageErrors, []);
  });
  stop(srv);
  srv = null;

  if (process.env.E2E_SKIP_BIG === '1') {
    log('skipping the big snapshot (E2E_SKIP_BIG=1)');
  } else {
    await check('a snapshot of 250 MB or more shows its Summary within 2 s after the engine is ready', async () => {
      const file = bigSnapshot();
      const bytes = statSync(file).size;
      assert.ok(bytes >= BIG_MIN_BYTES, `${file} has ${bytes} bytes, want at least ${BIG_MIN_BYTES}`);
      srv = await serve([file]);
      log(`serving ${file} (${(bytes / 1e6).toFixed(0)} MB): engine ready in ${srv.loadMs} ms`);
      await page.goto(srv.url);
      await page.locator('[data-testid=summary] .tt-row[role=row]').nth(10).waitFor({ timeout: 30_000 });
      const ms = Date.now() - srv.readyAt;
      results.timings.bigSnapshotBytes = bytes;
      results.timings.bigLoadMs = srv.loadMs;
      results.timings.bigSummaryAfterReadyMs = ms;
      log(`Summary shown ${ms} ms after the engine was ready`);
      await shot('big-summary.png');
      assert.ok(ms < SUMMARY_BUDGET_MS, `the Summary took ${ms} ms after the engine was ready, want < ${SUMMARY_BUDGET_MS}`);
      // The biggest class by count pages from the server.
      await page.locator('[data-testid=summary] .tt-th', { hasText: 'Count' }).click();
      const first = page.locator('[data-testid=summary] .tt-row[role=row]').first();
      await page.waitForFunction(() => location.hash.includes('sort=count'));
      await first.locator('button.twisty').click();
      await page.locator('[data-testid=summary] .tt-row.k-instance').first().waitFor();
      // Scroll to the end of the first page of instances (the class row, then
      // 100 instances, then the "more" row) and fetch 1,000 more.
      const scrollTo = (row) => page.evaluate((row) => {
        const b = document.querySelector('[data-testid=summary] .tt-body');
        b.scrollTop = row * 24 - b.clientHeight / 2;
      }, row);
      await scrollTo(101);
      await page.locator('[data-testid=summary] .tt-row.special button.link', { hasText: '1,000 more' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=summary] .tt-body').scrollHeight >= 1102 * 24);
      await scrollTo(1101);
      await page.locator('[data-testid=summary] .tt-row.special', { hasText: /1,100 of [\d,]+ shown/ }).waitFor();
      const rows = await page.locator('[data-testid=summary] .tt-row').count();
      assert.ok(rows < 200, `only the rows in view are in the page, not all 1,100 (${rows})`);
      await shot('big-instances.png');
    });
  }
} catch (e) {
  failures++;
  log('FAIL', e.stack || e);
} finally {
  stop(srv);
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
results.totalMs = Date.now() - started;
writeFileSync(join(artifacts, 'e2e-results.json'), JSON.stringify(results, null, 2));
log(`${results.checks.filter((c) => c.ok).length} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
