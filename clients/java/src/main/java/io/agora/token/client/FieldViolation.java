package io.agora.token.client;

import java.util.Objects;

/**
 * One bad field of a request, from the {@code google.rpc.BadRequest} detail the
 * server sends with {@code INVALID_ARGUMENT}: the field's path in the request
 * message (such as {@code "channel_name"}) and the rule it breaks.
 */
public final class FieldViolation {
  private final String field;
  private final String description;

  public FieldViolation(String field, String description) {
    this.field = Objects.requireNonNull(field, "field");
    this.description = Objects.requireNonNull(description, "description");
  }

  /** The field's path in the request, as the proto names it, e.g. {@code "channel_name"}. */
  public String getField() {
    return field;
  }

  /** Which rule the value breaks. */
  public String getDescription() {
    return description;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof FieldViolation)) {
      return false;
    }
    FieldViolation that = (FieldViolation) other;
    return field.equals(that.field) && description.equals(that.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(field, description);
  }

  @Override
  public String toString() {
    return field + ": " + description;
  }
}
