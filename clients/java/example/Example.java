// Builds one 007 RTC token with a running token server and prints it.
//
// Run from source (Java 11+), with the jars clients/java/build.sh made:
//   clients/java/build.sh /tmp/agora-token-java
//   java -cp "$(cat /tmp/agora-token-java/classpath)" clients/java/example/Example.java [HOST:PORT]
// (default 127.0.0.1:50051; serve deploy/dev/keyring.textproto, whose public
// sample app id is used here).

import agora.token.v1.TokenServiceOuterClass.BuildRtcTokenWithUidResponse;
import agora.token.v1.TokenServiceOuterClass.Role;
import agora.token.v1.TokenServiceOuterClass.TokenVersion;
import io.agora.token.client.TokenClient;
import io.agora.token.client.TokenOptions;
import io.agora.token.client.TokenServiceException;

public final class Example {
  private static final String DEV_APP_ID = "970CA35de60c44645bbae8a215061b33";

  public static void main(String[] args) {
    String target = args.length > 0 ? args[0] : "127.0.0.1:50051";
    try (TokenClient client = TokenClient.builder(target).build()) {
      BuildRtcTokenWithUidResponse response = client.buildTokenWithUid(
          DEV_APP_ID, "demo-channel", 2882341273L, Role.ROLE_PUBLISHER, 0,
          TokenOptions.DEFAULT.withTokenVersion(TokenVersion.TOKEN_VERSION_007).withTokenExpireSeconds(3600));
      System.out.println(response.getToken());
      System.err.println("expires at unix time " + Integer.toUnsignedLong(response.getExpireTs()));
    } catch (TokenServiceException e) {
      // getCode() and getFieldViolations() say what was wrong.
      System.err.println("token service error: " + e.getMessage());
      System.exit(1);
    }
  }
}
