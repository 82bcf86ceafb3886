package io.agora.token.client;

import agora.token.v1.TokenServiceOuterClass.RtcPrivilegeExpires;
import agora.token.v1.TokenServiceOuterClass.TokenVersion;
import java.time.Duration;
import java.util.Objects;

/**
 * The optional fields of a token request, and the call's deadline. Immutable:
 * each {@code with...} method returns a changed copy, as grpc-java's {@code
 * CallOptions} does.
 *
 * <pre>{@code
 * TokenOptions options = TokenOptions.DEFAULT
 *     .withTokenVersion(TokenVersion.TOKEN_VERSION_007)
 *     .withTokenExpireSeconds(3600)
 *     .withTimeout(Duration.ofSeconds(2));
 * }</pre>
 *
 * <p>Not every option fits every token: a method given one its request has
 * no field for (say, per-privilege expiries for an RTM token) throws {@link
 * IllegalArgumentException} before anything is sent, rather than drop it.
 * Field meanings, units and ranges are those of {@code token_service.proto}.
 */
public final class TokenOptions {
  /** Nothing set: the server's default token version, 24-hour tokens, the client's deadline. */
  public static final TokenOptions DEFAULT =
      new TokenOptions(TokenVersion.TOKEN_VERSION_UNSPECIFIED, 0, 0, null, null);

  private final TokenVersion tokenVersion;
  private final long tokenExpireSeconds;
  private final long privilegeExpiredTs;
  private final RtcPrivilegeExpires privilegeExpires;
  private final Duration timeout;

  private TokenOptions(TokenVersion tokenVersion, long tokenExpireSeconds, long privilegeExpiredTs,
      RtcPrivilegeExpires privilegeExpires, Duration timeout) {
    this.tokenVersion = tokenVersion;
    this.tokenExpireSeconds = tokenExpireSeconds;
    this.privilegeExpiredTs = privilegeExpiredTs;
    this.privilegeExpires = privilegeExpires;
    this.timeout = timeout;
  }

  /** 006 or 007 (RTC and RTM); unspecified: the server's default. */
  public TokenOptions withTokenVersion(TokenVersion tokenVersion) {
    Objects.requireNonNull(tokenVersion, "tokenVersion");
    if (tokenVersion == TokenVersion.UNRECOGNIZED) {
      throw new IllegalArgumentException("tokenVersion: UNRECOGNIZED is not a version");
    }
    return new TokenOptions(tokenVersion, tokenExpireSeconds, privilegeExpiredTs, privilegeExpires, timeout);
  }

  /** 007 only: the token's lifetime in seconds after issue; 0 or above 86400 means 86400. */
  public TokenOptions withTokenExpireSeconds(long seconds) {
    return new TokenOptions(tokenVersion, TokenRequests.inUint32("tokenExpireSeconds", seconds),
        privilegeExpiredTs, privilegeExpires, timeout);
  }

  /**
   * RTM only (RTC takes it as an argument): when the login privilege expires,
   * absolute unix seconds; 0 means as long as the token.
   */
  public TokenOptions withPrivilegeExpiredTs(long unixSeconds) {
    return new TokenOptions(tokenVersion, tokenExpireSeconds,
        TokenRequests.inUint32("privilegeExpiredTs", unixSeconds), privilegeExpires, timeout);
  }

  /**
   * RTC 007 only: each privilege's own expiry, seconds after issue (0: as long
   * as the token), as Agora's {@code buildTokenWithUidAndPrivilege}. They
   * replace the role: pass {@code Role.ROLE_UNSPECIFIED} with them (the server
   * refuses both).
   */
  public TokenOptions withPrivilegeExpires(long joinChannel, long publishAudio, long publishVideo,
      long publishDataStream) {
    return withPrivilegeExpires(RtcPrivilegeExpires.newBuilder()
        .setJoinChannelPrivilegeExpire(TokenRequests.uint32("joinChannel", joinChannel))
        .setPubAudioPrivilegeExpire(TokenRequests.uint32("publishAudio", publishAudio))
        .setPubVideoPrivilegeExpire(TokenRequests.uint32("publishVideo", publishVideo))
        .setPubDataStreamPrivilegeExpire(TokenRequests.uint32("publishDataStream", publishDataStream))
        .build());
  }

  /** RTC 007 only: see {@link #withPrivilegeExpires(long, long, long, long)}. */
  public TokenOptions withPrivilegeExpires(RtcPrivilegeExpires privilegeExpires) {
    return new TokenOptions(tokenVersion, tokenExpireSeconds, privilegeExpiredTs,
        Objects.requireNonNull(privilegeExpires, "privilegeExpires"), timeout);
  }

  /** This call's deadline, retries included, instead of the client's. */
  public TokenOptions withTimeout(Duration timeout) {
    return new TokenOptions(tokenVersion, tokenExpireSeconds, privilegeExpiredTs, privilegeExpires,
        TokenClient.checkTimeout(timeout));
  }

  public TokenVersion getTokenVersion() {
    return tokenVersion;
  }

  public long getTokenExpireSeconds() {
    return tokenExpireSeconds;
  }

  public long getPrivilegeExpiredTs() {
    return privilegeExpiredTs;
  }

  /** The per-privilege expiries, or null when not set. */
  public RtcPrivilegeExpires getPrivilegeExpires() {
    return privilegeExpires;
  }

  /** The call's deadline, or null for the client's. */
  public Duration getTimeout() {
    return timeout;
  }

  /** Refuses the options a request of this kind has no field for. */
  void checkApplies(String method, boolean version, boolean privilegeTs, boolean perPrivilege) {
    if (!version && tokenVersion != TokenVersion.TOKEN_VERSION_UNSPECIFIED) {
      throw new IllegalArgumentException(method + ": takes no token version (always 007)");
    }
    if (!privilegeTs && privilegeExpiredTs != 0) {
      throw new IllegalArgumentException(method + ": privilegeExpiredTs is not an option here"
          + " (RTC takes it as an argument; Chat has none)");
    }
    if (!perPrivilege && privilegeExpires != null) {
      throw new IllegalArgumentException(method + ": per-privilege expiries are for RTC tokens only");
    }
  }
}
