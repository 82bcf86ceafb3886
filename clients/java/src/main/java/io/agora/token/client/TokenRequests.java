package io.agora.token.client;

import agora.token.v1.TokenServiceOuterClass.BuildChatTokenRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithAccountRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithUidRequest;
import agora.token.v1.TokenServiceOuterClass.BuildRtmTokenRequest;
import agora.token.v1.TokenServiceOuterClass.BuildTokensRequestItem;
import agora.token.v1.TokenServiceOuterClass.ChatTokenKind;
import agora.token.v1.TokenServiceOuterClass.Role;
import com.google.protobuf.Message;
import java.util.Objects;

/**
 * The request messages {@link TokenClient}'s methods send, for {@link
 * TokenClient#buildTokens}: each factory takes the same arguments as the
 * client method of the same token, and {@link #item} wraps a request as a
 * batch item. Arguments are checked before anything is sent: a value outside
 * uint32, an unrecognized enum or an option the token has no field for
 * throws {@link IllegalArgumentException}. The server checks the rest (names,
 * lengths, app ids) and answers with field violations.
 */
public final class TokenRequests {
  private TokenRequests() {}

  /** An RTC token for an int uid (0: any user), as {@link TokenClient#buildTokenWithUid}. */
  public static BuildRtcTokenWithUidRequest rtcWithUid(String appId, String channelName, long uid,
      Role role, long privilegeExpiredTs, TokenOptions options) {
    return rtcWithUid("buildTokenWithUid", appId, channelName, uid, role, privilegeExpiredTs, options, false);
  }

  /** An RTC token for a string account, as {@link TokenClient#buildTokenWithUserAccount}. */
  public static BuildRtcTokenWithAccountRequest rtcWithUserAccount(String appId, String channelName,
      String account, Role role, long privilegeExpiredTs, TokenOptions options) {
    return rtcWithAccount("buildTokenWithUserAccount", appId, channelName, account, role,
        privilegeExpiredTs, options, false);
  }

  /** An RTC token that also logs the uid in to RTM (007), as {@link TokenClient#buildTokenWithRtm}. */
  public static BuildRtcTokenWithUidRequest rtcWithRtm(String appId, String channelName, long uid,
      Role role, long privilegeExpiredTs, TokenOptions options) {
    return rtcWithUid("buildTokenWithRtm", appId, channelName, uid, role, privilegeExpiredTs, options, true);
  }

  /** An RTC token that also logs the account in to RTM (007), as {@link TokenClient#buildTokenWithRtm}. */
  public static BuildRtcTokenWithAccountRequest rtcWithRtm(String appId, String channelName,
      String account, Role role, long privilegeExpiredTs, TokenOptions options) {
    return rtcWithAccount("buildTokenWithRtm", appId, channelName, account, role, privilegeExpiredTs,
        options, true);
  }

  /** An RTM login token, as {@link TokenClient#buildRtmToken}. */
  public static BuildRtmTokenRequest rtm(String appId, String userId, TokenOptions options) {
    options.checkApplies("buildRtmToken", true, true, false);
    return BuildRtmTokenRequest.newBuilder()
        .setAppId(appId)
        .setUserId(userId)
        .setTokenVersion(options.getTokenVersion())
        .setPrivilegeExpiredTs((int) options.getPrivilegeExpiredTs())
        .setTokenExpireSeconds((int) options.getTokenExpireSeconds())
        .build();
  }

  /** A Chat user token, as {@link TokenClient#buildChatUserToken}. */
  public static BuildChatTokenRequest chatUser(String appId, String userId, TokenOptions options) {
    options.checkApplies("buildChatUserToken", false, false, false);
    return BuildChatTokenRequest.newBuilder()
        .setAppId(appId)
        .setKind(ChatTokenKind.CHAT_TOKEN_KIND_USER)
        .setUserId(userId)
        .setTokenExpireSeconds((int) options.getTokenExpireSeconds())
        .build();
  }

  /** A Chat app token, as {@link TokenClient#buildChatAppToken}. */
  public static BuildChatTokenRequest chatApp(String appId, TokenOptions options) {
    options.checkApplies("buildChatAppToken", false, false, false);
    return BuildChatTokenRequest.newBuilder()
        .setAppId(appId)
        .setKind(ChatTokenKind.CHAT_TOKEN_KIND_APP)
        .setTokenExpireSeconds((int) options.getTokenExpireSeconds())
        .build();
  }

  /**
   * A {@code BuildTokens} item of one of the four build requests (or an item
   * as is).
   */
  public static BuildTokensRequestItem item(Message request) {
    Objects.requireNonNull(request, "request");
    BuildTokensRequestItem.Builder item = BuildTokensRequestItem.newBuilder();
    if (request instanceof BuildTokensRequestItem) {
      return (BuildTokensRequestItem) request;
    } else if (request instanceof BuildRtcTokenWithUidRequest) {
      item.setRtcWithUid((BuildRtcTokenWithUidRequest) request);
    } else if (request instanceof BuildRtcTokenWithAccountRequest) {
      item.setRtcWithAccount((BuildRtcTokenWithAccountRequest) request);
    } else if (request instanceof BuildRtmTokenRequest) {
      item.setRtm((BuildRtmTokenRequest) request);
    } else if (request instanceof BuildChatTokenRequest) {
      item.setChat((BuildChatTokenRequest) request);
    } else {
      throw new IllegalArgumentException(
          "buildTokens: cannot batch a " + request.getDescriptorForType().getFullName());
    }
    return item.build();
  }

  private static BuildRtcTokenWithUidRequest rtcWithUid(String method, String appId, String channelName,
      long uid, Role role, long privilegeExpiredTs, TokenOptions options, boolean withRtm) {
    options.checkApplies(method, true, false, true);
    BuildRtcTokenWithUidRequest.Builder request = BuildRtcTokenWithUidRequest.newBuilder()
        .setAppId(appId)
        .setChannelName(channelName)
        .setUid(uint32("uid", uid))
        .setRole(checkRole(role))
        .setPrivilegeExpiredTs(uint32("privilegeExpiredTs", privilegeExpiredTs))
        .setTokenVersion(options.getTokenVersion())
        .setTokenExpireSeconds((int) options.getTokenExpireSeconds())
        .setWithRtm(withRtm);
    if (options.getPrivilegeExpires() != null) {
      request.setPrivilegeExpires(options.getPrivilegeExpires());
    }
    return request.build();
  }

  private static BuildRtcTokenWithAccountRequest rtcWithAccount(String method, String appId,
      String channelName, String account, Role role, long privilegeExpiredTs, TokenOptions options,
      boolean withRtm) {
    options.checkApplies(method, true, false, true);
    BuildRtcTokenWithAccountRequest.Builder request = BuildRtcTokenWithAccountRequest.newBuilder()
        .setAppId(appId)
        .setChannelName(channelName)
        .setAccount(account)
        .setRole(checkRole(role))
        .setPrivilegeExpiredTs(uint32("privilegeExpiredTs", privilegeExpiredTs))
        .setTokenVersion(options.getTokenVersion())
        .setTokenExpireSeconds((int) options.getTokenExpireSeconds())
        .setWithRtm(withRtm);
    if (options.getPrivilegeExpires() != null) {
      request.setPrivilegeExpires(options.getPrivilegeExpires());
    }
    return request.build();
  }

  private static Role checkRole(Role role) {
    Objects.requireNonNull(role, "role");
    if (role == Role.UNRECOGNIZED) {
      throw new IllegalArgumentException("role: UNRECOGNIZED is not a role");
    }
    return role;
  }

  /**
   * A proto uint32 as Java's int (the same 32 bits: 4294967295 becomes -1),
   * after checking that it fits; uids and unix times above 2^31 are common.
   */
  static int uint32(String name, long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(name + " must be in [0, 4294967295], got " + value);
    }
    return (int) value;
  }

  /** The value, after checking that it fits a uint32. */
  static long inUint32(String name, long value) {
    uint32(name, value);
    return value;
  }
}
