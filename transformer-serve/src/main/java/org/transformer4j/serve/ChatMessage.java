package org.transformer4j.serve;

/**
 * One message of a chat conversation: its role ({@code system}, {@code user}, {@code assistant}, ...) and text.
 *
 * @param role    who speaks: {@code system}, {@code user}, {@code assistant} or a role the template knows
 * @param content the message's text
 */
public record ChatMessage(String role, String content) {
}
