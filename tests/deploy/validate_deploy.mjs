// Offline checks of everything under deploy/: the Kubernetes manifests
// (rendered by kustomize_lite.mjs, validated against the kubernetes-models
// schemas, and checked for agreement between ports, flags, probes, mounts,
// selectors and the drain timeline), the Dockerfile, the nginx config
// (`nginx -t`), the systemd unit (`systemd-analyze verify`), the Grafana
// dashboard and the alerts (promtool). Each part also breaks a temporary
// copy of a file on purpose and checks that the failure is caught.
//
//   node tests/deploy/validate_deploy.mjs [k8s|docker|nginx|systemd|monitoring]...
//
// Prints one line per check and ends with "N passed, M failed, K skipped".
// Exits 1 when a check failed. Only checks that need systemd-analyze,
// promtool or kubectl are skipped when the tool is absent.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { parseYamlDocuments, renderKustomization, splitImage } from "./kustomize_lite.mjs";
import { schemaProblems } from "./k8s_schema.mjs";
import { requestHttp1, requestHttp2, withNginxFront } from "./nginx_front.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const deployDir = path.join(repo, "deploy");
const k8sDir = path.join(deployDir, "k8s");
const overlayNames = fs.readdirSync(path.join(k8sDir, "overlays"));

// The metrics the server exports (the contract the dashboard and alerts are
// written against). `up` is Prometheus' own.
const kServerMetrics = [
  "agora_token_rpc_requests_total",
  "agora_token_rpc_latency_seconds_bucket",
  "agora_token_rpc_latency_seconds_sum",
  "agora_token_rpc_latency_seconds_count",
  "agora_token_tokens_issued_total",
  "agora_token_keyring_version",
  "agora_token_keyring_reloads_total",
  "agora_token_keyring_reload_failures_total",
  "agora_token_audit_log_dropped_lines_total",
  "agora_token_build_info",
];
// Container port name -> the flag that sets its HOST:PORT.
const kPortFlags = { grpc: "--listen", https: "--http-listen", health: "--health-listen", metrics: "--metrics-listen" };
// The ports callers use: each must be in both Services and the NetworkPolicy.
const kApiPorts = ["grpc", "https"];
const kServerSideCodes = ["UNKNOWN", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "DEADLINE_EXCEEDED"];

// ---------------------------------------------------------------- harness

const counts = { passed: 0, failed: 0, skipped: 0 };
class Skip extends Error {}

async function check(name, body) {
  try {
    await body();
    counts.passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    if (error instanceof Skip) {
      counts.skipped++;
      console.log(`skip ${name}: ${error.message}`);
    } else {
      counts.failed++;
      console.log(`FAIL ${name}\n     ${String(error.message).split("\n").join("\n     ")}`);
    }
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function expectNoProblems(problems) {
  expect(problems.length === 0, problems.join("\n"));
}

function tool(name) {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout || ""}${result.stderr || ""}` };
}

function makeTempDir(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `agora-deploy-${label}-`));
}

function readRepoFile(relative) {
  return fs.readFileSync(path.join(repo, relative), "utf8");
}

// Replaces `from`, which must occur exactly once, by `to`.
function mutate(text, from, to) {
  const occurrences = text.split(from).length - 1;
  expect(occurrences === 1, `mutation target found ${occurrences} times: ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

// ------------------------------------------------------------ k8s helpers

function findOne(objects, kind, name) {
  const matches = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  expect(matches.length === 1, `expected one ${kind}${name ? ` ${name}` : ""}, found ${matches.length}`);
  return matches[0];
}

function labelsMatch(selector, labels) {
  return Object.entries(selector || {}).every(([k, v]) => labels?.[k] === v);
}

function flagValue(args, flag) {
  const values = (args || []).filter((a) => a.startsWith(`${flag}=`)).map((a) => a.slice(flag.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

function portOf(hostPort) {
  const match = /:(\d+)$/.exec(hostPort || "");
  return match ? Number(match[1]) : undefined;
}

// Kubernetes quantities as numbers: cores for CPU, bytes for memory.
function quantity(value) {
  const match = /^([0-9.]+)(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/.exec(String(value));
  if (!match) throw new Error(`cannot read quantity ${value}`);
  const scale = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(match[1]) * (match[2] ? scale[match[2]] : 1);
}

function serverContainer(deployment) {
  const containers = deployment.spec.template.spec.containers;
  expect(containers.length === 1, `expected one container, found ${containers.length}`);
  return containers[0];
}

// Rules over one rendered tree. Each returns a list of problems.
const kRules = {
  "selectors select the server pods"(objects) {
    const problems = [];
    const deployment = findOne(objects, "Deployment");
    const podLabels = deployment.spec.template.metadata.labels;
    if (!labelsMatch(deployment.spec.selector.matchLabels, podLabels)) problems.push("Deployment selector does not match its pod labels");
    for (const service of objects.filter((o) => o.kind === "Service")) {
      if (!labelsMatch(service.spec.selector, podLabels)) problems.push(`Service ${service.metadata.name} selects no server pod`);
    }
    const pdb = findOne(objects, "PodDisruptionBudget");
    if (!labelsMatch(pdb.spec.selector.matchLabels, podLabels)) problems.push("PodDisruptionBudget selects no server pod");
    const policy = findOne(objects, "NetworkPolicy");
    if (!labelsMatch(policy.spec.podSelector.matchLabels, podLabels)) problems.push("NetworkPolicy selects no server pod");
    for (const spread of deployment.spec.template.spec.topologySpreadConstraints || []) {
      if (!labelsMatch(spread.labelSelector.matchLabels, podLabels)) problems.push(`topology spread on ${spread.topologyKey} counts no server pod`);
    }
    const hpa = findOne(objects, "HorizontalPodAutoscaler");
    const ref = hpa.spec.scaleTargetRef;
    if (ref.kind !== "Deployment" || ref.name !== deployment.metadata.name) problems.push(`HPA targets ${ref.kind}/${ref.name}`);
    if (!(hpa.spec.minReplicas <= hpa.spec.maxReplicas)) problems.push("HPA minReplicas > maxReplicas");
    // A budget of one pod must leave a replica serving.
    if (!(hpa.spec.minReplicas >= 2)) problems.push("HPA minReplicas below 2: the PDB would allow zero serving pods");
    return problems;
  },

  "service, policy and monitor ports name container ports"(objects) {
    const problems = [];
    const container = serverContainer(findOne(objects, "Deployment"));
    const portNames = new Set(container.ports.map((p) => p.name));
    const portNumbers = new Set(container.ports.map((p) => p.containerPort));
    const services = objects.filter((o) => o.kind === "Service");
    for (const service of services) {
      for (const port of service.spec.ports) {
        const ok = typeof port.targetPort === "number" ? portNumbers.has(port.targetPort) : portNames.has(port.targetPort);
        if (!ok) problems.push(`Service ${service.metadata.name} port ${port.name} targets ${port.targetPort}, not a container port`);
      }
    }
    for (const rule of findOne(objects, "NetworkPolicy").spec.ingress || []) {
      for (const port of rule.ports || []) {
        const ok = typeof port.port === "number" ? portNumbers.has(port.port) : portNames.has(port.port);
        if (!ok) problems.push(`NetworkPolicy opens ${port.port}, not a container port`);
      }
    }
    const monitor = findOne(objects, "ServiceMonitor");
    const scraped = services.filter((s) => labelsMatch(monitor.spec.selector.matchLabels, s.metadata.labels));
    if (scraped.length === 0) problems.push("ServiceMonitor selects no Service");
    for (const endpoint of monitor.spec.endpoints) {
      for (const service of scraped) {
        if (!service.spec.ports.some((p) => p.name === endpoint.port)) {
          problems.push(`ServiceMonitor port ${endpoint.port} is not a port of Service ${service.metadata.name}`);
        }
      }
    }
    const headless = services.filter((s) => s.spec.clusterIP === "None");
    if (headless.length !== 1) problems.push(`expected one headless Service, found ${headless.length}`);
    return problems;
  },

  "flags, container ports and gRPC probes agree"(objects) {
    const problems = [];
    const container = serverContainer(findOne(objects, "Deployment"));
    const byName = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
    for (const [name, flag] of Object.entries(kPortFlags)) {
      const port = portOf(flagValue(container.args, flag));
      if (port === undefined) problems.push(`${flag}=HOST:PORT missing (or given twice)`);
      else if (port !== byName[name]) problems.push(`${flag} port ${port} but container port ${name} is ${byName[name]}`);
    }
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const grpc = container[probe]?.grpc;
      if (!grpc) problems.push(`${probe} is not a native gRPC probe`);
      else if (grpc.port !== byName.health) problems.push(`${probe} probes port ${grpc.port}, health port is ${byName.health}`);
    }
    return problems;
  },

  "API ports reach both Services and the NetworkPolicy, with the same numbers"(objects) {
    const problems = [];
    const container = serverContainer(findOne(objects, "Deployment"));
    const policy = findOne(objects, "NetworkPolicy");
    const services = objects.filter((o) => o.kind === "Service");
    for (const name of kApiPorts) {
      const containerPort = container.ports.find((p) => p.name === name)?.containerPort;
      if (containerPort === undefined) {
        problems.push(`no container port named ${name}`);
        continue;
      }
      for (const service of services) {
        const port = service.spec.ports.find((p) => p.targetPort === name || p.targetPort === containerPort);
        if (!port) problems.push(`Service ${service.metadata.name} has no port for ${name}`);
        else if (port.port !== containerPort || port.name !== name) {
          problems.push(`Service ${service.metadata.name} serves ${name} as ${port.name}:${port.port}, container port is ${containerPort}`);
        }
      }
      const opened = (policy.spec.ingress || []).some((rule) => (rule.ports || []).some((p) => p.port === name || p.port === containerPort));
      if (!opened) problems.push(`NetworkPolicy does not open ${name}`);
    }
    return problems;
  },

  "preStop sleep plus drain fits the termination grace period"(objects) {
    const deployment = findOne(objects, "Deployment");
    const container = serverContainer(deployment);
    const command = container.lifecycle?.preStop?.exec?.command || [];
    if (command.length !== 2 || command[0] !== "/bin/sleep") return [`preStop is not ["/bin/sleep", N]: ${JSON.stringify(command)}`];
    const sleepSeconds = Number(command[1]);
    const drainMs = Number(flagValue(container.args, "--drain-timeout-ms"));
    if (!Number.isFinite(drainMs)) return ["--drain-timeout-ms missing"];
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
    // One second at least for the process to exit after the drain.
    return sleepSeconds + drainMs / 1000 + 1 <= grace ? []
      : [`preStop ${sleepSeconds}s + drain ${drainMs / 1000}s + 1s exceeds terminationGracePeriodSeconds ${grace}`];
  },

  "pod runs non-root, read-only, without privileges"(objects) {
    const problems = [];
    const deployment = findOne(objects, "Deployment");
    const pod = deployment.spec.template.spec;
    const container = serverContainer(deployment);
    const want = (ok, message) => { if (!ok) problems.push(message); };
    want(pod.securityContext?.runAsNonRoot === true, "pod runAsNonRoot is not true");
    want(pod.securityContext?.runAsUser === 10001, "pod runAsUser is not 10001");
    want(pod.securityContext?.seccompProfile?.type === "RuntimeDefault", "pod seccompProfile is not RuntimeDefault");
    want(pod.automountServiceAccountToken === false, "service account token is mounted");
    const sc = container.securityContext || {};
    want(sc.runAsNonRoot === true, "container runAsNonRoot is not true");
    want(sc.runAsUser === undefined || sc.runAsUser === 10001, "container runAsUser is not 10001");
    want(sc.readOnlyRootFilesystem === true, "root filesystem is writable");
    want(sc.allowPrivilegeEscalation === false, "privilege escalation allowed");
    want(sc.privileged !== true, "container is privileged");
    want(JSON.stringify(sc.capabilities?.drop) === '["ALL"]' && !sc.capabilities?.add, "capabilities are not drop [ALL]");
    return problems;
  },

  "config, keyring and TLS are mounted where the config says"(objects) {
    const problems = [];
    const deployment = findOne(objects, "Deployment");
    const pod = deployment.spec.template.spec;
    const container = serverContainer(deployment);
    const volumes = Object.fromEntries(pod.volumes.map((v) => [v.name, v]));
    for (const mount of container.volumeMounts) {
      if (!volumes[mount.name]) problems.push(`mount ${mount.mountPath} names no volume ${mount.name}`);
    }
    const configPath = flagValue(container.args, "--config");
    const configMount = container.volumeMounts.find((m) => m.mountPath === configPath);
    if (!configMount) return [...problems, `--config=${configPath} is not a mount path`];
    const configVolume = volumes[configMount.name];
    if (!configVolume?.configMap) return [...problems, `${configPath} does not come from a ConfigMap`];
    const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === configVolume.configMap.name);
    const configText = configMap?.data?.[configMount.subPath];
    if (configText === undefined) return [...problems, `ConfigMap ${configVolume.configMap.name} has no key ${configMount.subPath}`];
    // Every file the config names must be inside a Secret mount.
    const referenced = [...configText.matchAll(/"(\/[^"]+)"/g)].map((m) => m[1]);
    if (referenced.length === 0) problems.push("the config names no file");
    for (const file of referenced) {
      const mount = container.volumeMounts.find((m) => file.startsWith(`${m.mountPath}/`));
      if (!mount || !volumes[mount.name]?.secret) problems.push(`config names ${file}, which no Secret mount provides`);
    }
    for (const volume of pod.volumes.filter((v) => v.secret)) {
      if (volume.secret.defaultMode !== 0o400) problems.push(`Secret volume ${volume.name} has mode 0${(volume.secret.defaultMode ?? 0o644).toString(8)}, not 0400`);
    }
    // The TLS Secret is a kubernetes.io/tls one: its keys are tls.crt and
    // tls.key, plus ca.crt (the client CA, as cert-manager writes it).
    for (const file of referenced.filter((f) => f.includes("/tls/"))) {
      if (!/\/(tls\.(crt|key)|ca\.crt)$/.test(file)) problems.push(`${file} is not a key of a kubernetes.io/tls Secret`);
    }
    if (container.securityContext?.readOnlyRootFilesystem) {
      const tmp = container.volumeMounts.find((m) => m.mountPath === "/tmp");
      if (!tmp || !volumes[tmp.name]?.emptyDir) problems.push("read-only root without an emptyDir on /tmp");
    }
    return problems;
  },

  "resource requests within limits"(objects) {
    const problems = [];
    const { resources } = serverContainer(findOne(objects, "Deployment"));
    for (const kind of ["cpu", "memory"]) {
      const request = resources?.requests?.[kind];
      const limit = resources?.limits?.[kind];
      if (request === undefined || limit === undefined) problems.push(`${kind} request or limit missing`);
      else if (quantity(request) > quantity(limit)) problems.push(`${kind} request ${request} above limit ${limit}`);
    }
    return problems;
  },

  "container image is set"(objects) {
    const { image } = serverContainer(findOne(objects, "Deployment"));
    return image ? [] : ["container has no image"];
  },
};

// Overlay-only: what the overlay's kustomization asks for is in the output.
function overlayProblems(objects, overlayDir) {
  const problems = [];
  const [kustomization] = parseYamlDocuments(fs.readFileSync(path.join(overlayDir, "kustomization.yaml"), "utf8"), overlayDir);
  const deployment = findOne(objects, "Deployment");
  for (const object of objects) {
    if (object.metadata.namespace !== kustomization.namespace) problems.push(`${object.kind}/${object.metadata.name} not in namespace ${kustomization.namespace}`);
  }
  const replicas = (kustomization.replicas || []).find((r) => r.name === deployment.metadata.name);
  if (!replicas || deployment.spec.replicas !== replicas.count) problems.push(`replicas ${deployment.spec.replicas}, overlay asks ${replicas?.count}`);
  const image = splitImage(serverContainer(deployment).image);
  const wanted = (kustomization.images || [])[0];
  if (!wanted || image.name !== wanted.newName || image.tag !== String(wanted.newTag)) {
    problems.push(`image ${serverContainer(deployment).image} is not the overlay's ${wanted?.newName}:${wanted?.newTag}`);
  }
  if (!image.tag && !image.digest) problems.push("production image has neither tag nor digest");
  if (image.tag === "latest") problems.push("production image uses the latest tag");
  return problems;
}

async function allProblems(objects, overlayDir) {
  const problems = [];
  for (const object of objects) {
    for (const p of await schemaProblems(object)) problems.push(`${object.kind}/${object.metadata?.name}: ${p}`);
  }
  for (const [name, rule] of Object.entries(kRules)) {
    try {
      for (const p of rule(objects)) problems.push(`${name}: ${p}`);
    } catch (error) {
      problems.push(`${name}: ${error.message}`);
    }
  }
  if (overlayDir) {
    try {
      problems.push(...overlayProblems(objects, overlayDir));
    } catch (error) {
      problems.push(`overlay: ${error.message}`);
    }
  }
  return problems;
}

// Sorted, comparable form of a rendered tree.
function canonical(objects) {
  const key = (o) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace || ""}/${o.metadata?.name}`;
  const sortKeys = (value) => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
    }
    return value;
  };
  return [...objects].sort((a, b) => key(a).localeCompare(key(b))).map(sortKeys);
}

async function checkKubernetes() {
  const trees = [["base", path.join(k8sDir, "base"), undefined],
    ...overlayNames.map((name) => [`overlays/${name}`, path.join(k8sDir, "overlays", name), path.join(k8sDir, "overlays", name)])];
  for (const [label, directory, overlayDir] of trees) {
    let objects;
    await check(`k8s ${label}: renders`, () => { objects = renderKustomization(directory); });
    if (!objects) continue;
    for (const object of objects) {
      await check(`k8s ${label}: ${object.kind}/${object.metadata?.name} matches its schema`, async () => {
        expectNoProblems(await schemaProblems(object));
      });
    }
    for (const [name, rule] of Object.entries(kRules)) {
      await check(`k8s ${label}: ${name}`, () => expectNoProblems(rule(objects)));
    }
    if (overlayDir) {
      await check(`k8s ${label}: namespace, replicas and image from the overlay`, () => expectNoProblems(overlayProblems(objects, overlayDir)));
    }
    await check(`k8s ${label}: same objects as kubectl kustomize`, () => {
      const kubectl = tool("kubectl");
      if (!kubectl) throw new Skip("kubectl not installed");
      const rendered = run(kubectl, ["kustomize", directory]);
      if (rendered.status !== 0) {
        // Some kubectl wrappers need a cloud SDK login even for kustomize.
        if (/gcloud|auth|credential/i.test(rendered.output)) throw new Skip(`kubectl kustomize unusable here: ${rendered.output.trim().split("\n")[0]}`);
        throw new Error(rendered.output);
      }
      const theirs = JSON.stringify(canonical(parseYamlDocuments(rendered.output, "kubectl kustomize")), null, 1);
      const ours = JSON.stringify(canonical(objects), null, 1);
      if (theirs !== ours) {
        const a = ours.split("\n");
        const b = theirs.split("\n");
        const line = a.findIndex((l, i) => l !== b[i]);
        throw new Error(`first difference at line ${line}: ours ${a[line]} | kubectl ${b[line]}`);
      }
    });
  }

  // Deliberate errors in a temporary copy of the tree: each must be caught.
  const breakages = [
    ["base/deployment.yaml", "readinessProbe:\n            grpc:\n              port: 8081", "readinessProbe:\n            grpc:\n              port: health", /must be integer/],
    ["base/deployment.yaml", "          readinessProbe:", "          readinesProbe:", /readinesProbe: unknown field/],
    ["base/service.yaml", "targetPort: grpc", "targetPort: grcp", /targets grcp, not a container port/],
    ["base/deployment.yaml", "- --drain-timeout-ms=20000", "- --drain-timeout-ms=30000", /exceeds terminationGracePeriodSeconds/],
    ["base/deployment.yaml", "secretName: agora-token-keyring\n            defaultMode: 0400", "secretName: agora-token-keyring\n            defaultMode: 0644", /mode 0644, not 0400/],
    ["base/deployment.yaml", "- --health-listen=0.0.0.0:8081", "- --health-listen=0.0.0.0:8082", /--health-listen port 8082/],
    ["base/deployment.yaml", "- --http-listen=0.0.0.0:8443", "- --http-listen=0.0.0.0:9443", /--http-listen port 9443/],
    ["base/service-headless.yaml", "- name: https\n      port: 8443", "- name: https\n      port: 443", /serves https as https:443, container port is 8443/],
    ["base/service.yaml", "    - name: https\n      port: 8443\n      targetPort: https\n      protocol: TCP\n", "", /Service agora-token-server has no port for https/],
    ["base/networkpolicy.yaml", "        - port: https\n          protocol: TCP\n", "", /NetworkPolicy does not open https/],
    ["base/servicemonitor.yaml", "- port: metrics", "- port: metric", /ServiceMonitor port metric is not a port/],
    ["overlays/production/resources.yaml", "- name: server", "- name: sever", /expected one container, found 2/],
  ];
  for (const [file, from, to, pattern] of breakages) {
    const shown = to.trim() ? to.trim().split("\n").pop().trim() : `without ${from.trim().split("\n")[0].trim()}`;
    await check(`k8s: a broken copy is caught (${file}: ${shown})`, async () => {
      const copy = makeTempDir("k8s");
      try {
        fs.cpSync(k8sDir, copy, { recursive: true });
        const target = path.join(copy, file);
        fs.writeFileSync(target, mutate(fs.readFileSync(target, "utf8"), from, to));
        const overlay = file.startsWith("overlays/") ? path.join(copy, path.dirname(file)) : undefined;
        const tree = overlay || path.join(copy, "base");
        const problems = await allProblems(renderKustomization(tree), overlay);
        expect(problems.some((p) => pattern.test(p)),
          `expected a problem matching ${pattern}, got:\n${problems.join("\n") || "(none)"}`);
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  }
}

// --------------------------------------------------------------- Dockerfile

function dockerfileInstructions(text) {
  const joined = text.replace(/\\\n/g, " ");
  return joined.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
    .map((l) => { const [, op, rest] = /^(\S+)\s*(.*)$/.exec(l); return { op: op.toUpperCase(), rest }; });
}

async function checkDocker() {
  const text = readRepoFile("deploy/Dockerfile");
  const instructions = dockerfileInstructions(text);
  const deployment = findOne(renderKustomization(path.join(k8sDir, "base")), "Deployment");
  const container = serverContainer(deployment);
  const stages = instructions.filter((i) => i.op === "FROM");
  const runtime = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));
  const one = (op) => {
    const found = runtime.filter((i) => i.op === op);
    expect(found.length === 1, `runtime stage has ${found.length} ${op} instructions`);
    return found[0].rest;
  };
  const exec = (rest) => JSON.parse(rest.replace(/^CMD\s+/, ""));

  await check("docker: builds on Debian 12 with the README's scripts", () => {
    expect(/ARG DEBIAN_RELEASE=bookworm/.test(text), "DEBIAN_RELEASE is not bookworm");
    expect(stages.length === 2, `expected 2 stages, found ${stages.length}`);
    expect(stages[0].rest === "debian:${DEBIAN_RELEASE} AS build", `build stage is FROM ${stages[0].rest}`);
    // The runtime root is assembled in the build stage (the server's ldd
    // closure); tests/container runs the image for real.
    expect(stages[1].rest === "scratch AS runtime", `runtime stage is FROM ${stages[1].rest}`);
    const runs = instructions.filter((i) => i.op === "RUN").map((i) => i.rest).join("\n");
    expect(/scripts\/install-deps\.sh image\b/.test(runs), "install-deps.sh image is not run");
    expect(!/\bnpm\b/.test(runs), "the image build runs npm");
    expect(/BUILD_TYPE=Release[\s\S]*scripts\/build\.sh --target agora-token-server/.test(runs), "build.sh --target agora-token-server is not run with BUILD_TYPE=Release");
    for (const script of ["scripts/install-deps.sh", "scripts/build.sh"]) {
      expect(fs.existsSync(path.join(repo, script)), `${script} does not exist`);
    }
  });
  await check("docker: runtime user is uid 10001, as in the pod and the systemd user", () => {
    expect(/^10001(:10001)?$/.test(one("USER")), `USER ${one("USER")}`);
    expect(deployment.spec.template.spec.securityContext.runAsUser === 10001, "pod runAsUser differs");
    const sysusers = readRepoFile("deploy/systemd/agora-token-server.sysusers.conf");
    expect(/^u agora-token 10001\b/m.test(sysusers), "sysusers.d does not create agora-token with uid 10001");
  });
  await check("docker: EXPOSE lists exactly the container ports", () => {
    const exposed = one("EXPOSE").split(/\s+/).map(Number).sort();
    const ports = container.ports.map((p) => p.containerPort).sort();
    expect(JSON.stringify(exposed) === JSON.stringify(ports), `EXPOSE ${exposed} vs container ports ${ports}`);
  });
  await check("docker: HEALTHCHECK probes the health port", () => {
    const healthcheck = one("HEALTHCHECK");
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD") + 3).trim());
    expect(command[0] === JSON.parse(one("ENTRYPOINT"))[0], "HEALTHCHECK does not run the server binary");
    const health = container.ports.find((p) => p.name === "health").containerPort;
    expect(command[1] === `--health-probe=127.0.0.1:${health}`, `HEALTHCHECK runs ${command.slice(1)}`);
  });
  await check("docker: default arguments match the Deployment's ports and config path", () => {
    const args = exec(one("CMD"));
    for (const flag of Object.values(kPortFlags)) {
      expect(portOf(flagValue(args, flag)) === portOf(flagValue(container.args, flag)), `${flag} differs from the Deployment`);
    }
    expect(flagValue(args, "--config") === flagValue(container.args, "--config"), "--config path differs from the Deployment");
    expect(/^\/usr\/local\/bin\/agora-token-server$/.test(JSON.parse(one("ENTRYPOINT"))[0]), "ENTRYPOINT is not the server");
  });
  await check("docker: preStop's /bin/sleep is copied into the runtime root", () => {
    // The root has no coreutils; tests/container/image_test.py runs it.
    expect(/install -m 0755 \/usr\/bin\/sleep \$root\/usr\/bin\//.test(text), "the Dockerfile does not copy /usr/bin/sleep");
    expect(/RUN \["\/bin\/sleep", "0"\]/.test(text), "the runtime stage does not run /bin/sleep");
    expect(container.lifecycle.preStop.exec.command[0] === "/bin/sleep", "preStop does not use /bin/sleep");
  });
  await check("docker: .dockerignore keeps build trees and node_modules out", () => {
    const ignored = readRepoFile(".dockerignore").split("\n").map((l) => l.trim());
    for (const entry of ["build", "build-*", "node_modules", ".git"]) {
      expect(ignored.includes(entry), `.dockerignore lacks ${entry}`);
    }
  });
}

// -------------------------------------------------------------------- nginx

function nginxDirectives(text) {
  return text.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter(Boolean);
}

// upstream name -> its servers' addresses, in order.
function nginxUpstreams(text) {
  const upstreams = {};
  for (const [, name, body] of text.matchAll(/^upstream (\S+) \{([^}]*)\}/gm)) {
    upstreams[name] = nginxDirectives(body).filter((d) => d.startsWith("server ")).map((d) => d.split(/\s+/)[1].replace(/;$/, ""));
  }
  return upstreams;
}

function nginxCheck(confText) {
  const nginx = tool("nginx");
  expect(nginx, "nginx is not installed (apt-get install nginx-light)");
  const prefix = makeTempDir("nginx");
  try {
    fs.mkdirSync(path.join(prefix, "tmp"));
    const key = path.join(prefix, "test.key");
    const cert = path.join(prefix, "test.crt");
    const openssl = run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
      "-subj", "/CN=agora-token.test", "-keyout", key, "-out", cert]);
    expect(openssl.status === 0, `openssl: ${openssl.output}`);
    let conf = mutate(confText, "/etc/nginx/tls/agora-token.crt", cert);
    conf = mutate(conf, "/etc/nginx/tls/agora-token.key", key);
    fs.writeFileSync(path.join(prefix, "agora-token.conf"), conf);
    fs.copyFileSync(path.join(repo, "tests/deploy/nginx-wrapper.conf"), path.join(prefix, "nginx.conf"));
    return run(nginx, ["-t", "-q", "-p", `${prefix}/`, "-c", path.join(prefix, "nginx.conf"), "-e", "stderr"]);
  } finally {
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}

async function checkNginx() {
  const conf = readRepoFile("deploy/nginx/agora-token.conf");
  const directives = nginxDirectives(conf);
  await check("nginx: nginx -t accepts the config, without warnings", () => {
    const result = nginxCheck(conf);
    expect(result.status === 0 && result.output.trim() === "", `nginx -t exit ${result.status}:\n${result.output}`);
  });
  await check("nginx: nginx -t rejects a broken copy", () => {
    const result = nginxCheck(mutate(conf, "grpc_next_upstream error timeout;", "grpc_next_upstream error timeout grpc_14;"));
    expect(result.status !== 0 && /invalid value "grpc_14"/.test(result.output), `nginx -t exit ${result.status}: ${result.output}`);
  });
  await check("nginx: retries only connection failures, never a call a replica received", () => {
    const retry = directives.filter((d) => d.startsWith("grpc_next_upstream "));
    expect(retry.length === 1 && retry[0] === "grpc_next_upstream error timeout;", `found ${JSON.stringify(retry)}`);
  });
  await check("nginx: gRPC over HTTP/2 with upstream keepalive", () => {
    expect(directives.some((d) => /^listen .*\bssl\b.*\bhttp2\b/.test(d)), "no TLS HTTP/2 listener");
    expect(directives.some((d) => /^grpc_pass grpcs?:\/\/agora_token_replicas;$/.test(d)), "no grpc_pass to the upstream");
    expect(directives.some((d) => /^keepalive \d+;$/.test(d)), "upstream has no keepalive");
  });
  await check("nginx: upstream ports are the Deployment's gRPC and HTTP ports", () => {
    const deployment = findOne(renderKustomization(path.join(k8sDir, "base")), "Deployment");
    const args = serverContainer(deployment).args;
    const upstreams = nginxUpstreams(conf);
    for (const [name, flag] of [["agora_token_replicas", "--listen"], ["agora_token_http_replicas", "--http-listen"]]) {
      const first = portOf(upstreams[name]?.[0]);
      expect(first === portOf(flagValue(args, flag)), `upstream ${name} starts at port ${first}, the Deployment's ${flag} is ${flagValue(args, flag)}`);
    }
  });
  await check("nginx: idle HTTP upstream connections close before the replicas close them", () => {
    const block = /upstream agora_token_http_replicas \{([^}]*)\}/.exec(conf)?.[1] || "";
    const seconds = Number(/^\s*keepalive_timeout (\d+)s;/m.exec(block)?.[1]);
    const unit = readRepoFile("deploy/systemd/agora-token-server.service");
    const serverMs = Number(/--http-idle-timeout-ms=(\d+)/.exec(unit)?.[1]
      ?? /ABSL_FLAG\(int, http_idle_timeout_ms, (\d+),/.exec(readRepoFile("server/main.cc"))?.[1]);
    expect(Number.isFinite(seconds) && Number.isFinite(serverMs), `keepalive_timeout ${seconds}, server idle ${serverMs}`);
    expect(seconds * 1000 < serverMs, `keepalive_timeout ${seconds}s vs --http-idle-timeout-ms ${serverMs}`);
    expect(directives.includes("proxy_http_version 1.1;") && directives.includes('proxy_set_header Connection "";'), "no HTTP/1.1 keep-alive to the replicas");
  });
  await check("nginx: body limit admits the server's largest request", () => {
    const limit = /^client_max_body_size (\d+)([km]?);$/.exec(directives.find((d) => d.startsWith("client_max_body_size")) || "");
    expect(limit, "client_max_body_size missing");
    const bytes = Number(limit[1]) * ({ "": 1, k: 1024, m: 1024 * 1024 })[limit[2]];
    const unit = readRepoFile("deploy/systemd/agora-token-server.service");
    const serverMax = Number(/--max-request-bytes=(\d+)/.exec(unit)?.[1]);
    expect(Number.isFinite(serverMax), "the systemd unit does not set --max-request-bytes");
    // 5 bytes of gRPC framing; more than 16 KiB of slack would let nginx
    // buffer requests the server is going to refuse anyway.
    expect(bytes >= serverMax + 5 && bytes <= serverMax + 16 * 1024, `client_max_body_size ${bytes} vs --max-request-bytes ${serverMax}`);
  });
  await checkNginxHttpApi(conf);
}

// What nginx must do with the HTTP API, against stub replicas
// (nginx_front.mjs). Each throws on the first thing that is wrong.
const kConnectPath = "/agora.token.v1.TokenService/BuildRtcTokenWithUid";
const kOrigin = "https://app.example.com";

async function connectGoesToHttpUpstream({ port, http, grpc }) {
  const headers = { "content-type": "application/json", authorization: "Bearer k3y", origin: kOrigin,
    "connect-protocol-version": "1", "connect-timeout-ms": "2000" };
  const body = '{"appId":"970CA35de60c44645bbae8a215061b33","channelName":"room-1","uid":42}';
  const call = await requestHttp1(port, { method: "POST", path: kConnectPath, headers, body });
  expect(call.status === 200 && call.body === '{"stub":"http"}', `Connect call: ${call.status} ${call.body}`);
  const seen = http.seen.at(-1);
  expect(seen?.method === "POST" && seen.url === kConnectPath && seen.body === body, `HTTP upstream saw ${JSON.stringify(seen)}`);
  for (const [name, value] of Object.entries(headers)) {
    expect(seen.headers[name] === value, `${name} reached the replica as ${seen.headers[name]}`);
  }
  // The replica's CORS answer, once: nginx adds none of its own.
  expect(call.headers["access-control-allow-origin"] === kOrigin, `Access-Control-Allow-Origin: ${call.headers["access-control-allow-origin"]}`);
  const preflight = await requestHttp1(port, { method: "OPTIONS", path: kConnectPath, headers: { origin: kOrigin,
    "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
  expect(preflight.status === 204 && http.seen.at(-1)?.method === "OPTIONS", `preflight: ${preflight.status}, replica saw ${http.seen.at(-1)?.method}`);
  expect(http.seen.at(-1).headers["access-control-request-headers"] === "authorization, content-type", "preflight headers changed");
  // Binary Connect over HTTP/2, as a browser's fetch may send it.
  const proto = await requestHttp2(port, { ":method": "POST", ":path": kConnectPath, "content-type": "application/proto" }, "\x0a\x00");
  expect(proto.status === 200 && http.seen.at(-1)?.headers["content-type"] === "application/proto", `application/proto over h2: ${proto.status}`);
  expect(grpc.seen.length === 0, `the gRPC upstream got ${JSON.stringify(grpc.seen)}`);
}

async function checkNginxHttpApi(conf) {
  const nginx = tool("nginx");
  const wrapper = path.join(repo, "tests/deploy/nginx-wrapper.conf");
  const front = (body, text = conf) => {
    expect(nginx, "nginx is not installed (apt-get install nginx-light)");
    return withNginxFront(nginx, text, wrapper, body);
  };
  await check("nginx: Connect calls and preflights reach the HTTP ports with their headers; CORS is the replica's", () =>
    front(connectGoesToHttpUpstream));
  await check("nginx: the routing check catches Connect sent to the gRPC ports (broken copy)", async () => {
    const broken = mutate(conf, "        if ($agora_token_grpc = 0) {\n            return 418;\n        }\n        grpc_pass", "        grpc_pass");
    let caught;
    await front((f) => connectGoesToHttpUpstream(f).catch((error) => { caught = error; }), broken);
    expect(caught, "a config that sends Connect calls to grpc_pass passed the check");
  });
  await check("nginx: gRPC calls on the same paths reach the gRPC ports", () => front(async ({ port, http, grpc }) => {
    const frame = Buffer.from([0, 0, 0, 0, 0]);
    const call = await requestHttp2(port, { ":method": "POST", ":path": kConnectPath, "content-type": "application/grpc", te: "trailers" }, frame);
    expect(call.status === 200 && call.trailers["grpc-status"] === "0", `gRPC call: ${call.status} ${JSON.stringify(call.trailers)}`);
    expect(grpc.seen.at(-1)?.path === kConnectPath && http.seen.length === 0, `gRPC upstream saw ${JSON.stringify(grpc.seen)}, HTTP ${http.seen.length}`);
  }));
  await check("nginx: the drop-in routes reach the HTTP ports unchanged", () => front(async ({ port, http }) => {
    const routes = [["GET", "/rtc/room-1/publisher/uid/42/?expiry=3600"], ["GET", "/rtc/room-1/subscriber/userAccount/alice"],
      ["GET", "/rtm/alice/?expiry=600"], ["GET", "/rte/room-1/publisher/uid/42/alice/"], ["GET", "/chat/app/"],
      ["GET", "/chat/account/alice/"], ["POST", "/getToken"], ["GET", "/ping"], ["GET", "/ping/"]];
    for (const [method, target] of routes) {
      const body = method === "POST" ? '{"tokenType":"rtc","channel":"room-1","role":"publisher","uid":"42","expire":3600}' : undefined;
      const answer = await requestHttp1(port, { method, path: target, headers: body ? { "content-type": "application/json" } : {}, body });
      const seen = http.seen.at(-1);
      expect(answer.status === 200 && seen?.method === method && seen.url === target && (body === undefined || seen.body === body),
        `${method} ${target}: ${answer.status}, replica saw ${seen?.method} ${seen?.url}`);
    }
  }));
  await check("nginx: /healthz, /readyz, /metrics and other paths are not served (404, nothing upstream)", () => front(async ({ port, http, grpc }) => {
    for (const target of ["/healthz", "/readyz", "/metrics", "/", "/getTokens", "/grpc.health.v1.Health/Check"]) {
      const answer = await requestHttp1(port, { path: target, headers: { origin: kOrigin } });
      expect(answer.status === 404 && JSON.parse(answer.body).code === "not_found", `${target}: ${answer.status} ${answer.body}`);
      expect(!Object.keys(answer.headers).some((h) => h.startsWith("access-control-")), `${target}: nginx added CORS headers`);
    }
    expect(http.seen.length === 0 && grpc.seen.length === 0, `upstreams saw ${JSON.stringify([...http.seen, ...grpc.seen])}`);
    // gRPC clients still get UNIMPLEMENTED for an unknown service.
    const health = await requestHttp2(port, { ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc" }, Buffer.alloc(5));
    expect(health.headers["grpc-status"] === "12", `gRPC health via nginx: ${JSON.stringify(health.headers)}`);
  }));
  await check("nginx: requests share kept-alive HTTP/1.1 connections to the replicas", () => front(async ({ port, http }) => {
    for (let i = 0; i < 5; i++) await requestHttp1(port, { path: "/ping" });
    const versions = new Set(http.seen.map((s) => s.headers.connection));
    expect(http.seen.length === 5 && http.connections() === 1, `${http.seen.length} requests over ${http.connections()} upstream connections`);
    expect(!versions.has("close"), "nginx asked the replica to close the connection");
  }));
  await check("nginx: with no replica up, HTTP callers get Connect errors and gRPC callers UNAVAILABLE", () => front(async ({ port, http, grpc }) => {
    await http.stop();
    await grpc.stop();
    for (const [method, target] of [["POST", kConnectPath], ["GET", "/rtc/room-1/publisher/uid/42/"]]) {
      const answer = await requestHttp1(port, { method, path: target, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
      expect(answer.status === 503 && JSON.parse(answer.body).code === "unavailable", `${method} ${target}: ${answer.status} ${answer.body}`);
    }
    const call = await requestHttp2(port, { ":method": "POST", ":path": kConnectPath, "content-type": "application/grpc" }, Buffer.alloc(5));
    expect(call.headers["grpc-status"] === "14", `gRPC: ${JSON.stringify(call.headers)}`);
  }));
}

// ------------------------------------------------------------------ systemd

function unitSettings(text) {
  const settings = [];
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) settings.push([match[1], match[2].trim().replace(/\s+/g, " ")]);
  }
  return settings;
}

// Copies the unit with ExecStart pointed at a stub, since verify insists
// that the binary exists.
function systemdVerify(unitText) {
  const analyze = tool("systemd-analyze");
  if (!analyze) throw new Skip("systemd-analyze not installed");
  const directory = makeTempDir("systemd");
  try {
    const stub = path.join(directory, "agora-token-server");
    fs.writeFileSync(stub, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const unit = path.join(directory, "agora-token-server.service");
    fs.writeFileSync(unit, mutate(unitText, "ExecStart=/usr/local/bin/agora-token-server", `ExecStart=${stub}`));
    return { verify: run(analyze, ["verify", unit]), security: run(analyze, ["security", "--offline=true", unit]) };
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function checkSystemd() {
  const text = readRepoFile("deploy/systemd/agora-token-server.service");
  const settings = unitSettings(text);
  const get = (key) => settings.filter(([k]) => k === key).map(([, v]) => v);
  await check("systemd: systemd-analyze verify is silent", () => {
    const { verify } = systemdVerify(text);
    expect(verify.status === 0 && verify.output.trim() === "", `exit ${verify.status}:\n${verify.output}`);
  });
  await check("systemd: systemd-analyze verify flags a broken copy", () => {
    const { verify } = systemdVerify(mutate(text, "NoNewPrivileges=yes", "NoNewPrivilege=yes"));
    expect(/Unknown key name 'NoNewPrivilege'|Unknown key 'NoNewPrivilege'/.test(verify.output), `verify said: ${verify.output}`);
  });
  await check("systemd: systemd-analyze security rates the sandbox OK (exposure < 2.0)", () => {
    const { security } = systemdVerify(text);
    const level = /Overall exposure level for .*: ([0-9.]+)/.exec(security.output);
    expect(level, `no exposure level in: ${security.output.slice(-400)}`);
    expect(Number(level[1]) < 2.0, `exposure ${level[1]}`);
  });
  await check("systemd: hardening directives from the deployment brief", () => {
    const required = {
      NoNewPrivileges: "yes", ProtectSystem: "strict", ProtectHome: "yes", PrivateTmp: "yes",
      PrivateDevices: "yes", ProtectKernelTunables: "yes", ProtectKernelModules: "yes",
      ProtectKernelLogs: "yes", ProtectControlGroups: "yes",
      RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX", RestrictNamespaces: "yes",
      LockPersonality: "yes", MemoryDenyWriteExecute: "yes", CapabilityBoundingSet: "",
      LimitCORE: "0", KillSignal: "SIGTERM", ExecReload: "/bin/kill -HUP $MAINPID",
    };
    const wrong = Object.entries(required).filter(([k, v]) => !get(k).includes(v)).map(([k, v]) => `${k}=${v}`);
    expect(get("SystemCallFilter").includes("@system-service"), "SystemCallFilter=@system-service missing");
    expect(get("User").length === 1 || get("DynamicUser").includes("yes"), "runs as root");
    expectNoProblems(wrong.map((w) => `missing ${w}`));
  });
  await check("systemd: TimeoutStopSec covers the drain", () => {
    const drainMs = Number(/--drain-timeout-ms=(\d+)/.exec(get("ExecStart")[0] || "")?.[1]);
    const timeout = /^(\d+)s?$/.exec(get("TimeoutStopSec")[0] || "");
    expect(Number.isFinite(drainMs) && timeout, "ExecStart --drain-timeout-ms or TimeoutStopSec missing");
    expect(Number(timeout[1]) >= drainMs / 1000 + 1, `TimeoutStopSec ${timeout[1]}s vs drain ${drainMs} ms`);
  });
  await check("systemd: paths agree with the container layout", () => {
    const execStart = get("ExecStart")[0];
    const deployment = findOne(renderKustomization(path.join(k8sDir, "base")), "Deployment");
    const configFlag = flagValue(serverContainer(deployment).args, "--config");
    expect(execStart.includes(` --config=${configFlag} `), `ExecStart does not read ${configFlag}`);
    const containerMax = flagValue(serverContainer(deployment).args, "--max-request-bytes");
    expect(execStart.includes(`--max-request-bytes=${containerMax}`), "--max-request-bytes differs from the Deployment");
  });
  await check("systemd: the API ports (gRPC and HTTP) are the Deployment's", () => {
    const args = get("ExecStart")[0].split(" ");
    const container = serverContainer(findOne(renderKustomization(path.join(k8sDir, "base")), "Deployment"));
    for (const name of kApiPorts) {
      const flag = kPortFlags[name];
      const port = portOf(flagValue(args, flag));
      expect(port !== undefined, `ExecStart has no ${flag}=HOST:PORT`);
      expect(port === portOf(flagValue(container.args, flag)), `${flag} port ${port} differs from the Deployment`);
    }
  });
}

// --------------------------------------------------------------- monitoring

// Metric names an expression reads (PromQL functions and keywords are not
// agora_token_* or up, so a name match is enough here).
function metricsIn(expr) {
  return [...expr.matchAll(/\b(agora_token_[a-z_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((m) => m[1]);
}

function dashboardTargets(dashboard) {
  return dashboard.panels.filter((p) => p.type !== "row").flatMap((p) => (p.targets || []).map((t) => ({ panel: p, expr: t.expr })));
}

// Grafana variables replaced by values PromQL can parse.
function concreteExpr(expr) {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll("$__range", "1h")
    .replaceAll("$job", ".+").replaceAll("$instance", ".+");
}

function promtoolRun(files, args) {
  const promtool = tool("promtool");
  if (!promtool) throw new Skip("promtool not installed (apt-get install prometheus)");
  const directory = makeTempDir("promtool");
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(directory, name), content);
    return run(promtool, args, { cwd: directory });
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function checkMonitoring() {
  const dashboard = JSON.parse(readRepoFile("deploy/grafana/agora-token-dashboard.json"));
  const targets = dashboardTargets(dashboard);
  const [rule] = parseYamlDocuments(readRepoFile("deploy/k8s/base/prometheusrule.yaml"), "prometheusrule.yaml");
  const alerts = rule.spec.groups.flatMap((g) => g.rules);

  await check("grafana: panels have unique ids, positions and the datasource variable", () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size === ids.length, `duplicate panel ids in ${ids}`);
    expect(dashboard.templating.list.some((v) => v.name === "datasource" && v.type === "datasource" && v.query === "prometheus"), "no prometheus datasource variable");
    for (const panel of dashboard.panels) {
      expect(panel.gridPos && panel.gridPos.w > 0 && panel.gridPos.x + panel.gridPos.w <= 24, `panel ${panel.id} has a bad gridPos`);
      if (panel.type !== "row") expect(panel.datasource?.uid === "${datasource}", `panel ${panel.title} does not use $datasource`);
    }
    expect(typeof dashboard.uid === "string" && dashboard.uid.length <= 40, "dashboard uid missing or too long");
  });
  await check("grafana: queries read only the server's metrics, and every metric is shown", () => {
    const unknown = targets.flatMap((t) => metricsIn(t.expr).filter((m) => !kServerMetrics.includes(m)));
    expect(unknown.length === 0, `unknown metrics: ${[...new Set(unknown)]}`);
    const shown = new Set(targets.flatMap((t) => metricsIn(t.expr)));
    const missing = kServerMetrics.filter((m) => !shown.has(m));
    expect(missing.length === 0, `metrics on no panel: ${missing}`);
  });
  await check("grafana: the panels the runbook relies on", () => {
    const has = (test) => targets.some((t) => test(t.expr.replace(/\s+/g, " ")));
    const wanted = {
      "QPS by method and code": (e) => /sum by \(method, code\) \(rate\(agora_token_rpc_requests_total/.test(e),
      "error ratio": (e) => /code!="OK"[\s\S]*\/ sum\(rate\(agora_token_rpc_requests_total/.test(e),
      "p50 latency by method": (e) => /histogram_quantile\(0\.5, sum by \(le, method\) \(rate\(agora_token_rpc_latency_seconds_bucket/.test(e),
      "p99 latency by method": (e) => /histogram_quantile\(0\.99, sum by \(le, method\) \(rate\(agora_token_rpc_latency_seconds_bucket/.test(e),
      "tokens by kind and version": (e) => /sum by \(kind, version\) \(rate\(agora_token_tokens_issued_total/.test(e),
    };
    const missing = Object.entries(wanted).filter(([, test]) => !has(test)).map(([name]) => name);
    expect(missing.length === 0, `missing panels: ${missing}`);
  });
  await check("grafana: every query parses (promtool)", () => {
    const rules = { groups: [{ name: "dashboard", rules: targets.map((t, i) => ({ record: `dashboard:query_${i}`, expr: concreteExpr(t.expr) })) }] };
    const result = promtoolRun({ "dashboard.yaml": YAML.stringify(rules) }, ["check", "rules", "dashboard.yaml"]);
    expect(result.status === 0, result.output);
  });
  await check("alerts: read only the server's metrics, with severity and summary", () => {
    const problems = [];
    for (const alert of alerts) {
      for (const metric of metricsIn(alert.expr)) {
        if (metric !== "up" && !kServerMetrics.includes(metric)) problems.push(`${alert.alert} reads unknown ${metric}`);
      }
      if (!["critical", "warning", "info"].includes(alert.labels?.severity)) problems.push(`${alert.alert} has no severity`);
      if (!alert.annotations?.summary) problems.push(`${alert.alert} has no summary`);
    }
    const codes = alerts.find((a) => a.alert === "AgoraTokenServerErrors")?.expr.match(/code=~"([^"]+)"/)?.[1].split("|");
    if (JSON.stringify(codes) !== JSON.stringify(kServerSideCodes)) problems.push(`server-side codes are ${codes}`);
    expectNoProblems(problems);
  });
  const rulesFile = YAML.stringify({ groups: rule.spec.groups });
  const alertTests = readRepoFile("tests/deploy/alerts_test.yaml");
  await check("alerts: promtool check rules", () => {
    const result = promtoolRun({ "rules.yaml": rulesFile }, ["check", "rules", "rules.yaml"]);
    expect(result.status === 0, result.output);
  });
  await check("alerts: promtool unit tests (tests/deploy/alerts_test.yaml)", () => {
    const result = promtoolRun({ "rules.yaml": rulesFile, "alerts_test.yaml": alertTests }, ["test", "rules", "alerts_test.yaml"]);
    expect(result.status === 0, result.output);
  });
  await check("alerts: the unit tests catch a wrong threshold", () => {
    const broken = mutate(rulesFile, "> 0.01", "> 0.1");
    const result = promtoolRun({ "rules.yaml": broken, "alerts_test.yaml": alertTests }, ["test", "rules", "alerts_test.yaml"]);
    expect(result.status !== 0 && /AgoraTokenServerErrors/.test(result.output), `promtool exit ${result.status}`);
  });
}

// --------------------------------------------------------------------- main

const sections = { k8s: checkKubernetes, docker: checkDocker, nginx: checkNginx, systemd: checkSystemd, monitoring: checkMonitoring };
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!sections[name]) {
    console.error(`unknown section ${name}; choose from ${Object.keys(sections).join(", ")}`);
    process.exit(2);
  }
}
for (const name of wanted.length ? wanted : Object.keys(sections)) {
  try {
    await sections[name]();
  } catch (error) {
    // A section that cannot even start (unreadable file) counts as a failure.
    await check(`${name}: section runs`, () => { throw error; });
  }
}
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed > 0 ? 1 : 0);
