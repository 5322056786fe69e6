// Drives the PolicyQA UI in headless Chromium (system /usr/bin/chromium through playwright-core).
//
// Usage: node tests/ui/browser_check.mjs URL [OUTDIR]      (OUTDIR default: artifacts/screenshots)
// Asks a Chinese and an English question, opens a cited source and checks the highlighted sentence,
// checks that a follow-up asked after opening a source is scrolled into view (in both interface languages),
// checks a claim, switches the interface language, and saves screenshots of both interface languages.
// Exit 0 = all checks passed; on failure it saves OUTDIR/failure.png and exits 1.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const url = process.argv[2];
const outdir = process.argv[3] || 'artifacts/screenshots';
if (!url) {
  console.error('usage: node browser_check.mjs URL [OUTDIR]');
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });

const ANSWER_TIMEOUT = 180_000;
const ZH_QUESTION = '美国国家安全备忘录对联邦政府使用人工智能提出了哪些要求？';
const EN_QUESTION = 'What does the US AI national security memorandum direct agencies to do?';
const EN_QUESTION_2 = 'What progress has global AI governance made since 2023?';
// Follow-ups asked after opening a source of an earlier answer (the newest answer must be in view).
const ZH_FOLLOW_UP = '全球人工智能治理有哪些进展？';
const EN_FOLLOW_UP = 'And what does the memorandum say about working with allies?';
const UPLOAD_NAME = '上传测试 policy.txt';
// A hostile title (front matter): it must show as text in the library and the removal message, never as markup.
const HOSTILE_TITLE = '上传测试<img src=x onerror="window.__pqaXss=1"><b>粗</b>';
const UPLOAD_TEXT = `---\ntitle: '${HOSTILE_TITLE}'\n---\n# 上传测试政策\n\n第一条 本文件用于检查文档库的上传功能，编号 UPLOAD-7。\n第二条 上传后应当能够被检索。\n`;
const ZH_CLAIM = '2024中关村论坛发布了中国首例人工智能领域监管沙盒。';

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic'],
});
// Gradio's own strings (upload area, footer) follow the browser language, so each interface
// language gets a browser page in that locale.
let page = null;
const pageErrors = [];  // uncaught JavaScript errors of any page: the run fails on them
async function newPage(locale) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const created = await context.newPage();
  created.on('pageerror', (error) => {
    console.log(`page error: ${error.message}`);
    pageErrors.push(error.message);
  });
  await created.goto(url, { waitUntil: 'domcontentloaded' });
  await created.locator('#pqa-question textarea').waitFor({ timeout: 60_000 });
  return created;
}

// Gives the upload area a file and waits for its chip (shown once the browser has sent the file to the server).
// On loaded CI machines the chip once came just after 30 s (session 25) and once not within 180 s (a fresh-clone CI
// run of session 50's last commit; the same check passed here in 66 s): when no chip shows within a minute the file
// is given again, at most three times, each miss logged with a screenshot. Returns the try that showed the chip.
async function giveFile(name, text) {
  const chip = page.locator('#pqa-upload').getByText(name).first();
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await page.locator('#pqa-upload input[type=file]').setInputFiles({
      name, mimeType: 'text/plain', buffer: Buffer.from(text, 'utf-8'),
    });
    try {
      await chip.waitFor({ timeout: 60_000 });
      return attempt;
    } catch (error) {
      const path = join(outdir, `upload_miss_${attempt}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(`no chip for ${name} within 60 s (try ${attempt}; screenshot ${path})`);
    }
  }
  throw new Error(`check failed: the upload area never showed ${name} (3 tries of 60 s)`);
}

async function shot(name) {
  const path = join(outdir, name);
  await page.locator('#pqa-title').scrollIntoViewIfNeeded();
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot ${path}`);
}

async function ask(question, turn) {
  const box = page.locator('#pqa-question textarea');
  await box.fill(question);
  await box.press('Enter');
  // The answer is final when its sources (or closest passages) are rendered.
  const sources = page.locator(`#pqa-chat details.pqa-src[id^="src-${turn}-"]`);
  await sources.first().waitFor({ state: 'attached', timeout: ANSWER_TIMEOUT });
  const count = await sources.count();
  check(count > 0, `answer ${turn} has ${count} source(s) for: ${question}`);
  return sources;
}

// The chat's scrolling box (Gradio's "bubble-wrap"): how far it is from its end, and whether the newest
// message is in its view.
async function chatAwayFromEnd() {
  return page.locator('#pqa-chat .bubble-wrap').evaluate((log) => Math.round(log.scrollHeight - log.scrollTop - log.clientHeight));
}

async function lastMessageInView() {
  return page.locator('#pqa-chat .message-content').last().evaluate((el) => {
    const box = el.getBoundingClientRect();
    const view = el.closest('.bubble-wrap').getBoundingClientRect();
    return box.top < view.bottom - 20 && box.bottom > view.top + 20;
  });
}

// Issue #17 item 6: the user goes back to an earlier answer and opens its source [2] (the chat scrolls up to it,
// away from its end), then asks a follow-up: the new answer must be scrolled into view. Gradio's own autoscroll
// stops once the chat was scrolled away from its end, so without the page script's help it stays below the fold.
async function followUpAfterCitation(label, turn, question) {
  await page.waitForTimeout(800);  // Gradio's own scroll to the end, 300 ms after an update, is done
  const n = Math.min(2, await page.locator(`#pqa-chat a.pqa-cite[href^="#src-${turn}-"]`).count());
  await page.locator(`#pqa-chat a.pqa-cite[href="#src-${turn}-${n}"]`).first().click();
  await page.waitForFunction((id) => document.getElementById(id)?.open === true, `src-${turn}-${n}`,
    { timeout: 10_000 });
  await page.waitForTimeout(800);  // the smooth scroll to the source ends
  const away = await chatAwayFromEnd();
  check(away > 150, `${label}: opening [${n}] of answer ${turn} scrolled the chat ${away}px away from its end`);
  const next = (await page.locator('#pqa-chat .user-row').count()) + 1;
  await ask(question, next);
  await page.waitForTimeout(800);
  check(await lastMessageInView(), `${label}: answer ${next}, asked after a source was opened, is scrolled into view`);
}

async function documentRows() {
  return (await page.locator('#pqa-docs [role=row]').count()) - 1; // minus the header row
}

async function openTab(elemId) {
  await page.locator(`#${elemId}-button`).click();
}

async function checkClaim(claim, verdicts) {
  await openTab('pqa-tab-claim');
  await page.locator('#pqa-claim textarea').fill(claim);
  await page.locator('#pqa-claim-btn').click();
  const badge = page.locator('#pqa-verdict .pqa-badge');
  await badge.waitFor({ timeout: ANSWER_TIMEOUT });
  const verdict = (await badge.innerText()).trim();
  check(verdicts.includes(verdict), `claim verdict badge: ${verdict}`);
  return verdict;
}

async function switchLanguage(label, tabText) {
  await page.locator('#pqa-lang').getByText(label, { exact: true }).click();
  await page.locator('#pqa-tab-claim-button', { hasText: tabText }).waitFor({ timeout: 20_000 });
  check(true, `interface switched to ${label}`);
}

try {
  // --- Chinese interface (zh-CN browser) ---------------------------------------------------------
  page = await newPage('zh-CN');
  const status = await page.locator('#pqa-status').innerText();
  check(/\d/.test(status) && status.includes('文档'), `status line shows counts: ${status.trim()}`);

  // 1. Chinese question; click the citation [1]: it opens the source, with the cited sentence marked.
  await ask(ZH_QUESTION, 1);
  const answerText = await page.locator('#pqa-chat .message-content').last().innerText();
  check(/\[1\]/.test(answerText), 'the Chinese answer carries numbered citations');
  await page.locator('#pqa-chat a.pqa-cite[href="#src-1-1"]').first().click();
  const first = page.locator('#pqa-chat details#src-1-1');
  await page.waitForFunction(() => document.querySelector('#pqa-chat details#src-1-1')?.open === true,
    null, { timeout: 10_000 });
  check(await first.evaluate((d) => d.open), 'clicking [1] opens source 1');
  const mark = first.locator('mark').first();
  await mark.waitFor({ state: 'visible', timeout: 10_000 });
  const marked = (await mark.innerText()).trim();
  check(marked.length > 5, `source 1 highlights the cited sentence: ${marked.slice(0, 40)}…`);
  await shot('zh_chat.png');

  // 2. Follow-up in English (cross-lingual over Chinese documents); open a source by its summary.
  const sources2 = await ask(EN_QUESTION, 2);
  // After a citation of the first answer was opened, the new answer is scrolled into view.
  await page.waitForTimeout(800);
  check(await lastMessageInView(), 'the new answer is scrolled into view after a citation was opened');
  await sources2.first().locator('summary').click();
  check(await sources2.first().evaluate((d) => d.open), 'clicking a source summary opens it');
  await sources2.first().locator('mark').first().waitFor({ state: 'visible', timeout: 10_000 });
  check(true, 'the English answer’s source shows a highlighted sentence');

  // 2b. Back to the first answer: open its last source, then ask a follow-up (answer 3).
  await followUpAfterCitation('Chinese interface', 1, ZH_FOLLOW_UP);

  // 3. Copy answer with citations (Markdown).
  await page.locator('#pqa-copy-acc').getByText('复制答案和引用').click();
  await page.locator('#pqa-copy-btn').click();
  await page.waitForFunction(() => (document.querySelector('#pqa-copy textarea')?.value || '').includes('1.'),
    null, { timeout: 20_000 });
  check(true, 'the Markdown copy lists numbered sources');

  // 4. Claim check, then the library.
  await checkClaim(ZH_CLAIM, ['有依据']);
  await shot('zh_claim.png');
  // 4b. The strict check, ticked for one claim (a changed year: contradicted there too); then off again, and the
  // first claim checked again (each badge waited for by its text: the one before stays until the new one comes).
  const strictBox = page.locator('#pqa-claim-strict input[type=checkbox]');
  check(!(await strictBox.isChecked()), 'the strict check starts off (the default setting)');
  await strictBox.check();
  await page.locator('#pqa-claim textarea').fill(ZH_CLAIM.replace('2024', '2019'));
  await page.locator('#pqa-claim-btn').click();
  await page.locator('#pqa-verdict .pqa-badge', { hasText: '相矛盾' }).waitFor({ timeout: ANSWER_TIMEOUT });
  check(true, 'strict check: a changed year is contradicted');
  await strictBox.uncheck();
  await page.locator('#pqa-claim textarea').fill(ZH_CLAIM);
  await page.locator('#pqa-claim-btn').click();
  await page.locator('#pqa-verdict .pqa-badge', { hasText: '有依据' }).waitFor({ timeout: ANSWER_TIMEOUT });
  await openTab('pqa-tab-library');
  await page.locator('#pqa-docs').waitFor();
  const rows = await documentRows();
  check(rows >= 2, `library lists ${rows} documents`);

  // 5. Upload a document (indexed with progress, table refreshed), then remove it again.
  const tries = await giveFile(UPLOAD_NAME, UPLOAD_TEXT);
  check(tries >= 1, `the upload area shows ${UPLOAD_NAME} (try ${tries})`);
  await page.locator('#pqa-upload-btn').click();
  await page.locator('#pqa-library-msg', { hasText: '索引完成' }).waitFor({ timeout: ANSWER_TIMEOUT });
  await page.waitForFunction((n) => document.querySelectorAll('#pqa-docs [role=row]').length - 1 === n,
    rows + 1, { timeout: 20_000 });
  check(true, `uploaded ${UPLOAD_NAME}: the library lists ${rows + 1} documents`);
  const hostile = await page.evaluate(() => ({
    markup: document.querySelectorAll('#pqa-docs img, #pqa-docs b, #pqa-library-msg img').length,
    ran: window.__pqaXss === 1,
    shown: (document.querySelector('#pqa-docs')?.innerText || '').includes('<img src=x'),
  }));
  check(hostile.markup === 0 && !hostile.ran && hostile.shown,
    `a hostile title shows as text in the library (${JSON.stringify(hostile)})`);
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('#pqa-remove-choice input').click();
  await page.locator('#pqa-remove-choice, .options').getByText('上传测试', { exact: false }).last().click();
  await page.locator('#pqa-remove-btn').click();
  await page.locator('#pqa-library-msg', { hasText: '已删除' }).waitFor({ timeout: 60_000 });
  const removedMarkup = await page.evaluate(() => document.querySelectorAll('#pqa-library-msg img, #pqa-library-msg b').length);
  check(removedMarkup === 0 && !(await page.evaluate(() => window.__pqaXss === 1)),
    'the removal message shows the hostile title as text');
  await page.waitForFunction((n) => document.querySelectorAll('#pqa-docs [role=row]').length - 1 === n,
    rows, { timeout: 20_000 });
  check(true, `removed it again: the library lists ${rows} documents`);
  await shot('zh_library.png');

  // 6. Switching the language re-labels everything, and re-renders the verdict and the chat sources.
  await switchLanguage('English', 'Check a claim');
  await openTab('pqa-tab-claim');
  const verdictEn = (await page.locator('#pqa-verdict .pqa-badge').innerText()).trim();
  check(verdictEn === 'Supported', `the verdict re-rendered in English: ${verdictEn}`);
  const strictLabel = await page.locator('#pqa-claim-strict').innerText();
  check(strictLabel.includes('Strict check'), `the strict box re-labelled in English: ${strictLabel.split('\n')[0]}`);
  await openTab('pqa-tab-chat');
  const example = (await page.locator('#pqa-example-0').innerText()).trim();
  check(/^[\x00-\x7F’]+$/.test(example), `example questions in English: ${example}`);
  const heading = await page.locator('#pqa-chat .pqa-sources-h').first().innerText();
  check(heading.startsWith('Sources'), `source headings in English: ${heading}`);
  await page.context().close();

  // --- English interface (en-US browser) ---------------------------------------------------------
  page = await newPage('en-US');
  await switchLanguage('English', 'Check a claim');
  const sources3 = await ask(EN_QUESTION, 1);
  await page.locator('#pqa-chat a.pqa-cite[href="#src-1-1"]').first().click();
  await sources3.first().locator('mark').first().waitFor({ state: 'visible', timeout: 10_000 });
  check(true, 'English interface: citation [1] opens a highlighted source');
  await shot('en_chat.png');
  await ask(EN_QUESTION_2, 2);
  await followUpAfterCitation('English interface', 1, EN_FOLLOW_UP);
  await checkClaim(ZH_CLAIM, ['Supported']);
  await shot('en_claim.png');
  await openTab('pqa-tab-library');
  const libraryText = await page.locator('#pqa-tab-library').innerText();
  check(libraryText.includes('Indexed documents') && libraryText.includes('Title'), 'library labels in English');
  await shot('en_library.png');
  await switchLanguage('中文', '核查说法');
  check(pageErrors.length === 0, `no uncaught JavaScript error on the page (${pageErrors.join(' | ') || 'none'})`);
  console.log('all browser checks passed');
  await browser.close();
} catch (error) {
  console.error(error.stack || String(error));
  try { if (page) await shot('failure.png'); } catch { /* ignore */ }
  await browser.close();
  process.exit(1);
}
