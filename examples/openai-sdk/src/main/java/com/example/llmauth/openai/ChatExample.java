package com.example.llmauth.openai;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.openai.LlmAuthOpenAI;
import java.nio.file.Path;

/**
 * Sends one chat completion with the openai-java SDK, authenticated by llm-auth.
 *
 * <p>Usage: {@code ChatExample CONFIG PROVIDER [MODEL]}, where CONFIG is an llm-auth JSONC file.
 */
public final class ChatExample {
  private ChatExample() {}

  /**
   * Sends one request and prints the answer.
   *
   * @param args the configuration file, the provider name and optionally the model
   */
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: ChatExample CONFIG PROVIDER [MODEL]");
      System.exit(2);
    }
    System.out.println(ask(LlmAuthConfig.load(Path.of(args[0])), args[1],
        args.length > 2 ? args[2] : "gpt-4o-mini", "Say hello."));
  }

  /**
   * Asks a model one question.
   *
   * @param config the llm-auth configuration
   * @param provider the provider name in it
   * @param model the model
   * @param question the user message
   * @return the model's answer
   */
  public static String ask(LlmAuthConfig config, String provider, String model, String question) {
    try (LlmAuth auth = LlmAuth.create(config)) {
      OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator(provider));
      try {
        return client.chat().completions().create(ChatCompletionCreateParams.builder()
            .model(model).addUserMessage(question).build()).choices().get(0).message().content().orElse("");
      } finally {
        client.close();
      }
    }
  }
}
