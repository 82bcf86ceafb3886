package io.agora.token.client;

import agora.token.v1.TokenServiceGrpc;
import agora.token.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import agora.token.v1.TokenServiceOuterClass.BuildChatTokenRequest;
import agora.token.v1.TokenServiceOuterClass.BuildChatTokenResponse;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithAccountRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithAccountResponse;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithUidRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithUidResponse;
import agora.token.v1.TokenServiceOuterClass.BuildRtmTokenRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtmTokenResponse;
import agora.token.v1.TokenServiceOuterClass.BuildTokensRequest;
import agora.token.v1.TokenServiceOuterClass.BuildTokensResponse;
import agora.token.v1.TokenServiceOuterClass.DecodeTokenRequest;
import agora.token.v1.TokenServiceOuterClass.DecodeTokenResponse;
import agora.token.v1.TokenServiceOuterClass.Role;
import com.google.protobuf.Message;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client of {@code agora.token.v1.TokenService}. Thread-safe; create one per
 * server and share it, and close it when done (it owns a gRPC channel).
 *
 * <pre>{@code
 * try (TokenClient client = TokenClient.builder("127.0.0.1:50051").build()) {
 *   String token = client.buildTokenWithUid(appId, "room-1", 42, Role.ROLE_PUBLISHER, 0).getToken();
 * }
 * }</pre>
 *
 * <p>The {@code build...} methods are named after Agora's reference Java
 * builders ({@code RtcTokenBuilder2.buildTokenWithUid}, {@code
 * ChatTokenBuilder2.buildUserToken}, ...) without the app certificate, which
 * stays on the token server; optional fields go in {@link TokenOptions}. They
 * return the response message: the token and its effective expiries. Each
 * RPC can also be called with its request message ({@link
 * #buildRtcTokenWithUid(BuildRtcTokenWithUidRequest)} and so on).
 *
 * <p>Every call has a deadline, retries included (the client's, default
 * {@link #DEFAULT_TIMEOUT}, or the call's), and the channel retries {@code
 * UNAVAILABLE} and {@code CANCELLED} with backoff; both come from the service
 * config all the clients share ({@code clients/service_config.json}, packed
 * into the jar). A failed call throws {@link TokenServiceException}; bad
 * arguments the client can see itself throw {@link IllegalArgumentException}
 * before anything is sent.
 */
public final class TokenClient implements AutoCloseable {
  /** The default deadline of each call, retries included: the shared config's "timeout" (5 s). */
  public static final Duration DEFAULT_TIMEOUT = SharedServiceConfig.DEFAULT_TIMEOUT;

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final TokenServiceBlockingStub stub;
  private final Duration timeout;

  private TokenClient(Builder builder) {
    ChannelCredentials credentials = builder.credentials();
    channel = Grpc.newChannelBuilder(builder.target, credentials)
        .defaultServiceConfig(SharedServiceConfig.withoutTimeout())
        .enableRetry()
        .build();
    Channel intercepted = channel;
    if (builder.apiKey != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + builder.apiKey);
      intercepted = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    stub = TokenServiceGrpc.newBlockingStub(intercepted);
    timeout = builder.timeout;
  }

  /** A builder for a client of the server at {@code target} ("host:port" or a gRPC target URI). */
  public static Builder builder(String target) {
    return new Builder(target);
  }

  /** The default deadline of each call. */
  public Duration getTimeout() {
    return timeout;
  }

  /** Closes the channel; calls in flight are cancelled after a short grace. */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // --- Agora's builders -------------------------------------------------------

  /**
   * An RTC token for an int uid ({@code RtcTokenBuilder2.buildTokenWithUid}).
   *
   * @param uid 0 to 4294967295; 0 lets any user of the channel use the token
   * @param privilegeExpiredTs when the privileges expire, absolute unix seconds; 0: as long as
   *     the token
   */
  public BuildRtcTokenWithUidResponse buildTokenWithUid(String appId, String channelName, long uid,
      Role role, long privilegeExpiredTs) {
    return buildTokenWithUid(appId, channelName, uid, role, privilegeExpiredTs, TokenOptions.DEFAULT);
  }

  /** {@link #buildTokenWithUid(String, String, long, Role, long)} with options. */
  public BuildRtcTokenWithUidResponse buildTokenWithUid(String appId, String channelName, long uid,
      Role role, long privilegeExpiredTs, TokenOptions options) {
    return buildRtcTokenWithUid(
        TokenRequests.rtcWithUid(appId, channelName, uid, role, privilegeExpiredTs, options),
        options.getTimeout());
  }

  /** An RTC token for a string account ({@code RtcTokenBuilder2.buildTokenWithUserAccount}). */
  public BuildRtcTokenWithAccountResponse buildTokenWithUserAccount(String appId, String channelName,
      String account, Role role, long privilegeExpiredTs) {
    return buildTokenWithUserAccount(appId, channelName, account, role, privilegeExpiredTs, TokenOptions.DEFAULT);
  }

  /** {@link #buildTokenWithUserAccount(String, String, String, Role, long)} with options. */
  public BuildRtcTokenWithAccountResponse buildTokenWithUserAccount(String appId, String channelName,
      String account, Role role, long privilegeExpiredTs, TokenOptions options) {
    return buildRtcTokenWithAccount(
        TokenRequests.rtcWithUserAccount(appId, channelName, account, role, privilegeExpiredTs, options),
        options.getTimeout());
  }

  /**
   * An RTC token that also logs the account in to RTM for as long as the token
   * lasts ({@code RtcTokenBuilder2.buildTokenWithRtm}; 007, the {@code with_rtm}
   * flag).
   */
  public BuildRtcTokenWithAccountResponse buildTokenWithRtm(String appId, String channelName,
      String account, Role role, long privilegeExpiredTs) {
    return buildTokenWithRtm(appId, channelName, account, role, privilegeExpiredTs, TokenOptions.DEFAULT);
  }

  /** {@link #buildTokenWithRtm(String, String, String, Role, long)} with options. */
  public BuildRtcTokenWithAccountResponse buildTokenWithRtm(String appId, String channelName,
      String account, Role role, long privilegeExpiredTs, TokenOptions options) {
    return buildRtcTokenWithAccount(
        TokenRequests.rtcWithRtm(appId, channelName, account, role, privilegeExpiredTs, options),
        options.getTimeout());
  }

  /** {@link #buildTokenWithRtm(String, String, String, Role, long)} for an int uid (RTM user: its decimal text). */
  public BuildRtcTokenWithUidResponse buildTokenWithRtm(String appId, String channelName, long uid,
      Role role, long privilegeExpiredTs) {
    return buildTokenWithRtm(appId, channelName, uid, role, privilegeExpiredTs, TokenOptions.DEFAULT);
  }

  /** {@link #buildTokenWithRtm(String, String, long, Role, long)} with options. */
  public BuildRtcTokenWithUidResponse buildTokenWithRtm(String appId, String channelName, long uid,
      Role role, long privilegeExpiredTs, TokenOptions options) {
    return buildRtcTokenWithUid(
        TokenRequests.rtcWithRtm(appId, channelName, uid, role, privilegeExpiredTs, options),
        options.getTimeout());
  }

  /** An RTM login token ({@code RtmTokenBuilder2.buildToken}). */
  public BuildRtmTokenResponse buildRtmToken(String appId, String userId) {
    return buildRtmToken(appId, userId, TokenOptions.DEFAULT);
  }

  /**
   * {@link #buildRtmToken(String, String)} with options (token version, token
   * expiry, and for 006 the privilege's {@code privilegeExpiredTs}).
   */
  public BuildRtmTokenResponse buildRtmToken(String appId, String userId, TokenOptions options) {
    return buildRtmToken(TokenRequests.rtm(appId, userId, options), options.getTimeout());
  }

  /** A Chat user token ({@code ChatTokenBuilder2.buildUserToken}; 007). */
  public BuildChatTokenResponse buildChatUserToken(String appId, String userId) {
    return buildChatUserToken(appId, userId, TokenOptions.DEFAULT);
  }

  /** {@link #buildChatUserToken(String, String)} with options (token expiry, timeout). */
  public BuildChatTokenResponse buildChatUserToken(String appId, String userId, TokenOptions options) {
    return buildChatToken(TokenRequests.chatUser(appId, userId, options), options.getTimeout());
  }

  /**
   * A Chat app token ({@code ChatTokenBuilder2.buildAppToken}; 007), which acts
   * for the whole app: the server grants it only to callers allowed to.
   */
  public BuildChatTokenResponse buildChatAppToken(String appId) {
    return buildChatAppToken(appId, TokenOptions.DEFAULT);
  }

  /** {@link #buildChatAppToken(String)} with options (token expiry, timeout). */
  public BuildChatTokenResponse buildChatAppToken(String appId, TokenOptions options) {
    return buildChatToken(TokenRequests.chatApp(appId, options), options.getTimeout());
  }

  /**
   * Builds up to 1,000 tokens in one call. {@code requests} are build requests
   * (from {@link TokenRequests} or the generated builders) or {@code
   * BuildTokensRequestItem}s. Each result holds a token or an error; {@link
   * TokenServiceException#fromStatus} reads a failed item's error.
   */
  public BuildTokensResponse buildTokens(Iterable<? extends Message> requests) {
    return buildTokens(requests, null);
  }

  /** {@link #buildTokens(Iterable)} with this call's deadline (null: the client's). */
  public BuildTokensResponse buildTokens(Iterable<? extends Message> requests, Duration timeout) {
    BuildTokensRequest.Builder batch = BuildTokensRequest.newBuilder();
    for (Message request : requests) {
      batch.addItems(TokenRequests.item(request));
    }
    return buildTokens(batch.build(), timeout);
  }

  /**
   * Decodes a 006 or 007 token and checks its signature with the server's
   * certificate. For a 006 token, send a {@link DecodeTokenRequest} with the
   * subject (uid or account with the channel, or the RTM user) to have the
   * signature checked.
   */
  public DecodeTokenResponse decodeToken(String token) {
    return decodeToken(DecodeTokenRequest.newBuilder().setToken(token).build(), null);
  }

  // --- The RPCs with their request messages (timeout null: the client's) ------

  public BuildRtcTokenWithUidResponse buildRtcTokenWithUid(BuildRtcTokenWithUidRequest request) {
    return buildRtcTokenWithUid(request, null);
  }

  public BuildRtcTokenWithUidResponse buildRtcTokenWithUid(BuildRtcTokenWithUidRequest request, Duration timeout) {
    return call(timeout, stub -> stub.buildRtcTokenWithUid(request));
  }

  public BuildRtcTokenWithAccountResponse buildRtcTokenWithAccount(BuildRtcTokenWithAccountRequest request) {
    return buildRtcTokenWithAccount(request, null);
  }

  public BuildRtcTokenWithAccountResponse buildRtcTokenWithAccount(BuildRtcTokenWithAccountRequest request,
      Duration timeout) {
    return call(timeout, stub -> stub.buildRtcTokenWithAccount(request));
  }

  public BuildRtmTokenResponse buildRtmToken(BuildRtmTokenRequest request) {
    return buildRtmToken(request, null);
  }

  public BuildRtmTokenResponse buildRtmToken(BuildRtmTokenRequest request, Duration timeout) {
    return call(timeout, stub -> stub.buildRtmToken(request));
  }

  public BuildChatTokenResponse buildChatToken(BuildChatTokenRequest request) {
    return buildChatToken(request, null);
  }

  public BuildChatTokenResponse buildChatToken(BuildChatTokenRequest request, Duration timeout) {
    return call(timeout, stub -> stub.buildChatToken(request));
  }

  public BuildTokensResponse buildTokens(BuildTokensRequest request) {
    return buildTokens(request, null);
  }

  public BuildTokensResponse buildTokens(BuildTokensRequest request, Duration timeout) {
    return call(timeout, stub -> stub.buildTokens(request));
  }

  public DecodeTokenResponse decodeToken(DecodeTokenRequest request) {
    return decodeToken(request, null);
  }

  public DecodeTokenResponse decodeToken(DecodeTokenRequest request, Duration timeout) {
    return call(timeout, stub -> stub.decodeToken(request));
  }

  private <T> T call(Duration callTimeout, Function<TokenServiceBlockingStub, T> rpc) {
    Duration deadline = callTimeout == null ? timeout : checkTimeout(callTimeout);
    try {
      return rpc.apply(stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
    } catch (StatusRuntimeException e) {
      throw TokenServiceException.fromStatusRuntimeException(e);
    }
  }

  static Duration checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return timeout;
  }

  /** How to reach the server and who to say the caller is. */
  public static final class Builder {
    private final String target;
    private boolean tls;
    private Path caFile;
    private Path certificateChainFile;
    private Path privateKeyFile;
    private String apiKey;
    private Duration timeout = DEFAULT_TIMEOUT;

    private Builder(String target) {
      this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * TLS, trusting the system's CA certificates. Without {@code tls} or
     * {@code mtls} the connection is plaintext, which the server accepts only
     * on a loopback address.
     */
    public Builder tls() {
      tls = true;
      return this;
    }

    /** TLS, trusting the CA certificates in this PEM file (instead of the system's). */
    public Builder tls(Path caFile) {
      tls = true;
      this.caFile = Objects.requireNonNull(caFile, "caFile");
      return this;
    }

    /**
     * Mutual TLS: presents this client certificate chain and its PKCS#8 private
     * key (PEM), from which the server takes the caller's identity. Combine
     * with {@link #tls(Path)} to name the CA of the server's certificate.
     */
    public Builder mtls(Path certificateChainFile, Path privateKeyFile) {
      tls = true;
      this.certificateChainFile = Objects.requireNonNull(certificateChainFile, "certificateChainFile");
      this.privateKeyFile = Objects.requireNonNull(privateKeyFile, "privateKeyFile");
      return this;
    }

    /**
     * Sends {@code authorization: Bearer <apiKey>} with every call, for servers
     * that identify callers by API key. Use it over TLS.
     */
    public Builder apiKey(String apiKey) {
      Objects.requireNonNull(apiKey, "apiKey");
      if (apiKey.isEmpty() || !apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("apiKey must be printable ASCII without spaces");
      }
      this.apiKey = apiKey;
      return this;
    }

    /** The default deadline of each call, retries included (default {@link #DEFAULT_TIMEOUT}). */
    public Builder timeout(Duration timeout) {
      this.timeout = checkTimeout(timeout);
      return this;
    }

    /**
     * Creates the client. Connects lazily, on the first call.
     *
     * @throws UncheckedIOException when a TLS file cannot be read or parsed
     */
    public TokenClient build() {
      return new TokenClient(this);
    }

    private ChannelCredentials credentials() {
      if (!tls) {
        return InsecureChannelCredentials.create();
      }
      TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
      try {
        if (caFile != null) {
          credentials.trustManager(caFile.toFile());
        }
        if (certificateChainFile != null) {
          credentials.keyManager(certificateChainFile.toFile(), privateKeyFile.toFile());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("agora-token client: reading TLS files: " + e.getMessage(), e);
      }
      return credentials.build();
    }
  }
}
