#!/usr/bin/env node
// psparse: syntax check for generated PowerShell scripts, used by Go tests
// (package steps/script/powershell/pscheck).
//
//   node psparse.cjs FILE.ps1...
//
// Each file is parsed with the tree-sitter PowerShell grammar, loaded as
// WebAssembly so nothing is compiled at install time. The check reports, as
// FILE:LINE:COLUMN: message,
//   - every ERROR node (text the grammar cannot parse) and every MISSING node
//     (a token the parser had to invent, such as an unclosed quote or brace);
//   - every place where PowerShell's own tokenizer would read quotes
//     differently from the grammar. The grammar knows only the ASCII quotes,
//     but PowerShell also ends a '...' string at U+2018-U+201B and a "..."
//     string at U+201C-U+201E (CharExtensions.IsSingleQuote/IsDoubleQuote),
//     so 'Bob’s' parses cleanly here yet is broken on Windows. Those checks
//     close that gap.
// Exit status: 0 all files parse, 1 problems found, 2 usage or I/O error.
'use strict';

const fs = require('node:fs');
const v8 = require('node:v8');

// Compile WebAssembly with the baseline compiler only. By default V8 also
// optimises the 1 MB grammar module in background threads and node waits for
// that work before it exits, which costs about ten seconds per run for no
// benefit on files this small.
v8.setFlagsFromString('--liftoff-only');
const { Parser, Language } = require('web-tree-sitter');

const SINGLE = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);
const DOUBLE = new Set(['"', '\u201c', '\u201d', '\u201e']);
const TYPOGRAPHIC = /[\u2018-\u201b\u201c-\u201e]/;

function position(node) {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

function codepoint(ch) {
  return 'U+' + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
}

// verbatimEnd returns the index just after the single-quoted literal at the
// start of text, lexed by PowerShell's rules, or -1 if it does not end.
function verbatimEnd(text) {
  const chars = Array.from(text);
  if (!SINGLE.has(chars[0])) return -1;
  let units = chars[0].length;
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i];
    units += c.length;
    if (SINGLE.has(c)) {
      if (i + 1 < chars.length && SINGLE.has(chars[i + 1])) {
        units += chars[i + 1].length;
        i++;
        continue;
      }
      return units;
    }
  }
  return -1;
}

// ownText yields [offset, text] for the parts of node's text not covered by
// named children (variables and $(...) inside an expandable string).
function* ownText(node) {
  const text = node.text;
  let at = 0;
  for (const child of node.namedChildren) {
    const start = child.startIndex - node.startIndex;
    if (start > at) yield [at, text.slice(at, start)];
    at = Math.max(at, child.endIndex - node.startIndex);
  }
  if (at < text.length) yield [at, text.slice(at)];
}

function check(tree) {
  const problems = [];
  const report = (node, message) => problems.push({ row: node.startPosition.row, col: node.startPosition.column, text: `${position(node)}: ${message}` });

  const visit = (node, inString) => {
    if (node.isMissing) {
      report(node, `missing ${JSON.stringify(node.type)}`);
      return;
    }
    if (node.isError || node.type === 'ERROR') {
      const snippet = node.text.split(/\r?\n/)[0].slice(0, 40);
      report(node, `syntax error near ${JSON.stringify(snippet)}`);
    }
    switch (node.type) {
      case 'comment':
        return;
      case 'verbatim_string_characters': {
        const text = node.text;
        const end = verbatimEnd(text);
        if (end !== text.length) {
          const at = end > 0 ? Array.from(text.slice(0, end)).pop() : '';
          report(node, `PowerShell ends this '...' string early` + (at ? ` at ${codepoint(at)} ${at}` : '') +
            '; every single-quote character (\' \u2018 \u2019 \u201a \u201b) inside must be doubled');
        }
        return;
      }
      case 'expandable_string_literal': {
        for (const [offset, part] of ownText(node)) {
          const chars = Array.from(part);
          for (let i = 0; i < chars.length; i++) {
            const c = chars[i];
            if (c === '`') { i++; continue; }
            if (!DOUBLE.has(c) || c === '"') continue;
            if (i + 1 < chars.length && DOUBLE.has(chars[i + 1])) { i++; continue; }
            report(node, `PowerShell ends this "..." string early at ${codepoint(c)} ${c}; escape it with a backtick or double it`);
          }
        }
        for (const child of node.namedChildren) visit(child, true);
        return;
      }
      case 'verbatim_here_string_characters':
      case 'expandable_here_string_literal':
        return;
    }
    if (node.childCount === 0 && !inString && TYPOGRAPHIC.test(node.text)) {
      const c = node.text.match(TYPOGRAPHIC)[0];
      report(node, `${codepoint(c)} ${c} outside a string; PowerShell treats it as a quote`);
    }
    for (const child of node.children) visit(child, inString);
  };
  visit(tree.rootNode, false);
  problems.sort((a, b) => a.row - b.row || a.col - b.col);
  return problems.map((p) => p.text);
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write('usage: node psparse.cjs FILE.ps1...\n');
    return 2;
  }
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

  let failed = false;
  for (const file of files) {
    let source;
    try {
      source = decoder.decode(fs.readFileSync(file));
    } catch (err) {
      process.stdout.write(`${file}: cannot read as UTF-8: ${err.message}\n`);
      failed = true;
      continue;
    }
    const tree = parser.parse(source);
    const problems = check(tree);
    tree.delete();
    for (const p of problems) process.stdout.write(`${file}:${p}\n`);
    if (problems.length > 0) failed = true;
  }
  return failed ? 1 : 0;
}

// Exit as soon as the output is flushed, so that no background work left in
// the engine can hold the process open.
const exit = (code) => process.stdout.write('', () => process.exit(code));
main(process.argv.slice(2)).then(exit, (err) => {
  process.stderr.write(`psparse: ${err && err.stack || err}\n`, () => process.exit(2));
});
