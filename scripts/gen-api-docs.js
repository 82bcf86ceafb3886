#!/usr/bin/env node
// Generates docs/api.md, the API reference, from the comments in
// proto/agora/**/*.proto: each file's header comment, then one section per
// RPC (request and response), per message (a table of fields) and per enum
// (a table of values). The proto comments are the API contract, so the
// reference is derived from them rather than written twice;
// scripts/check-api.sh regenerates it and fails when the committed file
// differs.
//
// Usage: node scripts/gen-api-docs.js [OUT]   (default docs/api.md; "-" for
// stdout). Needs protobufjs, which `npm ci` at the repo root installs (it
// comes with @grpc/proto-loader).
'use strict';

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const repoRoot = path.resolve(__dirname, '..');
const protoRoot = path.join(repoRoot, 'proto');
// Our own API; proto/google is a verbatim mirror of googleapis and is
// documented upstream.
const documentedDir = path.join(protoRoot, 'agora');

function protoFilesUnder(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...protoFilesUnder(full));
    else if (entry.name.endsWith('.proto')) found.push(full);
  }
  return found;
}

// The leading `//` block of a file, with the comment markers removed.
function fileHeader(file) {
  const lines = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.replace(/^\/\/ ?/, ''));
  }
  return lines;
}

// Header lines to Markdown: paragraphs and "- " lists pass through; a run of
// indented lines after a blank line is an example and becomes a code block.
function headerMarkdown(lines) {
  const out = [];
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indented = /^ {2,}\S/.test(line);
    if (!inCode && indented && (i === 0 || lines[i - 1] === '')) {
      out.push('```');
      inCode = true;
    } else if (inCode && !indented && line !== '') {
      out.push('```', '');
      inCode = false;
    }
    if (inCode && line === '' && !(i + 1 < lines.length && /^ {2,}\S/.test(lines[i + 1]))) {
      out.push('```');
      inCode = false;
    }
    out.push(inCode ? line.replace(/^ {2}/, '') : line);
  }
  if (inCode) out.push('```');
  return out.join('\n').trim();
}

// A comment as one table cell: one line, pipes escaped.
function cell(comment) {
  if (!comment) return '';
  return comment.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
}

function paragraph(comment) {
  return comment ? comment.trim() : '';
}

function anchor(name) {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

// A type reference: linked when this document describes it.
function typeLink(resolvedType, rawName, documented) {
  if (!resolvedType) return `\`${rawName}\``;
  const fullName = resolvedType.fullName.replace(/^\./, '');
  if (documented.has(fullName)) return `[${resolvedType.name}](#${anchor(resolvedType.name)})`;
  return `\`${fullName}\``;
}

function fieldType(field, documented) {
  if (field.map) {
    return `map<\`${field.keyType}\`, ${typeLink(field.resolvedType, field.type, documented)}>`;
  }
  const base = typeLink(field.resolvedType, field.type, documented);
  if (field.repeated) return `repeated ${base}`;
  if (field.options && field.options.proto3_optional) return `optional ${base}`;
  return base;
}

// A proto3 `optional` field lives in a synthetic oneof that is no API.
function isSyntheticOneof(oneof) {
  return oneof.fieldsArray.length === 1 &&
    oneof.fieldsArray[0].options && oneof.fieldsArray[0].options.proto3_optional;
}

function messageSection(type, documented) {
  const out = [`#### ${type.name}`, ''];
  if (type.comment) out.push(paragraph(type.comment), '');
  const oneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  if (type.fieldsArray.length === 0) {
    out.push('No fields.', '');
    return out;
  }
  out.push('| Field | Type | Number | Description |', '| --- | --- | --- | --- |');
  for (const field of type.fieldsArray) {
    const oneof = field.partOf && !isSyntheticOneof(field.partOf) ? field.partOf : null;
    const prefix = oneof ? `Oneof \`${oneof.name}\`. ` : '';
    out.push(`| \`${field.name}\` | ${fieldType(field, documented)} | ${field.id} | ` +
      `${cell(prefix + (field.comment || ''))} |`);
  }
  out.push('');
  for (const oneof of oneofs) {
    const members = oneof.fieldsArray.map((f) => `\`${f.name}\``).join(', ');
    out.push(`Oneof \`${oneof.name}\` (${members}): ${cell(oneof.comment) || 'at most one is set.'}`, '');
  }
  return out;
}

function enumSection(enumType) {
  const out = [`#### ${enumType.name}`, ''];
  if (enumType.comment) out.push(paragraph(enumType.comment), '');
  out.push('| Value | Number | Description |', '| --- | --- | --- |');
  for (const [name, number] of Object.entries(enumType.values)) {
    out.push(`| \`${name}\` | ${number} | ${cell(enumType.comments[name])} |`);
  }
  out.push('');
  return out;
}

function serviceSection(service, documented) {
  const out = [`#### ${service.name}`, ''];
  if (service.comment) out.push(paragraph(service.comment), '');
  out.push('| RPC | Request | Response |', '| --- | --- | --- |');
  for (const method of service.methodsArray) {
    out.push(`| [${method.name}](#${anchor(method.name)}) | ` +
      `${typeLink(method.resolvedRequestType, method.requestType, documented)} | ` +
      `${typeLink(method.resolvedResponseType, method.responseType, documented)} |`);
  }
  out.push('');
  for (const method of service.methodsArray) {
    const stream = (flag) => (flag ? 'stream ' : '');
    out.push(`##### ${method.name}`, '',
      '```proto',
      `rpc ${method.name}(${stream(method.requestStream)}${method.requestType}) ` +
        `returns (${stream(method.responseStream)}${method.responseType})`,
      '```', '');
    if (method.comment) out.push(paragraph(method.comment), '');
    out.push(`Request: ${typeLink(method.resolvedRequestType, method.requestType, documented)}. ` +
      `Response: ${typeLink(method.resolvedResponseType, method.responseType, documented)}.`, '');
  }
  return out;
}

// Every service, message and enum (nested ones included), in declaration
// order.
function declarations(namespace, into = []) {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service || nested instanceof protobuf.Type ||
        nested instanceof protobuf.Enum) {
      into.push(nested);
    }
    if (nested.nestedArray) declarations(nested, into);
  }
  return into;
}

function generate() {
  // Files with a service first: readers come for the RPCs.
  const files = protoFilesUnder(documentedDir).sort();
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => path.join(protoRoot, target);
  root.loadSync(files.map((f) => path.relative(protoRoot, f)),
    { alternateCommentMode: true, keepCase: true });
  root.resolveAll();

  const all = declarations(root);
  const byFile = new Map(files.map((f) => [f, []]));
  for (const decl of all) {
    const file = path.resolve(protoRoot, decl.filename || '');
    if (byFile.has(file)) byFile.get(file).push(decl);
  }
  const documented = new Set();
  for (const decls of byFile.values()) {
    for (const decl of decls) documented.add(decl.fullName.replace(/^\./, ''));
  }
  const hasService = (f) => byFile.get(f).some((d) => d instanceof protobuf.Service);
  const ordered = [...files.filter(hasService), ...files.filter((f) => !hasService(f))];

  const out = [
    '# API reference',
    '',
    '<!-- Generated by scripts/gen-api-docs.js from the comments in proto/agora/. ' +
      'Do not edit: change the .proto comments and rerun `node scripts/gen-api-docs.js`; ' +
      'scripts/check-api.sh fails when this file is stale. -->',
    '',
  ];
  out.push('Files:', '');
  for (const file of ordered) {
    const rel = path.relative(protoRoot, file);
    out.push(`- [${rel}](#${anchor(rel)})`);
  }
  out.push('');
  for (const file of ordered) {
    const rel = path.relative(protoRoot, file);
    const decls = byFile.get(file);
    const packages = [...new Set(decls.map((d) => d.parent.fullName.replace(/^\./, '')))];
    out.push(`## ${rel}`, '');
    if (packages.length > 0) out.push(`Package \`${packages.join('`, `')}\`.`, '');
    const header = headerMarkdown(fileHeader(file));
    if (header) out.push(header, '');
    const sections = [
      ['Services', (d) => d instanceof protobuf.Service, (d) => serviceSection(d, documented)],
      ['Messages', (d) => d instanceof protobuf.Type, (d) => messageSection(d, documented)],
      ['Enums', (d) => d instanceof protobuf.Enum, enumSection],
    ];
    for (const [title, matches, render] of sections) {
      const chosen = decls.filter(matches);
      if (chosen.length === 0) continue;
      out.push(`### ${title}`, '');
      for (const decl of chosen) out.push(...render(decl));
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

const target = process.argv[2] || path.join(repoRoot, 'docs', 'api.md');
const markdown = generate();
if (target === '-') {
  process.stdout.write(markdown);
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, markdown);
}
