// Renders the kustomize trees under deploy/k8s without kubectl, so the
// deploy test runs anywhere Node does. It implements only what our
// kustomization files use (resources, namespace, images, replicas,
// strategic-merge patches with a target, configMapGenerator from files
// without a hash suffix) and throws on anything else, so it can never
// silently render something different from kustomize. Where kubectl is
// installed the test also compares its output with `kubectl kustomize`.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

// Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), where 0400 is
// octal 256; YAML 1.2 would read decimal 400.
export function parseYamlDocuments(text, source) {
  const documents = YAML.parseAllDocuments(text, { version: "1.1", prettyErrors: true });
  const objects = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new Error(`${source}: ${document.errors.map((e) => e.message).join("; ")}`);
    }
    const value = document.toJS({ maxAliasCount: 0 });
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

const kSupportedKeys = new Set([
  "apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches",
  "configMapGenerator",
]);
const kClusterScopedKinds = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
  "PriorityClass", "StorageClass", "PersistentVolume",
]);
const kScalableKinds = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

// Merge keys of the object lists we patch, from the Kubernetes API types'
// patchMergeKey tags. Lists of objects not named here are refused.
const kMergeKeys = {
  containers: ["name"],
  initContainers: ["name"],
  volumes: ["name"],
  env: ["name"],
  imagePullSecrets: ["name"],
  volumeMounts: ["mountPath"],
  ports: ["containerPort", "port"],  // containers use containerPort, Services port
};

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Applies a strategic-merge patch to `base` (in place) and returns it.
export function strategicMerge(base, patch, fieldPath = "") {
  for (const [key, patchValue] of Object.entries(patch)) {
    if (key.startsWith("$")) throw new Error(`patch directive ${key} at ${fieldPath} is not supported`);
    const where = `${fieldPath}.${key}`;
    if (patchValue === null) {
      delete base[key];
    } else if (isPlainObject(patchValue) && isPlainObject(base[key])) {
      strategicMerge(base[key], patchValue, where);
    } else if (Array.isArray(patchValue) && Array.isArray(base[key]) &&
               patchValue.some(isPlainObject)) {
      base[key] = mergeObjectList(base[key], patchValue, key, where);
    } else {
      // Scalars, scalar lists and new fields replace, as in kustomize.
      base[key] = structuredClone(patchValue);
    }
  }
  return base;
}

function mergeObjectList(baseList, patchList, key, where) {
  const candidates = kMergeKeys[key];
  const mergeKey = candidates && candidates.find((k) => patchList.every((item) => k in item));
  if (!mergeKey) throw new Error(`no known merge key for list ${where}`);
  const merged = baseList.map((item) => structuredClone(item));
  for (const patchItem of patchList) {
    const existing = merged.find((item) => item[mergeKey] === patchItem[mergeKey]);
    if (existing) {
      strategicMerge(existing, patchItem, `${where}[${mergeKey}=${patchItem[mergeKey]}]`);
    } else {
      merged.push(structuredClone(patchItem));
    }
  }
  return merged;
}

// "registry:5000/a/b:tag@sha256:..." -> {name, tag, digest}
export function splitImage(image) {
  let rest = image;
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

function podSpecOf(object) {
  if (object.kind === "Pod") return object.spec;
  if (object.kind === "CronJob") return object.spec?.jobTemplate?.spec?.template?.spec;
  return object.spec?.template?.spec;
}

function applyImages(objects, images) {
  for (const object of objects) {
    const podSpec = podSpecOf(object);
    if (!podSpec) continue;
    for (const container of [...(podSpec.containers || []), ...(podSpec.initContainers || [])]) {
      if (!container.image) continue;
      const current = splitImage(container.image);
      const entry = images.find((e) => e.name === current.name);
      if (!entry) continue;
      let image = entry.newName || current.name;
      if (entry.digest) {
        image += `@${entry.digest}`;
      } else if (entry.newTag !== undefined) {
        image += `:${entry.newTag}`;
      } else if (current.digest) {
        image += `@${current.digest}`;
      } else if (current.tag) {
        image += `:${current.tag}`;
      }
      container.image = image;
    }
  }
}

function matchesTarget(object, target) {
  for (const field of Object.keys(target)) {
    if (!["kind", "name", "group", "version"].includes(field)) {
      throw new Error(`patch target field ${field} is not supported`);
    }
  }
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/") : ["", object.apiVersion];
  return (target.kind === undefined || target.kind === object.kind) &&
         (target.name === undefined || target.name === object.metadata?.name) &&
         (target.group === undefined || target.group === group) &&
         (target.version === undefined || target.version === version);
}

function generateConfigMap(directory, generator) {
  for (const key of Object.keys(generator)) {
    if (!["name", "files", "options"].includes(key)) {
      throw new Error(`configMapGenerator field ${key} is not supported`);
    }
  }
  const options = generator.options || {};
  if (options.disableNameSuffixHash !== true) {
    throw new Error(`configMapGenerator ${generator.name}: only disableNameSuffixHash: true is supported`);
  }
  const data = {};
  for (const file of generator.files || []) {
    const [key, relative] = file.includes("=") ? file.split("=", 2) : [path.basename(file), file];
    data[key] = fs.readFileSync(path.join(directory, relative), "utf8");
  }
  const metadata = { name: generator.name };
  if (options.labels) metadata.labels = { ...options.labels };
  if (options.annotations) metadata.annotations = { ...options.annotations };
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}

// Returns the objects `kustomize build directory` would produce (unordered).
export function renderKustomization(directory) {
  const file = path.join(directory, "kustomization.yaml");
  const [kustomization] = parseYamlDocuments(fs.readFileSync(file, "utf8"), file);
  for (const key of Object.keys(kustomization)) {
    if (!kSupportedKeys.has(key)) throw new Error(`${file}: field ${key} is not supported`);
  }

  let objects = [];
  for (const resource of kustomization.resources || []) {
    const resourcePath = path.join(directory, resource);
    if (fs.statSync(resourcePath).isDirectory()) {
      objects.push(...renderKustomization(resourcePath));
    } else {
      objects.push(...parseYamlDocuments(fs.readFileSync(resourcePath, "utf8"), resourcePath));
    }
  }
  for (const generator of kustomization.configMapGenerator || []) {
    objects.push(generateConfigMap(directory, generator));
  }

  // The order kustomize applies its built-in transformers in.
  for (const patchEntry of kustomization.patches || []) {
    if (!patchEntry.path || !patchEntry.target) {
      throw new Error(`${file}: only patches with a path and a target are supported`);
    }
    const patchFile = path.join(directory, patchEntry.path);
    const patchDocuments = parseYamlDocuments(fs.readFileSync(patchFile, "utf8"), patchFile);
    if (patchDocuments.length !== 1) throw new Error(`${patchFile}: expected one document`);
    const targets = objects.filter((object) => matchesTarget(object, patchEntry.target));
    if (targets.length === 0) throw new Error(`${patchFile}: target matches no object`);
    for (const target of targets) {
      const patch = structuredClone(patchDocuments[0]);
      // kustomize keeps the target's identity; the patch's own is only a hint.
      delete patch.apiVersion;
      delete patch.kind;
      if (patch.metadata) delete patch.metadata.name;
      strategicMerge(target, patch, `${target.kind}/${target.metadata.name}`);
    }
  }
  if (kustomization.namespace !== undefined) {
    for (const object of objects) {
      if (!kClusterScopedKinds.has(object.kind)) {
        object.metadata = { ...object.metadata, namespace: kustomization.namespace };
      }
    }
  }
  for (const { name, count } of kustomization.replicas || []) {
    const targets = objects.filter((o) => kScalableKinds.has(o.kind) && o.metadata?.name === name);
    if (targets.length === 0) throw new Error(`${file}: replicas entry ${name} matches no workload`);
    for (const target of targets) target.spec.replicas = count;
  }
  if (kustomization.images) applyImages(objects, kustomization.images);
  return objects;
}
