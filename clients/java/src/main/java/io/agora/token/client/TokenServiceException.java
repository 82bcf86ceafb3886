package io.agora.token.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A failed TokenService call, or one failed {@code BuildTokens} item.
 *
 * <p>Unchecked, like grpc-java's own {@link StatusRuntimeException}: every call
 * can fail the same few ways (a bad field, an unknown app, a refused caller, an
 * unreachable server), and most callers let such a failure propagate to a
 * request handler rather than handle it at each call site.
 *
 * <p>It carries the gRPC status code, the server's message (which never holds a
 * certificate or a token), the field violations of the {@code
 * google.rpc.BadRequest} detail and the delay of a {@code google.rpc.RetryInfo}
 * detail, both decoded from the {@code grpc-status-details-bin} trailer.
 */
public final class TokenServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final Metadata.Key<byte[]> STATUS_DETAILS_KEY =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final Status.Code code;
  private final String statusMessage;
  private final List<FieldViolation> fieldViolations;
  private final Duration retryDelay;  // null when the server sent no RetryInfo

  private TokenServiceException(Status.Code code, String statusMessage,
      List<FieldViolation> fieldViolations, Duration retryDelay, Throwable cause) {
    super(describe(code, statusMessage, fieldViolations), cause);
    this.code = code;
    this.statusMessage = statusMessage;
    this.fieldViolations = Collections.unmodifiableList(fieldViolations);
    this.retryDelay = retryDelay;
  }

  /** The gRPC status code, e.g. {@link Status.Code#INVALID_ARGUMENT}. */
  public Status.Code getCode() {
    return code;
  }

  /** The server's message, without the code and the violations; may be empty. */
  public String getStatusMessage() {
    return statusMessage;
  }

  /** The request's bad fields; empty unless the server named some. */
  public List<FieldViolation> getFieldViolations() {
    return fieldViolations;
  }

  /** How long to wait before retrying (rate limits), if the server said. */
  public Optional<Duration> getRetryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /**
   * From a {@code google.rpc.Status}, such as the {@code error} of a failed
   * {@code BuildTokensResult}.
   */
  public static TokenServiceException fromStatus(com.google.rpc.Status status) {
    Details details = Details.of(status);
    return new TokenServiceException(Status.fromCodeValue(status.getCode()).getCode(),
        status.getMessage(), details.violations, details.retryDelay, null);
  }

  /** From what a grpc-java stub threw; the rich details come from the trailer when sent. */
  public static TokenServiceException fromStatusRuntimeException(StatusRuntimeException e) {
    Status status = e.getStatus();
    String message = status.getDescription() == null ? "" : status.getDescription();
    Metadata trailers = e.getTrailers();
    byte[] encoded = trailers == null ? null : trailers.get(STATUS_DETAILS_KEY);
    if (encoded != null) {
      try {
        com.google.rpc.Status rich = com.google.rpc.Status.parseFrom(encoded);
        Details details = Details.of(rich);
        // The transport's code is authoritative; the trailer adds details.
        return new TokenServiceException(status.getCode(),
            rich.getMessage().isEmpty() ? message : rich.getMessage(), details.violations,
            details.retryDelay, e);
      } catch (InvalidProtocolBufferException malformed) {
        // A malformed trailer must not hide the real error: fall through.
      }
    }
    return new TokenServiceException(status.getCode(), message, new ArrayList<>(), null, e);
  }

  private static String describe(Status.Code code, String message, List<FieldViolation> violations) {
    StringBuilder text = new StringBuilder(code.name()).append(": ").append(message);
    for (FieldViolation violation : violations) {
      text.append("\n  ").append(violation);
    }
    return text.toString();
  }

  /** The details this client understands; other detail types are skipped. */
  private static final class Details {
    final List<FieldViolation> violations = new ArrayList<>();
    Duration retryDelay;

    static Details of(com.google.rpc.Status status) {
      Details details = new Details();
      for (Any any : status.getDetailsList()) {
        try {
          if (any.is(BadRequest.class)) {
            for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
              details.violations.add(new FieldViolation(v.getField(), v.getDescription()));
            }
          } else if (any.is(RetryInfo.class)) {
            com.google.protobuf.Duration delay = any.unpack(RetryInfo.class).getRetryDelay();
            details.retryDelay = Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
          }
        } catch (InvalidProtocolBufferException malformed) {
          // A malformed detail must not hide the error it came with.
        }
      }
      return details;
    }
  }
}
