package org.transformer4j.serve;

/** One message of a chat conversation: its role ({@code system}, {@code user}, {@code assistant}, ...) and text. */
public record ChatMessage(String role, String content) {
}
