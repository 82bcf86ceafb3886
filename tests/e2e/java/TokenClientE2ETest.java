// End-to-end test of the Java client (clients/java) against the real
// agora-token-server binary, with JUnit 4 (Debian's junit4). Three servers are
// started once on 127.0.0.1:0, their ports read from the "serving" log line,
// and stopped with SIGTERM (then SIGKILL) at the end:
//   - development mode (--keyring, plaintext): every token kind, checked by
//     Agora's official npm package via tests/crosscheck/verify_with_agora_token.js,
//     field violations, batches, decoding, the example program;
//   - --config with TLS and two API-key callers (one rate-limited): TLS with a
//     CA file, refused API keys, policy refusals, RetryInfo;
//   - --config with mutual TLS: a caller known by its client certificate.
// The certificates come from the openssl command, as tests/server/test_pki.cc
// and tests/container/image_test.py make theirs. A scripted grpc-java server
// checks what the client adds to each call: the API key, the deadline and the
// retry policy of clients/service_config.json.
//
// Run by tests/e2e/java/run.sh (ctest e2e_java_client), which sets
// AGORA_TOKEN_SERVER, AGORA_TOKEN_REPO_ROOT, AGORA_TOKEN_NODE and
// AGORA_TOKEN_JAVA_CLASSPATH (the client's jars and their dependencies, for
// the example program).

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import agora.token.v1.TokenServiceGrpc;
import agora.token.v1.TokenServiceOuterClass.BuildChatTokenResponse;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithAccountResponse;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithUidRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithUidResponse;
import agora.token.v1.TokenServiceOuterClass.BuildRtmTokenResponse;
import agora.token.v1.TokenServiceOuterClass.BuildTokensResponse;
import agora.token.v1.TokenServiceOuterClass.BuildTokensResult;
import agora.token.v1.TokenServiceOuterClass.DecodeTokenRequest;
import agora.token.v1.TokenServiceOuterClass.DecodeTokenResponse;
import agora.token.v1.TokenServiceOuterClass.DecodedService;
import agora.token.v1.TokenServiceOuterClass.IssuedToken;
import agora.token.v1.TokenServiceOuterClass.Role;
import agora.token.v1.TokenServiceOuterClass.ServiceType;
import agora.token.v1.TokenServiceOuterClass.SignatureState;
import agora.token.v1.TokenServiceOuterClass.TokenVersion;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import com.google.protobuf.Message;
import io.agora.token.client.FieldViolation;
import io.agora.token.client.TokenClient;
import io.agora.token.client.TokenOptions;
import io.agora.token.client.TokenRequests;
import io.agora.token.client.TokenServiceException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

public class TokenClientE2ETest {
  static final Path REPO_ROOT = Paths.get(env("AGORA_TOKEN_REPO_ROOT", ".")).toAbsolutePath().normalize();
  static final Path SERVER_BINARY =
      Paths.get(env("AGORA_TOKEN_SERVER", REPO_ROOT.resolve("build/server/agora-token-server").toString()));
  static final String NODE = env("AGORA_TOKEN_NODE", "node");
  static final Path VERIFIER = REPO_ROOT.resolve("tests/crosscheck/verify_with_agora_token.js");
  static final Path EXAMPLE = REPO_ROOT.resolve("clients/java/example/Example.java");
  // Read here rather than through the client, so a client that ignored it fails.
  static final Path SHARED_SERVICE_CONFIG = REPO_ROOT.resolve("clients/service_config.json");
  static final String DEV_APP_ID = "970CA35de60c44645bbae8a215061b33";
  static final String DEV_APP_CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b";
  static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(15);
  static final Duration SUBPROCESS_TIMEOUT = Duration.ofSeconds(60);
  static final SecureRandom RANDOM = new SecureRandom();

  static final String APP_ID = randomHex(16);
  static final String APP_CERTIFICATE = randomHex(16);
  static final String API_KEY = "java-e2e-" + randomHex(16);
  static final String LIMITED_API_KEY = "java-e2e-limited-" + randomHex(16);

  static Path workDir;
  static ServerProcess devServer;
  static ServerProcess tlsServer;
  static ServerProcess mtlsServer;
  static TokenClient client;

  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    StringBuilder hex = new StringBuilder();
    for (byte x : b) {
      hex.append(String.format("%02x", x));
    }
    return hex.toString();
  }

  static String sha256Hex(String text) throws NoSuchAlgorithmException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder();
    for (byte x : digest) {
      hex.append(String.format("%02x", x));
    }
    return hex.toString();
  }

  /** Exit status and combined output of a bounded subprocess. */
  static final class Run {
    final int status;
    final String output;

    Run(int status, String output) {
      this.status = status;
      this.output = output;
    }

    String lastLine() {
      String[] lines = output.trim().split("\n");
      return lines[lines.length - 1].trim();
    }
  }

  static Run run(List<String> argv) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = process.getInputStream()) {
        in.transferTo(output);
      } catch (IOException ignored) {
        // the process died; what was read is kept
      }
    });
    reader.start();
    if (!process.waitFor(SUBPROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      reader.join();
      return new Run(-1, output.toString(StandardCharsets.UTF_8) + "\n(killed after " + SUBPROCESS_TIMEOUT + ")");
    }
    reader.join();
    return new Run(process.exitValue(), output.toString(StandardCharsets.UTF_8));
  }

  static void openssl(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add("openssl");
    argv.addAll(Arrays.asList(args));
    Run result = run(argv);
    if (result.status != 0) {
      throw new IllegalStateException("openssl " + args[0] + " failed:\n" + result.output);
    }
  }

  /** A CA, and a certificate it signs with this subjectAltName; keys EC P-256 (PKCS#8 PEM). */
  static void issue(String name, String subjectAltName) throws IOException, InterruptedException {
    String dir = workDir.toString() + "/";
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
        "-keyout", dir + name + ".key", "-out", dir + name + ".csr");
    Files.writeString(workDir.resolve(name + ".ext"), "subjectAltName=" + subjectAltName + "\n");
    openssl("x509", "-req", "-in", dir + name + ".csr", "-CA", dir + "ca.crt", "-CAkey", dir + "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", dir + name + ".ext", "-out", dir + name + ".crt");
  }

  /** agora-token-server as a child process on a free loopback port. */
  static final class ServerProcess {
    final Path log;
    final Process process;
    int port;

    ServerProcess(String name, String... flags) throws IOException {
      log = workDir.resolve(name + ".log");
      List<String> argv = new ArrayList<>(List.of(SERVER_BINARY.toString(), "--listen=127.0.0.1:0",
          "--compression=compatible", "--drain_timeout_ms=2000"));
      argv.addAll(Arrays.asList(flags));
      process = new ProcessBuilder(argv).directory(workDir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(log.toFile())
          .start();
    }

    String log() throws IOException {
      return Files.exists(log) ? Files.readString(log) : "";
    }

    String target() {
      return "127.0.0.1:" + port;
    }

    void waitUntilServing() throws IOException, InterruptedException {
      long deadline = System.nanoTime() + SERVER_START_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        for (String line : log().split("\n")) {
          try {
            JsonObject record = JsonParser.parseString(line).getAsJsonObject();
            if (record.has("msg") && record.get("msg").getAsString().equals("serving")) {
              port = record.get("port").getAsInt();
              return;
            }
          } catch (JsonSyntaxException | IllegalStateException notARecord) {
            // not one of the server's JSON lines
          }
        }
        if (!process.isAlive()) {
          throw new AssertionError("server exited (" + process.exitValue() + ") before serving; log:\n" + log());
        }
        Thread.sleep(50);
      }
      throw new AssertionError("server did not log \"serving\" within " + SERVER_START_TIMEOUT + "; log:\n" + log());
    }

    /** SIGTERM (drain), then SIGKILL; returns the exit status. */
    int stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      return process.exitValue();
    }
  }

  @BeforeClass
  public static void startServers() throws Exception {
    assertTrue("server binary " + SERVER_BINARY + " is missing; build agora-token-server",
        Files.isExecutable(SERVER_BINARY));
    workDir = Files.createTempDirectory("agora-token-java-e2e-");
    Files.writeString(workDir.resolve("test_app.certificate"), APP_CERTIFICATE + "\n");
    Files.writeString(workDir.resolve("keyring.textproto"),
        "apps {\n  app_id: \"" + APP_ID + "\"\n  primary_certificate { path: \"test_app.certificate\" }\n}\n"
        + "apps {\n  app_id: \"" + DEV_APP_ID + "\"\n  primary_certificate { value: \"" + DEV_APP_CERTIFICATE
        + "\" }\n}\n");
    devServer = new ServerProcess("dev", "--keyring=keyring.textproto");

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=agora-token java e2e CA", "-keyout", workDir + "/ca.key", "-out", workDir + "/ca.crt");
    issue("server", "IP:127.0.0.1,DNS:localhost");
    issue("backend", "DNS:java-backend.test");

    String policy = "policy {\n    app_ids: \"*\"\n"
        + "    token_kinds: [ TOKEN_KIND_RTC_006, TOKEN_KIND_RTC_007, TOKEN_KIND_RTM, TOKEN_KIND_CHAT_USER ]\n"
        + "    allow_decode: true\n    max_token_lifetime_seconds: 86400\n    allow_any_user: true\n  }\n";
    Files.writeString(workDir.resolve("tls.textproto"),
        "keyring_path: \"keyring.textproto\"\n"
        + "tls { certificate_chain_path: \"server.crt\" private_key_path: \"server.key\" }\n"
        + "callers {\n  name: \"java-e2e\"\n  api_key_sha256: \"" + sha256Hex(API_KEY) + "\"\n  " + policy + "}\n"
        + "callers {\n  name: \"java-limited\"\n  api_key_sha256: \"" + sha256Hex(LIMITED_API_KEY) + "\"\n"
        + "  policy {\n    app_ids: \"*\"\n    token_kinds: TOKEN_KIND_RTM\n    max_token_lifetime_seconds: 86400\n"
        + "    rate_limit { tokens_per_second: 0.01 burst: 1 }\n  }\n}\n"
        + "audit_log { path: \"tls-audit.log\" }\n");
    Files.writeString(workDir.resolve("mtls.textproto"),
        "keyring_path: \"keyring.textproto\"\n"
        + "tls { certificate_chain_path: \"server.crt\" private_key_path: \"server.key\""
        + " client_ca_path: \"ca.crt\" }\n"
        + "callers {\n  name: \"java-mtls\"\n  certificate_identities: \"java-backend.test\"\n  " + policy + "}\n"
        + "audit_log { path: \"mtls-audit.log\" }\n");
    tlsServer = new ServerProcess("tls", "--config=tls.textproto");
    mtlsServer = new ServerProcess("mtls", "--config=mtls.textproto");

    devServer.waitUntilServing();
    tlsServer.waitUntilServing();
    mtlsServer.waitUntilServing();
    client = TokenClient.builder(devServer.target()).timeout(Duration.ofSeconds(10)).build();
  }

  @AfterClass
  public static void stopServers() throws Exception {
    if (client != null) {
      client.close();
    }
    List<String> problems = new ArrayList<>();
    for (ServerProcess server : new ServerProcess[] {devServer, tlsServer, mtlsServer}) {
      if (server != null) {
        int status = server.stop();
        if (status != 0) {
          problems.add(server.log + " exited with " + status + ":\n" + server.log());
        }
      }
    }
    if (workDir != null) {
      try (Stream<Path> paths = Files.walk(workDir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.delete(path);
        }
      }
    }
    assertTrue(String.join("\n", problems), problems.isEmpty());
  }

  // --- tokens, checked by Agora's official package ---------------------------

  static long u32(int value) {
    return Integer.toUnsignedLong(value);
  }

  /** One line of verify_with_agora_token.js's input: the inputs we sent plus what the server built. */
  static Map<String, Object> record(String shape, String kind, String token, TokenVersion version, int issueTs,
      int salt, int expireTs, Object... inputs) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("seed", "java-e2e");
    record.put("case", shape);
    record.put("shape", shape);
    record.put("kind", kind);
    record.put("app_id", APP_ID);
    record.put("app_certificate", APP_CERTIFICATE);
    record.put("token", token);
    record.put("issuance", "new");
    record.put("issue_ts", u32(issueTs));
    record.put("salt", u32(salt));
    Map<String, Object> built = new LinkedHashMap<>();
    built.put("version", version == TokenVersion.TOKEN_VERSION_006 ? "006" : "007");
    built.put("salt", u32(salt));
    built.put("issue_ts", u32(issueTs));
    built.put("expire_ts", u32(expireTs));
    record.put("built", built);
    for (int i = 0; i < inputs.length; i += 2) {
      record.put((String) inputs[i], inputs[i + 1]);
    }
    if (kind.endsWith("007")) {
      record.put("compression", "compatible");
    }
    return record;
  }

  static Map<String, Object> record(String shape, String kind, IssuedToken r, Object... inputs) {
    return record(shape, kind, r.getToken(), r.getTokenVersion(), r.getIssueTs(), r.getSalt(), r.getExpireTs(),
        inputs);
  }

  static Run runVerifier(List<Map<String, Object>> records) throws IOException, InterruptedException {
    Path file = workDir.resolve("tokens-" + randomHex(4) + ".jsonl");
    Gson gson = new Gson();
    StringBuilder lines = new StringBuilder();
    for (Map<String, Object> record : records) {
      lines.append(gson.toJson(record)).append('\n');
    }
    Files.writeString(file, lines);
    return run(List.of(NODE, VERIFIER.toString(), file.toString()));
  }

  @Test
  public void tokensOfEveryKindPassAgoraOfficialPackage() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    List<Map<String, Object>> records = new ArrayList<>();

    BuildRtcTokenWithUidResponse uid006 = client.buildTokenWithUid(APP_ID, "java e2e!", 2882341273L,
        Role.ROLE_PUBLISHER, 0, TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_006));
    assertEquals(TokenVersion.TOKEN_VERSION_006, uid006.getTokenVersion());
    records.add(record("rtc006_uid", "rtc006", uid006.getToken(), uid006.getTokenVersion(), uid006.getIssueTs(),
        uid006.getSalt(), uid006.getExpireTs(), "channel_name", "java e2e!", "uid", 2882341273L, "role", 1,
        "privilege_expired_ts", 0));

    long expiredTs = now + 3600;
    BuildRtcTokenWithAccountResponse account006 = client.buildTokenWithUserAccount(APP_ID, "room[1]",
        "user@example.com", Role.ROLE_SUBSCRIBER, expiredTs,
        TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_006));
    records.add(record("rtc006_account", "rtc006", account006.getToken(), account006.getTokenVersion(),
        account006.getIssueTs(), account006.getSalt(), account006.getExpireTs(), "channel_name", "room[1]",
        "account", "user@example.com", "role", 2, "privilege_expired_ts", expiredTs));

    BuildRtcTokenWithUidResponse uid007 = client.buildTokenWithUid(APP_ID, "java e2e!", 12345, Role.ROLE_PUBLISHER,
        0, TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_007).withTokenExpireSeconds(7200));
    assertEquals(TokenVersion.TOKEN_VERSION_007, uid007.getTokenVersion());
    assertEquals(7200, u32(uid007.getExpireTs()) - u32(uid007.getIssueTs()));
    records.add(record("rtc007_uid", "rtc007", uid007.getToken(), uid007.getTokenVersion(), uid007.getIssueTs(),
        uid007.getSalt(), uid007.getExpireTs(), "channel_name", "java e2e!", "uid", 12345, "role", 1,
        "privilege_expire", 0, "token_expire", 7200, "with_rtm", false));

    // With tokenExpireSeconds 0 the token expires at privilegeExpiredTs too:
    // both become spans after the issue time.
    expiredTs = now + 1800;
    BuildRtcTokenWithAccountResponse account007 =
        client.buildTokenWithUserAccount(APP_ID, "room[1]", "Alice_01", Role.ROLE_SUBSCRIBER, expiredTs);
    long span = expiredTs - u32(account007.getIssueTs());
    records.add(record("rtc007_account", "rtc007", account007.getToken(), account007.getTokenVersion(),
        account007.getIssueTs(), account007.getSalt(), account007.getExpireTs(), "channel_name", "room[1]",
        "account", "Alice_01", "role", 2, "privilege_expire", span, "token_expire", span, "with_rtm", false));

    // Per-privilege expiries replace the role, which stays unspecified.
    BuildRtcTokenWithUidResponse withRtm = client.buildTokenWithRtm(APP_ID, "stage", 777, Role.ROLE_UNSPECIFIED,
        0, TokenOptions.DEFAULT.withPrivilegeExpires(3600, 1800, 900, 600));
    Map<String, Object> privilegeExpires = new LinkedHashMap<>();
    privilegeExpires.put("join_channel", 3600);
    privilegeExpires.put("publish_audio", 1800);
    privilegeExpires.put("publish_video", 900);
    privilegeExpires.put("publish_data_stream", 600);
    records.add(record("rtc007_uid_per_privilege_with_rtm", "rtc007", withRtm.getToken(),
        withRtm.getTokenVersion(), withRtm.getIssueTs(), withRtm.getSalt(), withRtm.getExpireTs(),
        "channel_name", "stage", "uid", 777, "role", 0, "token_expire", 0, "with_rtm", true,
        "privilege_expires", privilegeExpires));

    BuildRtcTokenWithAccountResponse accountWithRtm =
        client.buildTokenWithRtm(APP_ID, "stage", "bob", Role.ROLE_PUBLISHER, 0);
    records.add(record("rtc007_account_with_rtm", "rtc007", accountWithRtm.getToken(),
        accountWithRtm.getTokenVersion(), accountWithRtm.getIssueTs(), accountWithRtm.getSalt(),
        accountWithRtm.getExpireTs(), "channel_name", "stage", "account", "bob", "role", 1,
        "privilege_expire", 0, "token_expire", 0, "with_rtm", true));

    expiredTs = now + 600;
    BuildRtmTokenResponse rtm006 = client.buildRtmToken(APP_ID, "rtm-user",
        TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_006).withPrivilegeExpiredTs(expiredTs));
    records.add(record("rtm006", "rtm006", rtm006.getToken(), rtm006.getTokenVersion(), rtm006.getIssueTs(),
        rtm006.getSalt(), rtm006.getExpireTs(), "user_id", "rtm-user", "privilege_expired_ts", expiredTs));

    BuildRtmTokenResponse rtm007 = client.buildRtmToken(APP_ID, "rtm-user",
        TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_007).withTokenExpireSeconds(900));
    records.add(record("rtm007", "rtm007", rtm007.getToken(), rtm007.getTokenVersion(), rtm007.getIssueTs(),
        rtm007.getSalt(), rtm007.getExpireTs(), "user_id", "rtm-user", "token_expire", 900));

    BuildChatTokenResponse chatUser = client.buildChatUserToken(APP_ID, "chat_user");
    records.add(record("chat007_user", "chat007", chatUser.getToken(), chatUser.getTokenVersion(),
        chatUser.getIssueTs(), chatUser.getSalt(), chatUser.getExpireTs(), "user_id", "chat_user",
        "token_expire", 0));

    BuildChatTokenResponse chatApp =
        client.buildChatAppToken(APP_ID, TokenOptions.DEFAULT.withTokenExpireSeconds(3000));
    records.add(record("chat007_app", "chat007", chatApp.getToken(), chatApp.getTokenVersion(),
        chatApp.getIssueTs(), chatApp.getSalt(), chatApp.getExpireTs(), "user_id", "", "token_expire", 3000));

    BuildTokensResponse batch = client.buildTokens(List.of(
        TokenRequests.rtcWithUid(APP_ID, "batch", 42, Role.ROLE_PUBLISHER, 0,
            TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_006)),
        TokenRequests.rtcWithRtm(APP_ID, "batch", "bob", Role.ROLE_PUBLISHER, 0,
            TokenOptions.DEFAULT.withTokenExpireSeconds(5000)),
        TokenRequests.rtm(APP_ID, "carol", TokenOptions.DEFAULT),
        TokenRequests.chatUser(APP_ID, "carol", TokenOptions.DEFAULT)));
    assertEquals(4, batch.getResultsCount());
    for (BuildTokensResult result : batch.getResultsList()) {
      assertEquals(result.getError().toString(), BuildTokensResult.OutcomeCase.TOKEN, result.getOutcomeCase());
    }
    records.add(record("batch_rtc006_uid", "rtc006", batch.getResults(0).getToken(), "channel_name", "batch",
        "uid", 42, "role", 1, "privilege_expired_ts", 0));
    records.add(record("batch_rtc007_account_with_rtm", "rtc007", batch.getResults(1).getToken(),
        "channel_name", "batch", "account", "bob", "role", 1, "privilege_expire", 0, "token_expire", 5000,
        "with_rtm", true));
    records.add(record("batch_rtm007", "rtm007", batch.getResults(2).getToken(), "user_id", "carol",
        "token_expire", 0));
    records.add(record("batch_chat007_user", "chat007", batch.getResults(3).getToken(), "user_id", "carol",
        "token_expire", 0));

    for (Map<String, Object> record : records) {
      String kind = (String) record.get("kind");
      String want = kind.endsWith("006") ? "006" : "007";
      assertTrue((String) record.get("shape"), ((String) record.get("token")).startsWith(want));
    }
    Run result = runVerifier(records);
    assertEquals(result.output, records.size() + " passed, 0 failed", result.lastLine());
    assertEquals(result.output, 0, result.status);

    // The same check must notice a damaged token, or it proves nothing.
    Map<String, Object> damaged = new LinkedHashMap<>(records.get(2));
    String token = (String) damaged.get("token");
    int middle = token.length() / 2;
    damaged.put("token", token.substring(0, middle) + (token.charAt(middle) == 'A' ? 'B' : 'A')
        + token.substring(middle + 1));
    List<Map<String, Object>> withDamaged = new ArrayList<>(records);
    withDamaged.set(2, damaged);
    result = runVerifier(withDamaged);
    assertEquals(result.output, (records.size() - 1) + " passed, 1 failed", result.lastLine());
    assertNotEquals(result.output, 0, result.status);
    assertTrue(result.output, result.output.contains("case=rtc007_uid "));
  }

  // --- errors ------------------------------------------------------------------

  @Test
  public void invalidChannelNameThrowsWithFieldViolation() {
    TokenServiceException e = assertThrows(TokenServiceException.class,
        () -> client.buildTokenWithUid(APP_ID, "bad*name", 1, Role.ROLE_PUBLISHER, 0));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getCode());
    assertFalse(e.getStatusMessage().isEmpty());
    assertTrue(e.getFieldViolations().toString(),
        e.getFieldViolations().stream().anyMatch(v -> v.getField().equals("channel_name")));
    for (FieldViolation violation : e.getFieldViolations()) {
      assertFalse(violation.getDescription().isEmpty());
    }
    assertTrue(e.getMessage(), e.getMessage().startsWith("INVALID_ARGUMENT: "));
    assertTrue(e.getMessage(), e.getMessage().contains("\n  channel_name: "));
    assertFalse(e.getRetryDelay().isPresent());
    assertFalse(e.getMessage().contains(APP_CERTIFICATE));
  }

  @Test
  public void unknownAppIsNotFoundWithoutViolations() {
    TokenServiceException e = assertThrows(TokenServiceException.class,
        () -> client.buildTokenWithUserAccount("0".repeat(32), "c", "a", Role.ROLE_PUBLISHER, 0));
    assertEquals(Status.Code.NOT_FOUND, e.getCode());
    assertEquals(List.of(), e.getFieldViolations());
  }

  @Test
  public void failedBatchItemConvertsToException() {
    BuildTokensResponse response = client.buildTokens(List.of(
        TokenRequests.rtcWithUserAccount(APP_ID, "fine", "erin", Role.ROLE_PUBLISHER, 0, TokenOptions.DEFAULT),
        BuildRtcTokenWithUidRequest.newBuilder().setAppId(APP_ID).setChannelName("bad*name").setUid(5).build()));
    assertEquals(2, response.getResultsCount());
    assertTrue(response.getResults(0).getToken().getToken().startsWith("007"));
    assertEquals(BuildTokensResult.OutcomeCase.ERROR, response.getResults(1).getOutcomeCase());
    TokenServiceException e = TokenServiceException.fromStatus(response.getResults(1).getError());
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getCode());
    assertEquals(List.of("channel_name"),
        e.getFieldViolations().stream().map(FieldViolation::getField).collect(Collectors.toList()));
  }

  @Test
  public void argumentsTheClientCanCheckAreRefusedBeforeSending() {
    assertThrows(IllegalArgumentException.class,
        () -> client.buildTokenWithUid(APP_ID, "c", 1L << 32, Role.ROLE_PUBLISHER, 0));
    assertThrows(IllegalArgumentException.class,
        () -> client.buildTokenWithUid(APP_ID, "c", -1, Role.ROLE_PUBLISHER, 0));
    assertThrows(IllegalArgumentException.class,
        () -> client.buildTokenWithUid(APP_ID, "c", 1, Role.UNRECOGNIZED, 0));
    // Options a request has no field for are refused, not dropped.
    assertThrows(IllegalArgumentException.class,
        () -> client.buildRtmToken(APP_ID, "u", TokenOptions.DEFAULT.withPrivilegeExpires(1, 1, 1, 1)));
    assertThrows(IllegalArgumentException.class, () -> client.buildChatUserToken(APP_ID, "u",
        TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_006)));
    assertThrows(IllegalArgumentException.class, () -> client.buildTokenWithUid(APP_ID, "c", 1,
        Role.ROLE_PUBLISHER, 0, TokenOptions.DEFAULT.withPrivilegeExpiredTs(5)));
    assertThrows(IllegalArgumentException.class, () -> TokenOptions.DEFAULT.withTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> client.buildTokens(List.<Message>of(DecodeTokenRequest.getDefaultInstance())));
    assertThrows(IllegalArgumentException.class, () -> TokenClient.builder("x").apiKey("has space"));
  }

  @Test
  public void decodeTokenChecksTheSignature() {
    BuildRtcTokenWithAccountResponse built =
        client.buildTokenWithUserAccount(APP_ID, "decode-me", "dora", Role.ROLE_PUBLISHER, 0);
    DecodeTokenResponse decoded = client.decodeToken(built.getToken());
    assertEquals(APP_ID, decoded.getAppId());
    assertEquals(SignatureState.SIGNATURE_STATE_VALID, decoded.getSignature());
    DecodedService rtc = decoded.getToken007().getServices(0);
    assertEquals(ServiceType.SERVICE_TYPE_RTC, rtc.getType());
    assertEquals("decode-me", rtc.getChannelName());
    assertEquals("dora", rtc.getAccount());
    assertEquals(built.getExpireTs(), decoded.getExpireTs());

    BuildRtcTokenWithUidResponse old = client.buildTokenWithUid(APP_ID, "decode-me", 9, Role.ROLE_PUBLISHER, 0,
        TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_006));
    decoded = client.decodeToken(DecodeTokenRequest.newBuilder().setToken(old.getToken())
        .setChannelName("decode-me").setUid(9).build(), Duration.ofSeconds(3));
    assertEquals(SignatureState.SIGNATURE_STATE_VALID, decoded.getSignature());
  }

  @Test
  public void aTinyDeadlineExpires() {
    TokenServiceException e = assertThrows(TokenServiceException.class, () -> client.buildRtmToken(APP_ID, "u",
        TokenOptions.DEFAULT.withTimeout(Duration.ofNanos(1))));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getCode());
  }

  @Test
  public void examplePrintsATokenTheServerDecodesAsValid() throws Exception {
    String classpath = System.getenv("AGORA_TOKEN_JAVA_CLASSPATH");
    assertTrue("AGORA_TOKEN_JAVA_CLASSPATH is not set (run tests/e2e/java/run.sh)", classpath != null);
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Run result = run(List.of(java.toString(), "-cp", classpath, EXAMPLE.toString(), devServer.target()));
    assertEquals(result.output, 0, result.status);
    String token = Arrays.stream(result.output.split("\n")).filter(line -> line.startsWith("007")).findFirst()
        .orElseThrow(() -> new AssertionError("no token in:\n" + result.output));
    DecodeTokenResponse decoded = client.decodeToken(token);
    assertEquals(DEV_APP_ID, decoded.getAppId());
    assertEquals(SignatureState.SIGNATURE_STATE_VALID, decoded.getSignature());
    DecodedService rtc = decoded.getToken007().getServices(0);
    assertEquals("demo-channel", rtc.getChannelName());
    assertEquals("2882341273", rtc.getAccount());
    assertEquals(3600, u32(decoded.getExpireTs()) - u32(decoded.getIssueTs()));
  }

  // --- TLS, API keys, mutual TLS ---------------------------------------------

  TokenClient.Builder overTls(ServerProcess server) {
    return TokenClient.builder(server.target()).tls(workDir.resolve("ca.crt"));
  }

  @Test
  public void apiKeyOverTlsIsAcceptedAndWrongOrMissingKeysAreRefused() {
    try (TokenClient good = overTls(tlsServer).apiKey(API_KEY).build()) {
      BuildRtcTokenWithUidResponse r = good.buildTokenWithUid(APP_ID, "tls", 7, Role.ROLE_PUBLISHER, 0);
      assertTrue(r.getToken().startsWith("007"));
      assertEquals(SignatureState.SIGNATURE_STATE_VALID, good.decodeToken(r.getToken()).getSignature());
      // Granted RTC, RTM and Chat user tokens, not Chat app tokens.
      TokenServiceException e = assertThrows(TokenServiceException.class, () -> good.buildChatAppToken(APP_ID));
      assertEquals(Status.Code.PERMISSION_DENIED, e.getCode());
    }
    try (TokenClient wrong = overTls(tlsServer).apiKey(API_KEY + "x").build()) {
      TokenServiceException e = assertThrows(TokenServiceException.class,
          () -> wrong.buildTokenWithUid(APP_ID, "tls", 7, Role.ROLE_PUBLISHER, 0));
      assertEquals(e.toString(), Status.Code.UNAUTHENTICATED, e.getCode());
      assertFalse(e.getMessage().contains(API_KEY));
    }
    try (TokenClient none = overTls(tlsServer).build()) {
      TokenServiceException e = assertThrows(TokenServiceException.class, () -> none.buildRtmToken(APP_ID, "u"));
      assertEquals(e.toString(), Status.Code.UNAUTHENTICATED, e.getCode());
    }
    // Plaintext to a TLS port never reaches the service.
    try (TokenClient plaintext = TokenClient.builder(tlsServer.target()).apiKey(API_KEY)
        .timeout(Duration.ofSeconds(2)).build()) {
      TokenServiceException e = assertThrows(TokenServiceException.class, () -> plaintext.buildRtmToken(APP_ID, "u"));
      assertTrue(e.toString(), e.getCode() == Status.Code.UNAVAILABLE || e.getCode() == Status.Code.DEADLINE_EXCEEDED);
    }
  }

  @Test
  public void rateLimitedCallCarriesRetryInfo() {
    try (TokenClient limited = overTls(tlsServer).apiKey(LIMITED_API_KEY).build()) {
      limited.buildRtmToken(APP_ID, "first");
      TokenServiceException e =
          assertThrows(TokenServiceException.class, () -> limited.buildRtmToken(APP_ID, "second"));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getCode());
      assertTrue(e.toString(), e.getRetryDelay().isPresent());
      assertTrue(e.getRetryDelay().get().toString(), e.getRetryDelay().get().compareTo(Duration.ZERO) > 0);
    }
  }

  @Test
  public void mutualTlsCallerIsKnownByItsCertificate() {
    try (TokenClient backend = overTls(mtlsServer)
        .mtls(workDir.resolve("backend.crt"), workDir.resolve("backend.key")).build()) {
      BuildChatTokenResponse r = backend.buildChatUserToken(APP_ID, "mtls-user");
      assertTrue(r.getToken().startsWith("007"));
    }
    // Without a client certificate the handshake fails.
    try (TokenClient anonymous = overTls(mtlsServer).timeout(Duration.ofSeconds(3)).build()) {
      TokenServiceException e =
          assertThrows(TokenServiceException.class, () -> anonymous.buildChatUserToken(APP_ID, "u"));
      assertNotEquals(Status.Code.OK, e.getCode());
    }
  }

  // --- what the client adds to each call (scripted grpc-java server) ---------

  /** A TokenService whose BuildRtmToken answers with reply(attempt), recording each call. */
  static final class Scripted implements AutoCloseable {
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<Long> deadlineMillis = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicReference<IntFunction<Status>> reply = new AtomicReference<>(attempt -> Status.OK);
    final Server server;

    Scripted() throws IOException {
      Metadata.Key<String> authorization = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
      Context.Key<String> seenAuthorization = Context.key("authorization");
      ServerInterceptor recordHeaders = new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
            Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          String value = headers.get(authorization);
          return Contexts.interceptCall(Context.current().withValue(seenAuthorization, value == null ? "" : value),
              call, headers, next);
        }
      };
      TokenServiceGrpc.TokenServiceImplBase service = new TokenServiceGrpc.TokenServiceImplBase() {
        @Override
        public void buildRtmToken(agora.token.v1.TokenServiceOuterClass.BuildRtmTokenRequest request,
            StreamObserver<BuildRtmTokenResponse> responses) {
          authorizations.add(seenAuthorization.get());
          Deadline deadline = Context.current().getDeadline();
          deadlineMillis.add(deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS));
          Status status = reply.get().apply(attempts.incrementAndGet());
          if (status.isOk()) {
            responses.onNext(BuildRtmTokenResponse.newBuilder().setToken("007stub").build());
            responses.onCompleted();
          } else {
            responses.onError(status.asRuntimeException());
          }
        }
      };
      server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(ServerInterceptors.intercept(service, recordHeaders)).build().start();
    }

    TokenClient.Builder client() {
      return TokenClient.builder("127.0.0.1:" + server.getPort());
    }

    void reset(IntFunction<Status> next) {
      authorizations.clear();
      deadlineMillis.clear();
      attempts.set(0);
      reply.set(next);
    }

    @Override
    public void close() {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  public void apiKeyTravelsAsBearerAuthorization() throws Exception {
    try (Scripted scripted = new Scripted()) {
      try (TokenClient c = scripted.client().apiKey("k-123").build()) {
        assertEquals("007stub", c.buildRtmToken("00".repeat(16), "user").getToken());
      }
      assertEquals(List.of("Bearer k-123"), scripted.authorizations);
      scripted.reset(attempt -> Status.OK);
      try (TokenClient c = scripted.client().build()) {
        c.buildRtmToken("00".repeat(16), "user");
      }
      assertEquals(List.of(""), scripted.authorizations);
    }
  }

  @Test
  public void everyCallHasTheSharedDeadlineUnlessItSetsItsOwn() throws Exception {
    Map<?, ?> method = (Map<?, ?>) ((List<?>) new Gson().fromJson(Files.readString(SHARED_SERVICE_CONFIG),
        Map.class).get("methodConfig")).get(0);
    assertEquals("5s", method.get("timeout"));  // the README states it
    assertEquals(Duration.ofSeconds(5), TokenClient.DEFAULT_TIMEOUT);
    try (Scripted scripted = new Scripted()) {
      try (TokenClient c = scripted.client().build()) {
        assertEquals(TokenClient.DEFAULT_TIMEOUT, c.getTimeout());
        c.buildRtmToken("00".repeat(16), "user");
        c.buildRtmToken("00".repeat(16), "user", TokenOptions.DEFAULT.withTimeout(Duration.ofSeconds(15)));
      }
      try (TokenClient c = scripted.client().timeout(Duration.ofMillis(800)).build()) {
        c.buildRtmToken("00".repeat(16), "user");
      }
      List<Long> left = scripted.deadlineMillis;
      assertTrue(left.toString(), left.get(0) > 4000 && left.get(0) <= 5000);
      assertTrue(left.toString(), left.get(1) > 14000 && left.get(1) <= 15000);
      assertTrue(left.toString(), left.get(2) > 0 && left.get(2) <= 800);
    }
  }

  @Test
  public void unavailableIsRetriedUpToTheSharedMaxAttemptsAndOtherErrorsAreNot() throws Exception {
    Map<?, ?> method = (Map<?, ?>) ((List<?>) new Gson().fromJson(Files.readString(SHARED_SERVICE_CONFIG),
        Map.class).get("methodConfig")).get(0);
    int maxAttempts = ((Number) ((Map<?, ?>) method.get("retryPolicy")).get("maxAttempts")).intValue();
    assertEquals(4, maxAttempts);  // the README states it
    try (Scripted scripted = new Scripted(); TokenClient c = scripted.client().build()) {
      scripted.reset(attempt -> Status.UNAVAILABLE.withDescription("draining"));
      TokenServiceException e = assertThrows(TokenServiceException.class, () -> c.buildRtmToken("a", "u"));
      assertEquals(Status.Code.UNAVAILABLE, e.getCode());
      assertEquals(maxAttempts, scripted.attempts.get());

      scripted.reset(attempt -> attempt < 3 ? Status.CANCELLED : Status.OK);
      assertEquals("007stub", c.buildRtmToken("a", "u").getToken());
      assertEquals(3, scripted.attempts.get());

      scripted.reset(attempt -> Status.INVALID_ARGUMENT.withDescription("bad"));
      e = assertThrows(TokenServiceException.class, () -> c.buildRtmToken("a", "u"));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getCode());
      assertEquals(1, scripted.attempts.get());
    }
  }

  @Test
  public void theJarPacksAnIdenticalCopyOfTheSharedServiceConfig() throws Exception {
    try (InputStream packed = TokenClient.class.getResourceAsStream("service_config.json")) {
      assertTrue("service_config.json is not in the jar", packed != null);
      assertTrue(Arrays.equals(Files.readAllBytes(SHARED_SERVICE_CONFIG), packed.readAllBytes()));
    }
  }
}
