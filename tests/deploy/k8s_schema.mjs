// Validates Kubernetes objects against the schemas of the npm packages
// kubernetes-models and @kubernetes-models/prometheus-operator. Their
// validators check types, required fields, enums and formats but accept
// unknown fields, so a typo such as `readinesProbe` would pass; the API
// server (strict field validation) and `kubectl --validate=strict` reject
// it. So this module also walks the packages' TypeScript declarations, which
// list every field of every API type, and reports fields they do not declare.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function modelSpecifier(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

// Node's lookup of a bare specifier, for the .d.ts beside each module.
function findDeclarationFile(specifier, fromDirectory) {
  for (let directory = fromDirectory; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, "node_modules", `${specifier}.d.ts`);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(directory) === directory) return undefined;
  }
}

// Per .d.ts file: imported names -> files, exported aliases -> local
// interface names, and each model class's fields -> declared types.
const declarationCache = new Map();
function readDeclarations(file) {
  if (declarationCache.has(file)) return declarationCache.get(file);
  const text = fs.readFileSync(file, "utf8");
  const imports = new Map();
  for (const match of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    const specifier = match[2];
    const target = specifier.startsWith(".")
      ? path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".d.ts"))
      : findDeclarationFile(specifier, path.dirname(file));
    for (const name of match[1].split(",").map((s) => s.trim())) imports.set(name, target);
  }
  const aliases = new Map();
  for (const match of text.matchAll(/^export type \{ ([^}]+) \};$/gm)) {
    for (const part of match[1].split(",")) {
      const [local, exported] = part.trim().split(/\s+as\s+/);
      if (exported) aliases.set(exported, local);
    }
  }
  const classes = new Map();  // interface name -> Map(field -> type text)
  for (const match of text.matchAll(/^export declare class \w+ extends Model<(\w+)>[^\n]*\{\n([\s\S]*?)^\}/gm)) {
    const fields = new Map();
    for (const field of match[2].matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) {
      fields.set(field[1], field[2]);
    }
    classes.set(match[1], fields);
  }
  const declarations = { imports, aliases, classes };
  declarationCache.set(file, declarations);
  return declarations;
}

// The fields of type `typeName` as named in `file`, or undefined for
// scalars, maps, unions and other types that have no field list.
function fieldsOf(file, typeName) {
  const local = readDeclarations(file);
  if (local.classes.has(typeName)) return { file, fields: local.classes.get(typeName) };
  const target = local.imports.get(typeName);
  if (!target || !fs.existsSync(target)) return undefined;
  const declarations = readDeclarations(target);
  const name = declarations.aliases.get(typeName) || typeName;
  const fields = declarations.classes.get(name);
  return fields ? { file: target, fields } : undefined;
}

function unknownFields(value, file, typeName, where, problems) {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, file, typeName, `${where}[${i}]`, problems));
    return;
  }
  const type = fieldsOf(file, typeName);
  if (!type) return;
  for (const [key, child] of Object.entries(value)) {
    const declared = type.fields.get(key);
    if (declared === undefined) {
      problems.push(`${where}.${key}: unknown field`);
      continue;
    }
    const element = /^Array<(\w+)>$/.exec(declared) || /^(\w+)$/.exec(declared);
    if (element) unknownFields(child, type.file, element[1], `${where}.${key}`, problems);
  }
}

// Returns a list of problems with `object` (empty when it is valid).
export async function schemaProblems(object) {
  if (!object || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return ["object has no apiVersion/kind"];
  }
  const specifier = modelSpecifier(object.apiVersion, object.kind);
  let Model;
  try {
    Model = (await import(specifier))[object.kind];
  } catch (error) {
    return [`no schema for ${object.apiVersion} ${object.kind} (${specifier})`];
  }
  const problems = [];
  try {
    new Model(structuredClone(object)).validate();
  } catch (error) {
    problems.push(error.message);
  }
  const declarationFile = findDeclarationFile(specifier, here);
  if (!declarationFile) return [...problems, `no declarations for ${specifier}`];
  unknownFields(object, declarationFile, `I${object.kind}`, object.kind, problems);
  return problems;
}
