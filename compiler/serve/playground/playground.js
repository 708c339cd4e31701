// SPDX-License-Identifier: Apache-2.0
//
// The playground of `cordon serve --playground`: a rule-file editor with live diagnostics, a
// request to decide with the edited policy (reasons, citations, the --explain trace), and the diff
// of the edited policy against the served one over the example stories. It talks to the server
// only through the JSON API below; nothing else is fetched.
//
//   GET  /v1/playground/start  -> {policy:{roots,hash}, files:[{path,text}], stories:[{name,line,request,expected}]}
//   POST /v1/playground/check  {path,text}                 -> {diagnostics,errors,warnings}
//   POST /v1/playground/decide {path,text,request,explain} -> {diagnostics,errors,warnings,decision|null}
//   POST /v1/playground/diff   {path,text}                 -> {diagnostics,errors,warnings,changes,summary}
//   an error: a non-2xx status with {"error": "message"}
//
// Element ids and attributes that tests (tests/playground/playground.test.mjs) may rely on:
//   body[data-ready="true"]  set once /v1/playground/start has loaded and the first file is shown
//   #policy-info             the served policy's roots and hash
//   #error-banner, #error-text, #error-dismiss   a failed request to the server (role=alert)
//   #file-picker             <select> of the rule files; option values are the files' paths
//   #file-revert             throws away the edits to the file in the editor
//   #file-mode               whether the file is a draft (added to the policy) or replaces one
//   #editor                  the rule-file <textarea>
//   #gutter-lines            one div.gl[data-line=N] per line; a line with a diagnostic has the
//                            class sev-error, sev-warning or sev-note (the most severe) and a title
//   #editor-highlights       the line bands and squiggles drawn under the text
//   #cursor-position         "Ln L, Col C" of the caret (columns count code points, as cordon does)
//   #check-status            text such as "2 errors, 1 warning" or "No problems"; data-state is
//                            idle|edited|checking|ok|warnings|problems|failed, and data-errors,
//                            data-warnings hold the counts of the last check of the current text
//   #diagnostics             <ul>: li.diagnostic[data-severity][data-line][data-column][data-file]
//                            per diagnostic, showing severity, "LINE:COL" (prefixed by the file
//                            when it is another file), message, kind and "help: …"; its
//                            button.diag-jump selects the offending text in the editor; a lone
//                            li.none when there are no diagnostics
//   #story-picker            <select> of the example stories; option values are "NAME:LINE"
//   #story-case              what the chosen story is
//   #request                 the request <textarea> (JSON)
//   #explain-toggle          ask for the --explain trace
//   #decide, #decide-status  the Decide button and its progress/failure text
//   #decision                the result; data-outcome is the decision once decided
//   #decision-outcome        the decision's badge (text: the outcome)
//   #recorded                the story's recorded decision, and whether this one is the same
//   #decision-errors         why a request could not be decided (decision "error")
//   #reasons                 <ol>: li.reason[data-rule] with .reason-rule, .reason-outcome,
//                            .reason-cites and .reason-message
//   #explain-trace           <details> with the trace: table.explain-table, tr[data-rule]
//   #diff-run, #diff-status  the diff button and its progress/failure text
//   #diff                    the diff's result; #diff-summary (a sentence), #diff-table
//                            (tr[data-story="NAME:LINE"] per changed story) and #diff-rules
//                            (tr[data-rule] per rule that began or stopped firing)
'use strict';

(() => {
  const CHECK_DELAY_MS = 300;

  const $ = (id) => document.getElementById(id);
  const ui = {
    policyInfo: $('policy-info'),
    errorBanner: $('error-banner'),
    errorText: $('error-text'),
    errorDismiss: $('error-dismiss'),
    filePicker: $('file-picker'),
    fileRevert: $('file-revert'),
    fileMode: $('file-mode'),
    editor: $('editor'),
    gutter: $('gutter'),
    gutterLines: $('gutter-lines'),
    highlights: $('editor-highlights-inner'),
    cursor: $('cursor-position'),
    checkStatus: $('check-status'),
    diagnostics: $('diagnostics'),
    storyPicker: $('story-picker'),
    storyCase: $('story-case'),
    request: $('request'),
    explainToggle: $('explain-toggle'),
    decide: $('decide'),
    decideStatus: $('decide-status'),
    decision: $('decision'),
    diffRun: $('diff-run'),
    diffStatus: $('diff-status'),
    diff: $('diff'),
  };

  const state = {
    policy: { roots: [], hash: '' },
    files: [],              // [{path, text, draft}]
    originals: new Map(),   // path -> served text
    buffers: new Map(),     // path -> edited text (only files that differ from the served text)
    stories: [],
    current: null,          // path of the file in the editor
    checkTimer: 0,
    checkSeq: 0,
    checkAbort: null,
    checked: null,          // {path, text, diagnostics, errors, warnings} of the last check shown
    gutterCount: 0,
    activeLine: 0,
    escapeArmed: false,
    charWidth: 0,
  };

  // ---- Small helpers ---------------------------------------------------------------------------

  // h('tag', {attr: value, class: '…'}, child, …): children are nodes, strings or arrays of them.
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else node.append(child instanceof Node ? child : String(child));
    }
  }
  const plural = (n, one, many) => `${n} ${n === 1 ? one : (many || one + 's')}`;

  // The outcome's colour family, from its name (the lattice is the policy's own).
  function outcomeClass(outcome) {
    const o = String(outcome || '').toLowerCase();
    if (o === 'error') return 'o-error';
    if (/^no_|not_required|^none|^allowed|^permitted/.test(o)) return 'o-clear';
    if (/prohibit|denied|deny|embargo|forbidden/.test(o)) return 'o-stop';
    if (/exception/.test(o)) return 'o-exception';
    if (/required|license|licence/.test(o)) return 'o-license';
    if (/report|notif|review/.test(o)) return 'o-report';
    return 'o-other';
  }
  function outcomeBadge(outcome, extra) {
    return h('span', Object.assign({ class: `outcome ${outcomeClass(outcome)}` }, extra || {}),
      outcome === null || outcome === undefined ? '—' : String(outcome));
  }

  async function api(method, path, body, signal) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new Error(`cannot reach the server (${e && e.message ? e.message : e})`);
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const why = data && typeof data.error === 'string' ? data.error : `HTTP ${response.status} ${response.statusText}`;
      throw new Error(why);
    }
    if (data === null || typeof data !== 'object') throw new Error(`${path} did not answer with a JSON object`);
    return data;
  }

  function showError(message) {
    ui.errorText.textContent = message;
    ui.errorBanner.hidden = false;
  }
  function clearError() {
    ui.errorBanner.hidden = true;
    ui.errorText.textContent = '';
  }

  // ---- Files -----------------------------------------------------------------------------------

  function dirname(path) {
    const i = path.lastIndexOf('/');
    return i < 0 ? '' : path.slice(0, i);
  }
  // Whether a listed file is a draft (added to the served policy) or one of the policy's own.
  function isDraft(file) {
    if (typeof file.draft === 'boolean') return file.draft;
    const path = file.path;
    if (/(^|\/)(drafts|proposed)\//.test(path)) return true;  // examples/drafts, stdlib/ear/proposed
    for (const root of state.policy.roots || []) {
      const r = String(root).replace(/\/+$/, '');
      if (path === r || path.startsWith(r + '/')) return false;
      if (r.endsWith('.cordon') && dirname(r) && path.startsWith(dirname(r) + '/')) return false;
    }
    return !path.startsWith('stdlib/');
  }
  // The listed path that a diagnostic's "file" names (absolute or relative), or null.
  function listedPath(file) {
    if (!file) return null;
    if (state.originals.has(file)) return file;
    for (const f of state.files) {
      if (file.endsWith('/' + f.path) || f.path.endsWith('/' + file)) return f.path;
    }
    return null;
  }
  function isCurrentFile(file) {
    if (!file) return true;  // a diagnostic without a file is about the text sent
    return listedPath(file) === state.current || file === state.current;
  }
  function textOf(path) {
    if (path === state.current) return ui.editor.value;
    return state.originals.get(path);  // the server checks every other file as served
  }
  function lineText(text, line) {
    if (typeof text !== 'string' || !(line >= 1)) return null;
    let start = 0;
    for (let i = 1; i < line; i++) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) return null;
      start = nl + 1;
    }
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    return text.slice(start, end).replace(/\r$/, '');
  }

  // Edits are kept per file in the page, and in localStorage (per policy hash) so that a reload
  // does not lose them: written when a check starts, on leaving a file and on leaving the page.
  const storageKey = (path) => `cordon-playground/${state.policy.hash}/${path}`;
  function saveBuffer(path, text) {
    const wasEdited = state.buffers.has(path);
    if (text !== state.originals.get(path)) state.buffers.set(path, text);
    else state.buffers.delete(path);
    if (wasEdited !== state.buffers.has(path)) updateFileOption(path);
  }
  function persistBuffer(path) {
    if (path === null) return;
    try {
      if (state.buffers.has(path)) localStorage.setItem(storageKey(path), state.buffers.get(path));
      else localStorage.removeItem(storageKey(path));
    } catch (_) { /* storage full or disabled: the edit still lives in the page */ }
  }
  function restoreBuffers() {
    for (const f of state.files) {
      let saved = null;
      try {
        saved = localStorage.getItem(storageKey(f.path));
      } catch (_) { saved = null; }
      if (typeof saved === 'string' && saved !== f.text) state.buffers.set(f.path, saved);
    }
  }

  function fileLabel(path) {
    return state.buffers.has(path) ? `${path} (edited)` : path;
  }
  function updateFileOption(path) {
    for (const option of ui.filePicker.options) {
      if (option.value === path) option.textContent = fileLabel(path);
    }
    if (path === state.current) ui.fileRevert.disabled = !state.buffers.has(path);
  }
  function fillFilePicker() {
    ui.filePicker.textContent = '';
    const drafts = state.files.filter((f) => f.draft);
    const served = state.files.filter((f) => !f.draft);
    const roots = (state.policy.roots || []).join(' + ') || 'the served policy';
    if (drafts.length) {
      ui.filePicker.append(h('optgroup', { label: `Drafts, added to ${roots}` },
        drafts.map((f) => h('option', { value: f.path }, fileLabel(f.path)))));
    }
    if (served.length) {
      ui.filePicker.append(h('optgroup', { label: `The served policy: ${roots}` },
        served.map((f) => h('option', { value: f.path }, fileLabel(f.path)))));
    }
  }

  function openFile(path) {
    if (!state.originals.has(path)) return;
    if (state.current !== null) {
      saveBuffer(state.current, ui.editor.value);
      persistBuffer(state.current);
    }
    state.current = path;
    ui.filePicker.value = path;
    const file = state.files.find((f) => f.path === path);
    const roots = (state.policy.roots || []).join(' and ');
    ui.fileMode.textContent = file && file.draft
      ? `A draft: checked and decided as a second root beside ${roots}, as \`cordon decide --policy ${roots} --policy ${path}\` would.`
      : `A file of the served policy: your text replaces it in ${roots}; every other file stays as served.`;
    ui.editor.value = state.buffers.has(path) ? state.buffers.get(path) : state.originals.get(path);
    ui.editor.disabled = false;
    ui.fileRevert.disabled = !state.buffers.has(path);
    ui.editor.scrollTop = 0;
    ui.editor.scrollLeft = 0;
    ui.editor.setSelectionRange(0, 0);
    state.checked = null;
    renderDiagnostics();
    renderGutter(true);
    syncScroll();
    updateCursor();
    markResultsStale('You opened another file since this result.');
    scheduleCheck(0);
  }

  // ---- Editor: gutter, highlights, caret ------------------------------------------------------

  function countLines(text) {
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    return n;
  }
  // The UTF-16 offset of 1-based LINE and COLUMN (columns count code points).
  function offsetOf(text, line, column) {
    let start = 0;
    for (let i = 1; i < line; i++) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) return text.length;
      start = nl + 1;
    }
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let offset = start;
    for (let c = 1; c < column && offset < end; c++) {
      offset += text.codePointAt(offset) > 0xffff ? 2 : 1;
    }
    return offset;
  }
  function lineColAt(text, offset) {
    const before = text.slice(0, offset);
    let line = 1;
    for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
    const lineStart = before.lastIndexOf('\n') + 1;
    return { line, column: Array.from(before.slice(lineStart)).length + 1 };
  }

  function metrics() {
    const style = getComputedStyle(ui.editor);
    if (!state.charWidth) {
      const probe = h('span', { style: 'position:absolute;visibility:hidden;white-space:pre' }, '0'.repeat(200));
      probe.style.font = style.font;
      document.body.append(probe);
      state.charWidth = probe.getBoundingClientRect().width / 200 || 8;
      probe.remove();
    }
    return {
      lineHeight: parseFloat(style.lineHeight) || 20,
      padTop: parseFloat(style.paddingTop) || 0,
      padLeft: parseFloat(style.paddingLeft) || 0,
      charWidth: state.charWidth,
    };
  }

  // Diagnostics of the file in the editor, by line: the most severe severity and the messages.
  function diagnosticsByLine() {
    const rank = { error: 3, warning: 2, note: 1 };
    const lines = new Map();
    if (!state.checked || state.checked.path !== state.current) return lines;
    for (const d of state.checked.diagnostics) {
      if (!isCurrentFile(d.file) || !(d.line >= 1)) continue;
      const sev = rank[d.severity] ? d.severity : 'note';
      const entry = lines.get(d.line) || { severity: sev, messages: [] };
      if (rank[sev] > rank[entry.severity]) entry.severity = sev;
      entry.messages.push(`${d.severity}: ${d.message}`);
      lines.set(d.line, entry);
    }
    return lines;
  }

  function renderGutter(force) {
    const n = countLines(ui.editor.value);
    if (force || n !== state.gutterCount) {
      let html = '';
      for (let i = 1; i <= n; i++) html += `<div class="gl" data-line="${i}">${i}</div>`;
      ui.gutterLines.innerHTML = html;
      ui.gutter.style.width = `calc(${String(n).length}ch + 24px)`;
      state.gutterCount = n;
      state.activeLine = 0;
    }
    const marks = diagnosticsByLine();
    for (const el of ui.gutterLines.querySelectorAll('.sev-error, .sev-warning, .sev-note')) {
      el.classList.remove('sev-error', 'sev-warning', 'sev-note');
      el.removeAttribute('title');
    }
    for (const [line, entry] of marks) {
      const el = ui.gutterLines.children[line - 1];
      if (!el) continue;
      el.classList.add(`sev-${entry.severity}`);
      el.title = entry.messages.join('\n');
    }
    renderHighlights(marks);
    updateCursor();
  }

  function renderHighlights(marks) {
    ui.highlights.textContent = '';
    if (!state.checked || state.checked.path !== state.current) return;
    const m = metrics();
    const text = ui.editor.value;
    for (const [line, entry] of marks || diagnosticsByLine()) {
      ui.highlights.append(h('div', {
        class: `hl-line sev-${entry.severity}`,
        style: `top:${m.padTop + (line - 1) * m.lineHeight}px`,
      }));
    }
    for (const d of state.checked.diagnostics) {
      if (!isCurrentFile(d.file) || !(d.line >= 1) || !(d.column >= 1)) continue;
      const lineLength = Array.from(lineText(text, d.line) || '').length;
      const sameLine = d.end_line === d.line && d.end_column > d.column;
      const endColumn = sameLine ? d.end_column : Math.max(lineLength + 1, d.column + 1);
      const width = Math.max(1, endColumn - d.column) * m.charWidth;
      ui.highlights.append(h('div', {
        class: `hl-span sev-${d.severity}`,
        style: `top:${m.padTop + (d.line - 1) * m.lineHeight}px;left:${m.padLeft + (d.column - 1) * m.charWidth}px;width:${width}px`,
      }));
    }
  }

  function syncScroll() {
    ui.gutterLines.style.transform = `translateY(${-ui.editor.scrollTop}px)`;
    ui.highlights.style.transform = `translate(${-ui.editor.scrollLeft}px, ${-ui.editor.scrollTop}px)`;
  }

  function updateCursor() {
    const text = ui.editor.value;
    const { line, column } = lineColAt(text, ui.editor.selectionStart);
    const selected = ui.editor.selectionEnd - ui.editor.selectionStart;
    ui.cursor.textContent = `Ln ${line}, Col ${column}${selected ? ` (${plural(selected, 'character')} selected)` : ''}`;
    if (state.activeLine !== line) {
      const old = ui.gutterLines.children[state.activeLine - 1];
      if (old) old.classList.remove('active');
      const now = ui.gutterLines.children[line - 1];
      if (now) now.classList.add('active');
      state.activeLine = line;
    }
  }

  // Selects LINE:COLUMN (to END_LINE:END_COLUMN when given) and scrolls it into view.
  function jumpTo(line, column, endLine, endColumn) {
    const text = ui.editor.value;
    const start = offsetOf(text, line, column || 1);
    let end = start;
    if (endLine >= 1 && endColumn >= 1 && (endLine > line || (endLine === line && endColumn > column))) {
      end = offsetOf(text, endLine, endColumn);
    }
    ui.editor.focus({ preventScroll: true });
    ui.editor.setSelectionRange(start, end);
    const m = metrics();
    const top = m.padTop + (line - 1) * m.lineHeight;
    if (top < ui.editor.scrollTop || top + m.lineHeight > ui.editor.scrollTop + ui.editor.clientHeight) {
      ui.editor.scrollTop = Math.max(0, top - ui.editor.clientHeight / 3);
    }
    const left = m.padLeft + ((column || 1) - 1) * m.charWidth;
    if (left < ui.editor.scrollLeft || left > ui.editor.scrollLeft + ui.editor.clientWidth - 4 * m.charWidth) {
      ui.editor.scrollLeft = Math.max(0, left - ui.editor.clientWidth / 2);
    }
    syncScroll();
    updateCursor();
  }

  // Replaces the selection, keeping the browser's undo history where it can.
  function insertText(text) {
    ui.editor.focus();
    let done = false;
    try {
      done = document.execCommand('insertText', false, text);
    } catch (_) {
      done = false;
    }
    if (!done) {
      ui.editor.setRangeText(text, ui.editor.selectionStart, ui.editor.selectionEnd, 'end');
      ui.editor.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }

  function indentSelection(outdent) {
    const ed = ui.editor;
    const text = ed.value;
    const { selectionStart: s, selectionEnd: e } = ed;
    if (!outdent && !text.slice(s, e).includes('\n')) {
      insertText('  ');
      return;
    }
    const from = text.lastIndexOf('\n', s - 1) + 1;
    const to = e > s && text[e - 1] === '\n' ? e - 1 : e;
    const block = text.slice(from, to);
    const changed = block.split('\n').map((l) => (outdent ? l.replace(/^ {1,2}/, '') : '  ' + l)).join('\n');
    if (changed === block) return;
    ed.setSelectionRange(from, to);
    insertText(changed);
    ed.setSelectionRange(from, from + changed.length);
  }

  // ---- Checking and diagnostics ---------------------------------------------------------------

  function setCheckStatus(stateName, text, errors, warnings) {
    ui.checkStatus.dataset.state = stateName;
    ui.checkStatus.textContent = text;
    if (errors === undefined) {
      delete ui.checkStatus.dataset.errors;
      delete ui.checkStatus.dataset.warnings;
    } else {
      ui.checkStatus.dataset.errors = String(errors);
      ui.checkStatus.dataset.warnings = String(warnings);
    }
  }

  function scheduleCheck(delay) {
    clearTimeout(state.checkTimer);
    if (delay > 0) setCheckStatus('edited', 'Edited: checking when you pause…');
    else setCheckStatus('checking', 'Checking…');
    state.checkTimer = setTimeout(runCheck, delay);
  }

  async function runCheck() {
    if (state.current === null) return;
    const path = state.current;
    const text = ui.editor.value;
    persistBuffer(path);
    if (state.checkAbort) state.checkAbort.abort();
    const controller = new AbortController();
    state.checkAbort = controller;
    const seq = ++state.checkSeq;
    setCheckStatus('checking', 'Checking…');
    try {
      const result = await api('POST', '/v1/playground/check', { path, text }, controller.signal);
      if (seq !== state.checkSeq) return;
      showDiagnostics(result, path, text);
    } catch (e) {
      if ((e && e.name === 'AbortError') || seq !== state.checkSeq) return;
      setCheckStatus('failed', `Could not check: ${e.message}`);
      showError(`Checking ${path} failed: ${e.message}`);
    } finally {
      if (state.checkAbort === controller) state.checkAbort = null;
    }
  }

  // Shows diagnostics that the server gave for TEXT of PATH (from check, decide or diff).
  function showDiagnostics(result, path, text) {
    if (path !== state.current || text !== ui.editor.value) return;  // the editor has moved on
    const diagnostics = Array.isArray(result.diagnostics) ? result.diagnostics : [];
    const count = (sev) => diagnostics.filter((d) => d.severity === sev).length;
    const errors = Number.isInteger(result.errors) ? result.errors : count('error');
    const warnings = Number.isInteger(result.warnings) ? result.warnings : count('warning');
    state.checked = { path, text, diagnostics, errors, warnings };
    clearTimeout(state.checkTimer);
    if (errors > 0) {
      setCheckStatus('problems', [plural(errors, 'error'), warnings ? plural(warnings, 'warning') : null]
        .filter(Boolean).join(', '), errors, warnings);
    } else if (warnings > 0) {
      setCheckStatus('warnings', plural(warnings, 'warning'), errors, warnings);
    } else {
      const notes = count('note');
      setCheckStatus('ok', notes ? `No problems (${plural(notes, 'note')})` : 'No problems', errors, warnings);
    }
    renderDiagnostics();
    renderGutter(false);
  }

  function snippet(path, line) {
    const text = lineText(textOf(path), line);
    return text === null ? null : h('div', { class: 'diag-snippet' }, `${String(line).padStart(4)} | ${text}`);
  }

  function renderDiagnostics() {
    ui.diagnostics.textContent = '';
    const checked = state.checked;
    ui.diagnostics.classList.toggle('stale', !!checked && checked.text !== ui.editor.value);
    if (!checked || checked.path !== state.current) return;
    if (checked.diagnostics.length === 0) {
      ui.diagnostics.append(h('li', { class: 'none' }, `None: ${state.current} checks cleanly with the served policy.`));
      return;
    }
    // The file in the editor first, in order of position; then the others, as the server gave them.
    const ordered = checked.diagnostics.map((d, i) => ({ d, i, here: isCurrentFile(d.file) }));
    ordered.sort((a, b) => (a.here !== b.here ? (a.here ? -1 : 1)
      : a.here ? (a.d.line || 0) - (b.d.line || 0) || (a.d.column || 0) - (b.d.column || 0) || a.i - b.i
        : a.i - b.i));
    for (const { d, here } of ordered) ui.diagnostics.append(renderDiagnostic(d, here));
  }

  function renderDiagnostic(d, here) {
    const sev = ['error', 'warning', 'note'].includes(d.severity) ? d.severity : 'note';
    const other = here ? null : (listedPath(d.file) || d.file || '');
    const position = d.line >= 1 ? `${d.line}:${d.column || 1}` : '';
    const loc = here ? position : [other, position].filter(Boolean).join(':');
    const parts = [
      h('span', { class: 'sev' }, sev),
      loc ? h('span', { class: 'diag-loc' }, loc) : null,
      h('span', { class: 'diag-message' }, d.message || ''),
      d.kind ? h('span', { class: 'diag-kind' }, d.kind) : null,
    ];
    const head = here && d.line >= 1
      ? h('button', {
        type: 'button',
        class: 'diag-jump',
        title: `Go to line ${d.line}, column ${d.column || 1}`,
        onclick: () => jumpTo(d.line, d.column, d.end_line, d.end_column),
      }, parts)
      : h('div', { class: 'diag-jump' }, parts);
    const help = d.help || d.hint;
    const li = h('li', {
      class: `diagnostic sev-${sev}`,
      'data-severity': sev,
      'data-line': d.line >= 1 ? d.line : null,
      'data-column': d.column >= 1 ? d.column : null,
      'data-file': d.file || state.current,
      'data-kind': d.kind || null,
    }, head);
    if (!here && d.line >= 1) {
      const path = listedPath(d.file);
      const s = path ? snippet(path, d.line) : null;
      if (s) li.append(s);
    }
    if (help) li.append(h('p', { class: 'diag-help' }, h('strong', {}, 'help: '), help));
    for (const label of Array.isArray(d.labels) ? d.labels : []) li.append(renderLabel(label));
    return li;
  }

  function renderLabel(label) {
    const here = isCurrentFile(label.file);
    const path = here ? state.current : listedPath(label.file);
    const where = label.line >= 1
      ? `${here ? '' : (path || label.file) + ':'}${label.line}:${label.column || 1}`
      : (path || label.file || '');
    const whereNode = here && label.line >= 1
      ? h('button', {
        type: 'button',
        class: 'link-button',
        title: `Go to line ${label.line}`,
        onclick: () => jumpTo(label.line, label.column, label.end_line, label.end_column),
      }, where)
      : h('code', {}, where);
    const p = h('div', { class: 'diag-label' }, h('strong', {}, 'note: '), whereNode, label.message ? `: ${label.message}` : '');
    if (!here && path && label.line >= 1) {
      const s = snippet(path, label.line);
      if (s) return h('div', {}, p, s);
    }
    return p;
  }

  // ---- Stories and the request ----------------------------------------------------------------

  const storyKey = (s) => `${s.name}:${s.line}`;
  function storyCase(story) {
    if (story.expected && typeof story.expected.case === 'string') return story.expected.case;
    const r = story.request || {};
    const item = r.item && r.item.name;
    const who = r.end_user && r.end_user.name;
    const where = r.destination_country || r.destination;
    return [r.as_of, r.kind, item, where ? `→ ${where}` : null, who ? `(${who})` : null].filter(Boolean).join(' ')
      || 'request';
  }
  function currentStory() {
    return state.stories.find((s) => storyKey(s) === ui.storyPicker.value) || null;
  }
  function fillStoryPicker() {
    ui.storyPicker.textContent = '';
    const groups = new Map();
    for (const s of state.stories) {
      if (!groups.has(s.name)) groups.set(s.name, []);
      groups.get(s.name).push(s);
    }
    for (const [name, stories] of groups) {
      ui.storyPicker.append(h('optgroup', { label: name },
        stories.map((s) => h('option', { value: storyKey(s) }, `${name} #${s.line}: ${storyCase(s)}`))));
    }
    ui.storyPicker.disabled = state.stories.length === 0;
  }
  function loadStory(key) {
    const story = state.stories.find((s) => storyKey(s) === key);
    if (!story) return;
    ui.storyPicker.value = key;
    ui.request.value = JSON.stringify(story.request, null, 2);
    ui.request.classList.remove('invalid');
    updateStoryCase();
  }
  function requestMatchesStory(story) {
    if (!story) return false;
    try {
      return JSON.stringify(JSON.parse(ui.request.value)) === JSON.stringify(story.request);
    } catch (_) {
      return false;
    }
  }
  function updateStoryCase() {
    const story = currentStory();
    if (!story) {
      ui.storyCase.textContent = state.stories.length ? '' : 'The server has no example stories: write a request below.';
      return;
    }
    const edited = requestMatchesStory(story) ? '' : ' (edited below)';
    ui.storyCase.textContent = `${story.name}, request ${story.line}: ${storyCase(story)}${edited}`;
  }

  // ---- Deciding -------------------------------------------------------------------------------

  function markResultsStale(why) {
    for (const box of [ui.decision, ui.diff]) {
      if (box.hidden || box.dataset.stale === 'true') continue;
      box.dataset.stale = 'true';
      box.prepend(h('p', { class: 'hint stale-note' }, `${why} Run it again to update.`));
    }
  }

  async function decide() {
    if (state.current === null || ui.decide.disabled) return;
    let request;
    try {
      request = JSON.parse(ui.request.value);
    } catch (e) {
      ui.request.classList.add('invalid');
      ui.decideStatus.className = 'status failed';
      ui.decideStatus.textContent = `The request is not valid JSON: ${e.message}`;
      return;
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      ui.request.classList.add('invalid');
      ui.decideStatus.className = 'status failed';
      ui.decideStatus.textContent = 'The request must be one JSON object.';
      return;
    }
    ui.request.classList.remove('invalid');
    const path = state.current;
    const text = ui.editor.value;
    const explain = ui.explainToggle.checked;
    const story = currentStory();
    const asStory = requestMatchesStory(story) ? story : null;
    ui.decide.disabled = true;
    ui.decideStatus.className = 'status';
    ui.decideStatus.textContent = 'Deciding…';
    try {
      const result = await api('POST', '/v1/playground/decide', { path, text, request, explain });
      showDiagnostics(result, path, text);
      renderDecision(result, path, text, asStory);
      ui.decideStatus.textContent = '';
      clearError();
    } catch (e) {
      ui.decideStatus.className = 'status failed';
      ui.decideStatus.textContent = `Could not decide: ${e.message}`;
    } finally {
      ui.decide.disabled = false;
    }
  }

  function sourceNote(path, text) {
    return text === state.originals.get(path) ? `${path} as served` : `${path} as edited`;
  }

  function renderDecision(result, path, text, story) {
    const box = ui.decision;
    box.textContent = '';
    box.hidden = false;
    delete box.dataset.stale;
    const d = result.decision;
    if (!d || typeof d !== 'object') {
      delete box.dataset.outcome;
      const n = Number.isInteger(result.errors) ? result.errors : 0;
      box.append(h('p', { class: 'problem', id: 'decision-errors' },
        `Nothing was decided: ${path} as edited has ${plural(n, 'error')}. Fix ${n === 1 ? 'it' : 'them'} (see Diagnostics) and decide again.`));
      return;
    }
    box.dataset.outcome = d.decision;
    box.append(h('div', { class: 'decision-head' },
      h('span', { class: 'label' }, 'Decision'),
      outcomeBadge(d.decision, { id: 'decision-outcome', class: `outcome large ${outcomeClass(d.decision)}` }),
      h('span', { class: 'decision-meta' },
        [d.as_of ? `as of ${d.as_of}` : null, `with ${sourceNote(path, text)}`].filter(Boolean).join(' · '))));

    if (story && story.expected && typeof story.expected === 'object') {
      const want = story.expected;
      const rules = (r) => (Array.isArray(r) ? r.map((x) => x.rule).join(',') : '');
      const same = want.decision === d.decision && rules(want.reasons) === rules(d.reasons);
      const wantRules = Array.isArray(want.reasons) && want.reasons.length
        ? ` by ${want.reasons.map((r) => r.rule).join(', ')}` : '';
      box.append(h('p', { class: 'recorded', id: 'recorded' },
        h('span', { class: `tag ${same ? 'same' : 'differs'}` }, same ? 'same as recorded' : 'differs from recorded'),
        `The story's recorded decision (${story.name}/expected.jsonl, line ${story.line}) is `,
        outcomeBadge(want.decision), wantRules, '.'));
    }

    const errors = Array.isArray(d.errors) ? d.errors : [];
    if (errors.length) {
      box.append(h('div', { class: 'problem', id: 'decision-errors' },
        'This request could not be decided:', h('ul', {}, errors.map((e) => h('li', {}, String(e))))));
    }

    const reasons = Array.isArray(d.reasons) ? d.reasons : [];
    if (reasons.length) {
      box.append(h('h3', { style: 'margin-top:10px' }, `Reasons (${reasons.length})`));
      box.append(h('ol', { class: 'reasons', id: 'reasons' }, reasons.map((r) => h('li', { class: 'reason', 'data-rule': r.rule },
        h('div', { class: 'reason-head' },
          h('code', { class: 'reason-rule' }, r.rule),
          outcomeBadge(r.outcome, { class: `outcome reason-outcome ${outcomeClass(r.outcome)}` })),
        h('p', { class: 'reason-cites' }, h('span', { class: 'label' }, 'Cites: '), r.cites ? r.cites : '(no citation)'),
        r.message ? h('p', { class: 'reason-message' }, r.message) : null))));
    } else {
      box.append(h('ol', { class: 'reasons', id: 'reasons' }));
      if (!errors.length) {
        box.append(h('p', { class: 'no-reasons' }, 'No rule fired, so the decision is the lowest outcome.'));
      }
    }

    if (Array.isArray(d.explain)) box.append(renderExplain(d, reasons));
  }

  function inForceText(entry) {
    if (entry.in_force) return 'yes';
    const from = entry.in_force_from;
    const until = entry.in_force_until;
    if (from && until) return `no: from ${from} until ${until}`;
    if (from) return `no: from ${from}`;
    if (until) return `no: until ${until}`;
    return 'no';
  }

  function renderExplain(d, reasons) {
    const fired = new Set(reasons.map((r) => r.rule));
    const rows = d.explain;
    const held = rows.filter((e) => e.condition === true).length;
    const notHeld = rows.filter((e) => e.in_force && e.condition === false).length;
    const off = rows.filter((e) => !e.in_force).length;
    const failed = rows.filter((e) => e.condition === 'error').length;
    const summary = `Explain trace: ${plural(rows.length, 'rule')}: ${held} held, ${notHeld} did not hold, `
      + `${off} not in force${failed ? `, ${plural(failed, 'error')}` : ''}${d.as_of ? ` (as of ${d.as_of})` : ''}`;

    const table = h('table', { class: 'explain-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rule: in force, condition'),
        h('th', { scope: 'col' }, 'Values compared'))),
      h('tbody', {}, rows.map((e) => {
        const status = !e.in_force ? h('span', { class: 'off' }, `not in force (${inForceText(e).replace(/^no: /, '')})`)
          : e.condition === true ? h('span', { class: 'held' }, 'in force; condition held')
            : e.condition === false ? h('span', { class: 'not-held' }, 'in force; condition did not hold')
              : e.condition === 'error' ? h('span', { class: 'cond-error' }, 'in force; condition: error')
                : h('span', { class: 'not-held' }, 'in force');
        const values = Array.isArray(e.values) ? e.values : [];
        const cls = [fired.has(e.rule) ? 'fired' : null, e.in_force ? null : 'not-in-force'].filter(Boolean).join(' ');
        return h('tr', { class: cls || null, 'data-rule': e.rule, 'data-in-force': String(!!e.in_force) },
          h('td', {},
            h('span', { class: 'rule-name' }, e.rule),
            fired.has(e.rule) ? h('span', { class: 'fired-tag' }, 'fired') : null,
            h('div', { class: 'rule-state' }, status)),
          h('td', {}, values.length ? h('ul', {}, values.map((v) => h('li', {}, String(v)))) : null,
            e.unless ? h('div', { class: 'unless' }, `unless applied: ${e.unless}`) : null));
      })));

    const filter = h('input', { type: 'search', placeholder: 'Filter by rule name', 'aria-label': 'Filter the trace by rule name' });
    const onlyInForce = h('input', { type: 'checkbox', id: 'explain-in-force-only' });
    const apply = () => {
      const q = filter.value.trim().toLowerCase();
      for (const tr of table.tBodies[0].rows) {
        const show = (!q || tr.dataset.rule.toLowerCase().includes(q))
          && (!onlyInForce.checked || tr.dataset.inForce === 'true');
        tr.hidden = !show;
      }
    };
    filter.addEventListener('input', apply);
    onlyInForce.addEventListener('change', apply);

    const details = h('details', { class: 'explain', id: 'explain-trace' },
      h('summary', {}, summary),
      h('div', { class: 'explain-tools' }, filter,
        h('label', { class: 'checkbox' }, onlyInForce, 'only rules in force')),
      h('div', { class: 'explain-scroll' }, table));
    if (Array.isArray(d.tables) && d.tables.length) {
      const describe = (t) => {
        const parts = [];
        if (t.rows !== undefined && t.rows !== null) parts.push(plural(t.rows, 'row'));
        if (t.hash) parts.push(`hash ${t.hash}`);
        const file = t.read_from || t.compiled_from;
        if (file) parts.push(String(file).split('/').pop());
        if (t.modified) parts.push(`modified ${t.modified}`);
        for (const [k, v] of Object.entries(t)) {
          if (!['name', 'table', 'rows', 'hash', 'read_from', 'compiled_from', 'modified'].includes(k) && v !== null && typeof v !== 'object') {
            parts.push(`${k} ${v}`);
          }
        }
        return h('li', { title: file ? String(file) : null }, h('code', {}, t.name || t.table || 'table'), `: ${parts.join(' · ')}`);
      };
      details.append(h('div', { class: 'tables-used' }, h('strong', {}, 'Tables this decision read'),
        h('ul', {}, d.tables.map(describe))));
    }
    return details;
  }

  // ---- Diffing --------------------------------------------------------------------------------

  async function runDiff() {
    if (state.current === null || ui.diffRun.disabled) return;
    const path = state.current;
    const text = ui.editor.value;
    ui.diffRun.disabled = true;
    ui.diffStatus.className = 'status';
    ui.diffStatus.textContent = 'Deciding every story under both policies…';
    try {
      const result = await api('POST', '/v1/playground/diff', { path, text });
      showDiagnostics(result, path, text);
      renderDiff(result, path, text);
      ui.diffStatus.textContent = '';
      clearError();
    } catch (e) {
      ui.diffStatus.className = 'status failed';
      ui.diffStatus.textContent = `Could not diff: ${e.message}`;
    } finally {
      ui.diffRun.disabled = false;
    }
  }

  // What the diff compared, in words.
  function comparedNote(path, text) {
    const roots = (state.policy.roots || []).join(' + ') || 'the served policy';
    const edited = text !== state.originals.get(path);
    const file = state.files.find((f) => f.path === path);
    if (file && file.draft) return `Compared: ${roots} + ${path}${edited ? ' (edited)' : ''} against ${roots}.`;
    return edited ? `Compared: ${roots} with your ${path} against ${roots} as served.`
      : `Compared: ${roots} against itself (${path} is not edited).`;
  }

  function renderDiff(result, path, text) {
    const box = ui.diff;
    box.textContent = '';
    box.hidden = false;
    delete box.dataset.stale;
    const changes = Array.isArray(result.changes) ? result.changes : [];
    const summary = result.summary && typeof result.summary === 'object' ? result.summary : null;
    if (!summary && result.errors > 0) {
      box.append(h('p', { class: 'problem', id: 'diff-summary' },
        `Nothing was diffed: ${path} as edited has ${plural(result.errors, 'error')}. Fix them (see Diagnostics) first.`));
      return;
    }
    const s = summary || {};
    const n = Number.isInteger(s.requests) ? s.requests : null;
    const changed = Number.isInteger(s.decision_changed) ? s.decision_changed : changes.filter((c) => c.decision_changed).length;
    const reasonsOnly = Number.isInteger(s.reasons_changed_only) ? s.reasons_changed_only : changes.filter((c) => !c.decision_changed).length;
    const errored = Number.isInteger(s.error_under_either) ? s.error_under_either : 0;
    const sentence = h('p', { class: 'diff-summary', id: 'diff-summary' },
      n !== null ? `${plural(n, 'story', 'stories')} decided under both policies: ` : '',
      h('strong', {}, plural(changed, 'decision')), ' changed, ',
      h('strong', {}, String(reasonsOnly)), ` changed only ${reasonsOnly === 1 ? 'its' : 'their'} reasons`,
      errored ? [', ', h('strong', {}, String(errored)), ` ${errored === 1 ? 'is an error' : 'are errors'} under either policy`] : '',
      '.', h('span', { class: 'diff-source' }, ` ${comparedNote(path, text)}`));
    box.append(sentence);
    if (!changes.length) {
      box.append(h('p', { class: 'hint' }, 'No story changes: each gets the same decision, for the same reasons, under both policies.'));
      return;
    }
    const byKey = new Map(state.stories.map((st) => [storyKey(st), st]));
    const ruleList = (list, kind, sign) => (Array.isArray(list) ? list : []).map((r) =>
      h('span', { class: `rule-change ${kind}`, 'data-rule': r.rule }, `${sign} ${r.rule}${r.outcome ? ` (${r.outcome})` : ''}`));
    box.append(h('table', { class: 'diff-table', id: 'diff-table' },
      h('caption', {}, 'Changed stories (select one to load it as the request and decide it)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Story'),
        h('th', { scope: 'col' }, 'Decision: served → edited; rules that began (+) or stopped (−) firing'))),
      h('tbody', {}, changes.map((c) => {
        const key = `${c.story}:${c.line}`;
        const story = byKey.get(key);
        const name = h('button', {
          type: 'button',
          class: 'load-story story-name',
          title: 'Load this story as the request and decide it',
          onclick: () => {
            loadStory(key);
            ui.request.scrollIntoView({ block: 'center', behavior: 'smooth' });
            decide();
          },
        }, `${c.story} #${c.line}`);
        const decision = c.decision_changed === false && c.from === c.to
          ? h('div', { class: 'decision-change' }, outcomeBadge(c.to), h('span', { class: 'hint' }, ' same decision, other reasons'))
          : h('div', { class: 'decision-change' }, outcomeBadge(c.from),
            h('span', { class: 'arrow', 'aria-label': 'changes to' }, '→'), outcomeBadge(c.to));
        return h('tr', { 'data-story': key, 'data-decision-changed': String(!!c.decision_changed) },
          h('td', {}, story ? name : h('span', { class: 'story-name' }, `${c.story} #${c.line}`),
            story ? h('span', { class: 'story-case' }, storyCase(story)) : null),
          h('td', {}, decision, ruleList(c.began, 'began', '+'), ruleList(c.stopped, 'stopped', '−')));
      }))));
    const rules = Array.isArray(s.rules) ? s.rules : [];
    if (rules.length) {
      box.append(h('table', { class: 'diff-rules', id: 'diff-rules' },
        h('caption', {}, 'Rules behind the changes: the stories where each began or stopped firing'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rule'), h('th', { scope: 'col', class: 'num' }, 'began'),
          h('th', { scope: 'col', class: 'num' }, 'stopped'))),
        h('tbody', {}, rules.map((r) => h('tr', { 'data-rule': r.rule },
          h('td', {}, r.rule), h('td', { class: 'num' }, `+${r.began || 0}`), h('td', { class: 'num' }, `−${r.stopped || 0}`))))));
    }
  }

  // ---- Wiring ---------------------------------------------------------------------------------

  function wire() {
    ui.errorDismiss.addEventListener('click', clearError);
    ui.filePicker.addEventListener('change', () => openFile(ui.filePicker.value));
    ui.fileRevert.addEventListener('click', () => {
      const path = state.current;
      if (path === null || !state.buffers.has(path)) return;
      ui.editor.value = state.originals.get(path);
      saveBuffer(path, ui.editor.value);
      persistBuffer(path);
      renderGutter(true);
      syncScroll();
      markResultsStale('You reverted the file since this result.');
      scheduleCheck(0);
    });

    ui.editor.addEventListener('input', () => {
      saveBuffer(state.current, ui.editor.value);
      // The diagnostics stay, dimmed, until the next check answers.
      ui.diagnostics.classList.toggle('stale', !!state.checked && state.checked.text !== ui.editor.value);
      renderGutter(false);
      markResultsStale('The rule file changed since this result.');
      scheduleCheck(CHECK_DELAY_MS);
    });
    ui.editor.addEventListener('scroll', syncScroll);
    for (const type of ['keyup', 'mouseup', 'select', 'focus']) ui.editor.addEventListener(type, updateCursor);
    document.addEventListener('selectionchange', () => {
      if (document.activeElement === ui.editor) updateCursor();
    });
    ui.editor.addEventListener('keydown', (e) => {
      const armed = state.escapeArmed;
      state.escapeArmed = e.key === 'Escape';
      if (e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey) {
        if (armed) return;  // Esc, then Tab: leave the editor as usual
        e.preventDefault();
        indentSelection(e.shiftKey);
      } else if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();  // nothing to save: check now instead
        scheduleCheck(0);
      }
    });

    ui.storyPicker.addEventListener('change', () => loadStory(ui.storyPicker.value));
    ui.request.addEventListener('input', () => {
      ui.request.classList.remove('invalid');
      updateStoryCase();
    });
    ui.decide.addEventListener('click', decide);
    ui.diffRun.addEventListener('click', runDiff);
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        decide();
      }
    });
    window.addEventListener('pagehide', () => persistBuffer(state.current));
    window.addEventListener('resize', () => {
      state.charWidth = 0;
      renderHighlights();
    });
  }

  async function start() {
    wire();
    let data;
    try {
      data = await api('GET', '/v1/playground/start');
    } catch (e) {
      ui.policyInfo.textContent = 'The served policy could not be loaded.';
      showError(`Cannot load the playground: ${e.message}`);
      setCheckStatus('failed', 'Not loaded');
      return;
    }
    state.policy = data.policy && typeof data.policy === 'object' ? data.policy : { roots: [], hash: '' };
    state.files = (Array.isArray(data.files) ? data.files : [])
      .filter((f) => f && typeof f.path === 'string' && typeof f.text === 'string')
      .map((f) => ({ path: f.path, text: f.text, draft: isDraft(f) }));
    state.stories = (Array.isArray(data.stories) ? data.stories : []).filter((s) => s && typeof s.name === 'string');
    for (const f of state.files) state.originals.set(f.path, f.text);

    const roots = Array.isArray(state.policy.roots) ? state.policy.roots : [];
    ui.policyInfo.textContent = '';
    append(ui.policyInfo, ['Served policy: ',
      roots.map((r, i) => [i ? ' + ' : '', h('code', {}, r)]),
      state.policy.hash ? [' · hash ', h('code', { title: 'the served policy\'s hash' }, state.policy.hash)] : '',
      ` · ${plural(state.files.length, 'file')} · ${plural(state.stories.length, 'story', 'stories')}`]);

    restoreBuffers();
    fillFilePicker();
    fillStoryPicker();
    // The first story with a recorded decision (others may be for another policy's examples).
    const first = state.stories.find((st) => st.expected) || state.stories[0];
    if (first) loadStory(storyKey(first));
    else updateStoryCase();

    if (!state.files.length) {
      showError('The server lists no rule files to edit.');
      return;
    }
    ui.filePicker.disabled = false;
    ui.decide.disabled = false;
    ui.diffRun.disabled = false;
    openFile((state.files.find((f) => f.draft) || state.files[0]).path);
    document.body.dataset.ready = 'true';
  }

  start();
})();
