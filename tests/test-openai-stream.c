/* test-openai-stream.c: the OpenAI-compatible stream parser on chunk shapes
 * recorded from real providers (providers.md §16, §17)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-openai-stream-parser.h"
#include "confab-provider.h"

typedef struct
{
  GString *text;
  GString *reasoning;
  gint64   input_tokens;
  gint64   output_tokens;
  guint    n_usage;
} Collected;

typedef struct
{
  const char *fixture;
  const char *provider;
  const char *text;
  const char *reasoning;
  gint64      input_tokens;
  gint64      output_tokens;
  const char *finish_reason;
  int         error_code;   /* -1: success */
} Case;

static const Case cases[] = {
  { "openai-usage.sse", "openai", "Hello, world! 你好\n", "", 14, 6, "stop", -1 },
  { "azure-prompt-filter.sse", "openai", "Azure says hi", "", 9, 4, "stop", -1 },
  { "deepseek-reasoning.sse", "deepseek", "你好！", "嗯，用户在打招呼。", 12, 30, "stop", -1 },
  { "moonshot-usage-in-choice.sse", "moonshot", "Kimi 在此", "", 19, 13, "stop", -1 },
  { "openrouter-comments.sse", "openrouter", "Routed reply", "Considering", 8, 3, "stop", -1 },
  { "spark-no-space.sse", "spark", "你好，我是星火", "", 6, 9, NULL, -1 },
  { "spark-error-code.sse", "spark", "", "", -1, -1, NULL, CONFAB_ERROR_SERVER },
  { "openai-inband-error.sse", "openai", "partial ", "", -1, -1, NULL, CONFAB_ERROR_SERVER },
  { "openai-truncated.sse", "openai", "cut ", "", -1, -1, NULL, CONFAB_ERROR_NETWORK },
  { "openai-malformed.sse", "openai", "ok", "", -1, -1, NULL, CONFAB_ERROR_PROTOCOL },
};

static void
on_delta (const ConfabDelta *delta,
          gpointer           user_data)
{
  Collected *c = user_data;

  switch (delta->kind)
    {
    case CONFAB_DELTA_TEXT:
      g_string_append (c->text, delta->text);
      break;
    case CONFAB_DELTA_REASONING:
      g_string_append (c->reasoning, delta->text);
      break;
    case CONFAB_DELTA_USAGE:
      c->input_tokens = delta->input_tokens;
      c->output_tokens = delta->output_tokens;
      c->n_usage++;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Feeds @data in pieces of @step bytes (0: whole) and checks the result. */
static void
run_case (const Case *tc,
          const char *data,
          gsize       len,
          gsize       step)
{
  const ConfabProviderInfo *info = confab_provider_info_lookup (tc->provider);
  g_autoptr(ConfabStreamParser) parser = confab_openai_stream_parser_new (info);
  g_autoptr(GError) error = NULL;
  Collected c = { g_string_new (NULL), g_string_new (NULL), -1, -1, 0 };
  gboolean ok = TRUE;

  confab_stream_parser_set_delta_func (parser, on_delta, &c);
  if (step == 0)
    step = len;
  for (gsize offset = 0; ok && offset < len; offset += step)
    ok = confab_stream_parser_feed (parser, data + offset, MIN (step, len - offset), &error);
  if (ok)
    ok = confab_stream_parser_finish (parser, &error);

  g_assert_cmpstr (c.text->str, ==, tc->text);
  g_assert_cmpstr (c.reasoning->str, ==, tc->reasoning);
  g_assert_cmpint (c.input_tokens, ==, tc->input_tokens);
  g_assert_cmpint (c.output_tokens, ==, tc->output_tokens);
  if (tc->error_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (confab_stream_parser_get_finish_reason (parser), ==, tc->finish_reason);
      g_assert_true (confab_stream_parser_is_complete (parser));
    }
  else
    {
      g_assert_error (error, CONFAB_ERROR, tc->error_code);
      g_assert_false (ok);
    }

  g_string_free (c.text, TRUE);
  g_string_free (c.reasoning, TRUE);
}

static void
test_fixture (gconstpointer data)
{
  const Case *tc = data;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", tc->fixture, NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  run_case (tc, contents, len, 0);
  run_case (tc, contents, len, 1);
  run_case (tc, contents, len, 7);
  run_case (tc, contents, len, 64);
}

static void
test_region_error_body (void)
{
  const ConfabProviderInfo *info = confab_provider_info_lookup ("openai");
  g_autoptr(ConfabProvider) provider = confab_provider_new (info);
  static const char json[] =
    "{\"error\":{\"code\":\"unsupported_country_region_territory\",\"message\":\"Country, "
    "region, or territory not supported\",\"param\":null,\"type\":\"request_forbidden\"}}";
  g_autoptr(GBytes) body = g_bytes_new_static (json, strlen (json));
  g_autoptr(GError) error = confab_provider_parse_error (provider, 403, body, NULL);

  g_assert_error (error, CONFAB_ERROR, CONFAB_ERROR_REGION);
  g_assert_nonnull (strstr (error->message, "Country, region, or territory not supported"));
  g_assert_nonnull (strstr (error->message, "not available in this region"));
  g_assert_nonnull (strstr (error->message, "Azure OpenAI"));
}

typedef struct
{
  const char *provider;
  guint       status;
  const char *body;
  int         code;
  const char *message_part;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "openai", 401, "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", CONFAB_ERROR_AUTH, "Incorrect API key provided." },
  { "openai", 429, "{\"error\":{\"message\":\"You exceeded your current quota.\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}", CONFAB_ERROR_QUOTA, "current quota" },
  { "openai", 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", CONFAB_ERROR_RATE_LIMIT, "Rate limit reached" },
  { "openai", 500, "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}", CONFAB_ERROR_SERVER, "The server had an error" },
  { "openai", 404, "{\"error\":{\"message\":\"The model `x` does not exist\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}", CONFAB_ERROR_NOT_FOUND, "does not exist" },
  { "openai", 400, "", CONFAB_ERROR_BAD_REQUEST, "HTTP 400" },
  { "openai", 502, "<html>Bad gateway</html>", CONFAB_ERROR_SERVER, "HTTP 502" },
  { "deepseek", 402, "{\"error\":{\"message\":\"Insufficient Balance\",\"type\":\"unknown_error\",\"param\":null,\"code\":\"invalid_request_error\"}}", CONFAB_ERROR_QUOTA, "Insufficient Balance" },
  { "zhipu", 429, "{\"error\":{\"code\":\"1113\",\"message\":\"余额不足或无可用资源包,请充值。\"}}", CONFAB_ERROR_QUOTA, "余额不足" },
  { "zhipu", 429, "{\"error\":{\"code\":\"1302\",\"message\":\"您当前使用该API的并发数过高\"}}", CONFAB_ERROR_RATE_LIMIT, "并发数过高" },
  { "siliconflow", 400, "{\"code\":20012,\"message\":\"Model does not exist. Please check it carefully.\",\"data\":null}", CONFAB_ERROR_BAD_REQUEST, "Model does not exist" },
  { "qwen", 400, "data: {\"error\":{\"code\":\"data_inspection_failed\",\"param\":null,\"message\":\"Input text data may contain inappropriate content.\",\"type\":\"data_inspection_failed\"}}", CONFAB_ERROR_BAD_REQUEST, "inappropriate content" },
  { "qwen", 400, "{\"error\":{\"code\":\"Arrearage\",\"param\":null,\"message\":\"Access denied, please make sure your account is in good standing.\",\"type\":\"Arrearage\"}}", CONFAB_ERROR_QUOTA, "good standing" },
  { "moonshot", 429, "{\"error\":{\"type\":\"exceeded_current_quota_error\",\"message\":\"You exceeded your current quota\"}}", CONFAB_ERROR_QUOTA, "current quota" },
  { "doubao", 403, "{\"error\":{\"code\":\"AccountOverdueError\",\"message\":\"The account is overdue. Request ID: 1\",\"type\":\"Forbidden\"}}", CONFAB_ERROR_QUOTA, "overdue" },
  { "qianfan", 401, "{\"error\":{\"code\":\"invalid_iam_token\",\"message\":\"IAM Certification failed\",\"type\":\"invalid_request_error\"},\"id\":\"as-1\"}", CONFAB_ERROR_AUTH, "IAM Certification failed" },
  { "spark", 401, "{\"message\":\"Unauthorized\"}", CONFAB_ERROR_AUTH, "Unauthorized" },
  { "custom", 404, "{\"error\":\"model 'llama9' not found\"}", CONFAB_ERROR_NOT_FOUND, "llama9" },
  { "custom", 400, "{\"error_code\":110,\"error_msg\":\"Access token invalid or no longer valid\"}", CONFAB_ERROR_BAD_REQUEST, "Access token invalid" },
  { "openrouter", 402, "{\"error\":{\"code\":402,\"message\":\"Insufficient credits\"}}", CONFAB_ERROR_QUOTA, "Insufficient credits" },
};

static void
test_error_bodies (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *ec = &error_cases[i];
      g_autoptr(ConfabProvider) provider = confab_provider_new (confab_provider_info_lookup (ec->provider));
      g_autoptr(GBytes) body = g_bytes_new_static (ec->body, strlen (ec->body));
      g_autoptr(GError) error = confab_provider_parse_error (provider, ec->status, body, NULL);

      g_test_message ("case %u: %s %u", i, ec->provider, ec->status);
      g_assert_error (error, CONFAB_ERROR, ec->code);
      g_assert_nonnull (strstr (error->message, ec->message_part));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/openai-stream/fixture/%s", cases[i].fixture);
      g_test_add_data_func (path, &cases[i], test_fixture);
    }
  g_test_add_func ("/openai-stream/error/region", test_region_error_body);
  g_test_add_func ("/openai-stream/error/bodies", test_error_bodies);

  return g_test_run ();
}
