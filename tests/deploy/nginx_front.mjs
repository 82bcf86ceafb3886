// deploy/nginx/agora-token.conf run for real on loopback, in front of two
// stub replicas: a plaintext HTTP/2 server standing for the gRPC ports and
// an HTTP/1.1 server standing for the --http-listen ports. Each stub
// records what reached it, so a check can tell which upstream nginx chose
// for a request, what it passed on, and what it answered by itself.
// nginx runs unprivileged in the foreground under a temporary prefix.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";

// The production config with its listeners on 127.0.0.1:`port`, each
// upstream's servers replaced by `upstreams[name]`, and the TLS pair
// swapped. Throws if an upstream has no replacement, so a new upstream
// cannot slip past the checks.
export function loopbackConfig(text, { port, upstreams, certificate, key }) {
  const out = [];
  let listens = 0;
  let upstream;
  const replaced = new Set();
  for (const line of text.split("\n")) {
    const words = line.replace(/#.*$/, "").trim().replace(/;$/, "").split(/\s+/);
    if (words[0] === "upstream") upstream = words[1];
    if (words[0] === "}") upstream = undefined;
    if (words[0] === "listen") {
      if (listens++ === 0) out.push(`    listen 127.0.0.1:${port} ${words.slice(2).join(" ")};`);
      continue;
    }
    if (upstream && words[0] === "server") {
      if (!upstreams[upstream]) throw new Error(`no stub for upstream ${upstream}`);
      if (!replaced.has(upstream)) out.push(...upstreams[upstream].map((s) => `    server ${s};`));
      replaced.add(upstream);
      continue;
    }
    if (words[0] === "ssl_certificate") out.push(`    ssl_certificate ${certificate};`);
    else if (words[0] === "ssl_certificate_key") out.push(`    ssl_certificate_key ${key};`);
    else out.push(line);
  }
  const missing = Object.keys(upstreams).filter((name) => !replaced.has(name));
  if (listens === 0 || missing.length > 0) throw new Error(`config lacks listen or upstreams ${missing}`);
  return out.join("\n");
}

// Kept-alive upstream connections would hold a stub's close() forever.
function closeSockets(server) {
  for (const socket of server.sockets || []) socket.destroy();
}

function listen(server) {
  server.sockets = new Set();
  server.on("connection", (socket) => {
    server.sockets.add(socket);
    socket.on("close", () => server.sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server.address().port));
  });
}

async function freePort() {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Stands for the replicas' HTTP ports: answers 200 with JSON naming
// itself, echoes Origin as Access-Control-Allow-Origin (as the server does
// for an allowed origin), and 204 to OPTIONS.
function httpStub() {
  const seen = [];
  let connections = 0;
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() });
      const headers = { "content-type": "application/json" };
      if (request.headers.origin) headers["access-control-allow-origin"] = request.headers.origin;
      response.writeHead(request.method === "OPTIONS" ? 204 : 200, headers);
      response.end(request.method === "OPTIONS" ? undefined : '{"stub":"http"}');
    });
  });
  server.on("connection", () => { connections++; });
  return { server, seen, connections: () => connections };
}

// Stands for the replicas' gRPC ports (nginx speaks h2c to them): an empty
// response with grpc-status 0.
function grpcStub() {
  const seen = [];
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    seen.push({ path: headers[":path"], contentType: headers["content-type"] });
    stream.on("data", () => {});
    stream.on("end", () => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end();
    });
  });
  return { server, seen };
}

// One HTTP/1.1 request over TLS; resolves to { status, headers, body }.
export function requestHttp1(port, { method = "GET", path: target, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: "127.0.0.1", port, method, path: target, headers, rejectUnauthorized: false, agent: false },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, rawHeaders: response.rawHeaders, body: Buffer.concat(chunks).toString() }));
      });
    request.on("error", reject);
    request.setTimeout(10000, () => request.destroy(new Error(`${method} ${target} timed out`)));
    request.end(body);
  });
}

// One HTTP/2 request over TLS (as browsers and gRPC clients send them);
// resolves to { status, headers, trailers, body }.
export function requestHttp2(port, headers, body) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.on("error", reject);
    const stream = session.request(headers);
    const result = { trailers: {} };
    const chunks = [];
    stream.on("response", (h) => { result.status = h[":status"]; result.headers = h; });
    stream.on("trailers", (t) => { result.trailers = t; });
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => { session.close(); resolve({ ...result, body: Buffer.concat(chunks).toString() }); });
    stream.on("error", (error) => { session.close(); reject(error); });
    // After "end" this is a no-op; otherwise the stream was cut short.
    stream.on("close", () => { session.close(); reject(new Error(`${headers[":path"]}: stream closed early`)); });
    stream.setTimeout(10000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.end(body);
  });
}

async function waitForPort(port, child, log, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${log()}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen in time: ${log()}`);
}

// Runs `body({ port, http, grpc })` against nginx with `confText` (wrapped
// by `wrapperPath`, as for nginx -t) in front of fresh stubs; `http` and
// `grpc` expose each stub's `seen` requests and `stop()`.
export async function withNginxFront(nginx, confText, wrapperPath, body) {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "agora-deploy-nginx-run-"));
  const stubs = { http: httpStub(), grpc: grpcStub() };
  let child;
  try {
    fs.mkdirSync(path.join(prefix, "tmp"));
    const certificate = path.join(prefix, "test.crt");
    const key = path.join(prefix, "test.key");
    const openssl = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "1", "-subj", "/CN=agora-token.test", "-keyout", key, "-out", certificate], { encoding: "utf8" });
    if (openssl.status !== 0) throw new Error(`openssl: ${openssl.stderr}`);
    const httpPort = await listen(stubs.http.server);
    const grpcPort = await listen(stubs.grpc.server);
    const port = await freePort();
    fs.writeFileSync(path.join(prefix, "agora-token.conf"), loopbackConfig(confText, {
      port, certificate, key,
      upstreams: { agora_token_replicas: [`127.0.0.1:${grpcPort}`], agora_token_http_replicas: [`127.0.0.1:${httpPort}`] },
    }));
    fs.copyFileSync(wrapperPath, path.join(prefix, "nginx.conf"));
    let log = "";
    child = spawn(nginx, ["-p", `${prefix}/`, "-c", path.join(prefix, "nginx.conf"), "-e", "stderr",
      "-g", "daemon off; master_process off;"], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (chunk) => { log += chunk; });
    await waitForPort(port, child, () => log, 10000);
    const stop = (server) => new Promise((resolve) => { server.close(resolve); closeSockets(server); });
    return await body({
      port,
      log: () => log,
      http: { seen: stubs.http.seen, connections: stubs.http.connections, stop: () => stop(stubs.http.server) },
      grpc: { seen: stubs.grpc.seen, stop: () => stop(stubs.grpc.server) },
    });
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    for (const { server } of Object.values(stubs)) {
      server.close();
      closeSockets(server);
    }
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}
